package residual

import "math/bits"

// The substring index finds every needle inside a text in one pass over
// the text, reading an 8-byte word at each position.
//
// A needle shorter than 8 bytes is keyed by all its bytes (with its length
// in the top byte), so a table hit is a match. A longer needle is keyed by
// one 8-byte window of it, its anchor, at offset 0, the middle or the end,
// whichever window is shared by the fewest needles so far. Raw values
// share long prefixes ("u0001…", "+86 138…", a province at the start of an
// address) and long suffixes ("…@example.com"), and a window shared by
// thousands of needles would cost thousands of comparisons wherever it
// occurs; choosing the least loaded of three keeps chains short.
//
// In front of both tables stand two filters sized to stay in cache, as the
// tables do not: a byte table indexed by a hash of the 4 bytes at a key's
// start says which key lengths may start there (bit w-4 for a short key of
// w bytes, bit 4 for an anchor), and a Bloom filter of the keys themselves
// answers for the length. Most positions of ordinary text stop
// at the first; digits, which raw values are full of, pass it often and
// stop at the second.
//
// A digit needle inside a longer run of digits is not a match: user id
// 543462 inside item id 1543462, or a QQ number inside an order number, is
// another number (the rule anonymize/pii applies to its patterns).

const (
	longKey   = 8
	anchorBit = 1 << (longKey - DefaultMinLen)
	// preMax bounds the prefilter to a quarter of a core's L2 cache.
	preMax = 1 << 18
	// preMin is the smallest prefilter; below it size does not matter.
	preMin = 1 << 10
	// keysBloomMax bounds the Bloom filter of keys to half a core's L2
	// cache, in 64-bit words; it gets 16 bits per key up to that.
	keysBloomMax = 1 << 16
	// exactBloomMax bounds the Bloom filter of whole needles, which Has
	// reads once per value, to a quarter.
	exactBloomMax = 1 << 15
)

type index struct {
	short, long table
	// next chains needles that share an anchor: next[i] is the needle
	// after i, plus one; 0 ends the chain.
	next []uint32
	// off is the offset of each needle's key inside it.
	off []uint32
	// pre is the prefilter, indexed by hash4(first 4 key bytes)>>preShift.
	pre      []uint8
	preShift uint8
	// keys holds every key; exact holds the hash of every needle, so
	// that Has rarely reaches the exact table, which is out of cache.
	keys, exact bloom
	// skipCont is set when no key starts with a UTF-8 continuation byte,
	// so positions inside a multi-byte character (two thirds of Chinese
	// text) can be skipped.
	skipCont bool
}

// table is an open-addressing hash table from key to the first needle
// (plus one) of its chain; heads[i] == 0 marks an empty slot. Keys and
// heads are separate arrays so that a miss reads 4 bytes.
type table struct {
	keys  []uint64
	heads []uint32
	shift uint8
}

func newTable(keys int) table {
	size := 8
	for size*3 < keys*4 { // load factor at most 3/4
		size <<= 1
	}
	return table{keys: make([]uint64, size), heads: make([]uint32, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
}

// slot returns the slot of key, or the empty slot where it would go.
func (t *table) slot(key uint64) int {
	mask := len(t.heads) - 1
	for i := int((key * 0x9E3779B97F4A7C15) >> t.shift); ; i = (i + 1) & mask {
		if t.heads[i] == 0 || t.keys[i] == key {
			return i
		}
	}
}

// head returns the first needle (plus one) keyed by key, or 0.
func (t *table) head(key uint64) uint32 {
	i := t.slot(key)
	if t.heads[i] != 0 && t.keys[i] == key {
		return t.heads[i]
	}
	return 0
}

func hash4(g uint32) uint32 { return g * 0x9E3779B1 }

func isCont(c byte) bool  { return c&0xC0 == 0x80 }
func isDigit(c byte) bool { return c-'0' < 10 }

// bloom is a blocked Bloom filter: each key sets two bits in one word,
// so a check is one cache access, and two bits cut false positives about
// fivefold over one at 16 bits per key.
type bloom struct {
	words []uint64
	shift uint8
}

// newBloom sizes a filter at 16 bits per key, at most maxWords words.
func newBloom(keys, maxWords int) bloom {
	words := 1
	for words < maxWords && words*64 < keys*16 {
		words <<= 1
	}
	return bloom{words: make([]uint64, words), shift: uint8(64 - bits.TrailingZeros(uint(words)))}
}

func (f *bloom) bits(key uint64) (int, uint64) {
	h := (key ^ key>>29) * 0xBF58476D1CE4E5B9
	return int(h >> f.shift), 1<<(h&63) | 1<<(h>>6&63)
}

func (f *bloom) add(key uint64) {
	w, b := f.bits(key)
	f.words[w] |= b
}

func (f *bloom) has(key uint64) bool {
	w, b := f.bits(key)
	return f.words[w]&b == b
}

// load8 reads s[i:i+8] as a little-endian word; the compiler turns it into
// one load.
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// loadTail reads up to 8 bytes of s from i, zero-padded.
func loadTail(s string, i int) uint64 {
	var w uint64
	for j := min(len(s), i+8) - 1; j >= i; j-- {
		w = w<<8 | uint64(s[j])
	}
	return w
}

// shortKey is the key of a w-byte window (w < 8) whose bytes start word.
func shortKey(word uint64, w int) uint64 {
	return word&(1<<(8*w)-1) | uint64(w)<<56
}

func buildIndex(n *Needles) *index {
	count := len(n.ends)
	x := &index{next: make([]uint32, count), off: make([]uint32, count), skipCont: true}
	var nShort int
	for i := range count {
		if len(n.at(i)) < longKey {
			nShort++
		}
	}
	x.short, x.long = newTable(nShort), newTable(count-nShort)
	// Chain lengths per long slot, only needed to choose anchors.
	load := make([]uint32, len(x.long.heads))
	// Start at 16 bytes per needle and fold down where needles share the
	// 4 bytes at their key's start.
	preBits := bits.Len(uint(max(count*16, preMin)) - 1)
	preBits = min(preBits, bits.TrailingZeros(preMax))
	pre := make([]uint8, 1<<preBits)
	x.keys, x.exact = newBloom(count, keysBloomMax), newBloom(count, exactBloomMax)
	for i := range count {
		v := n.at(i)
		var o int
		var bit uint8
		if len(v) < longKey {
			k := shortKey(loadTail(v, 0), len(v))
			s := x.short.slot(k)
			x.short.keys[s], x.short.heads[s] = k, uint32(i+1)
			x.keys.add(k)
			bit = 1 << (len(v) - DefaultMinLen)
		} else {
			var s int
			o, s = x.anchor(v, load)
			x.long.keys[s] = load8(v, o)
			x.keys.add(x.long.keys[s])
			x.next[i] = x.long.heads[s]
			x.long.heads[s] = uint32(i + 1)
			load[s]++
			bit = anchorBit
		}
		x.off[i] = uint32(o)
		if isCont(v[o]) {
			x.skipCont = false
		}
		pre[hash4(uint32(loadTail(v[o:o+4], 0)))>>(32-preBits)] |= bit
	}
	x.pre, x.preShift = foldPre(pre, preBits)
	for _, s := range n.slots {
		if s != 0 {
			x.exact.add(s >> 32) // the tag: a needle's hash, as Has looks it up
		}
	}
	return x
}

// anchor chooses the offset of v's key and returns it with its long-table
// slot: the least shared of the windows at the start, middle and end,
// each moved back to the start of a UTF-8 character.
func (x *index) anchor(v string, load []uint32) (off, slot int) {
	best := -1
	for _, o := range [3]int{0, (len(v) - longKey) / 2, len(v) - longKey} {
		for o > 0 && isCont(v[o]) {
			o--
		}
		s := x.long.slot(load8(v, o))
		if best < 0 || load[s] < load[slot] {
			best, off, slot = o, o, s
		}
	}
	return off, slot
}

// foldPre shrinks a prefilter of 1<<b bytes while it stays at most 1/16
// full: the index is the hash's top bits, so a smaller table's entry is
// the OR of a contiguous range of the larger one's.
func foldPre(pre []uint8, b int) ([]uint8, uint8) {
	used := 0
	for _, m := range pre {
		if m != 0 {
			used++
		}
	}
	size := len(pre)
	for size > preMin && used*16 <= size/2 {
		size /= 2
	}
	if size == len(pre) {
		return pre, uint8(32 - b)
	}
	out := make([]uint8, size)
	step := len(pre) / size
	for i, m := range pre {
		out[i/step] |= m
	}
	return out, uint8(32 - bits.TrailingZeros(uint(size)))
}

// scan counts the needles that occur in s, stopping at the first unless
// all is set. A needle found at two places counts twice.
func (x *index) scan(n *Needles, s string, all bool) int {
	hits := 0
	last := len(s) - n.MinLen()
	for i := 0; i <= last; i++ {
		if x.skipCont && isCont(s[i]) {
			continue
		}
		var word uint64
		if i+8 <= len(s) {
			word = load8(s, i)
		} else {
			word = loadTail(s, i)
		}
		m := x.pre[hash4(uint32(word))>>x.preShift]
		if m == 0 {
			continue
		}
		hits += x.verify(n, s, i, word, m, all)
		if hits > 0 && !all {
			return hits
		}
	}
	return hits
}

// verify counts the needles whose key starts at s[i:], given the
// prefilter's bits m and the word at i.
func (x *index) verify(n *Needles, s string, i int, word uint64, m uint8, all bool) int {
	hits := 0
	rem := len(s) - i
	for m != 0 {
		b := bits.TrailingZeros8(m)
		m &= m - 1
		if b < longKey-DefaultMinLen {
			w := b + DefaultMinLen
			if w > rem {
				return hits // bits rise with length
			}
			k := shortKey(word, w)
			if x.keys.has(k) && x.short.head(k) != 0 && bounded(s, i, i+w) {
				hits++
			}
		} else {
			if rem < longKey || !x.keys.has(word) {
				return hits
			}
			for j := x.long.head(word); j != 0; j = x.next[j-1] {
				v := n.at(int(j - 1))
				start := i - int(x.off[j-1])
				end := start + len(v)
				if start >= 0 && end <= len(s) && s[start:end] == v && bounded(s, start, end) {
					hits++
				}
			}
		}
		if hits > 0 && !all {
			return hits
		}
	}
	return hits
}

// bounded reports whether s[start:end] does not cut a run of digits.
func bounded(s string, start, end int) bool {
	if start > 0 && isDigit(s[start]) && isDigit(s[start-1]) {
		return false
	}
	return end >= len(s) || !isDigit(s[end-1]) || !isDigit(s[end])
}
