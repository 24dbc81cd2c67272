package tagging

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"unsafe"
)

// tokenTable numbers user tokens densely in order of first sight, as
// intern.Table does, but for the millions of tokens of a window: the
// tokens' bytes live in an arena of large chunks, their places in a slice,
// and their numbers in an open-addressing table of (hash, number) words.
// Nothing in it is a pointer per token, so the garbage collector never
// scans it (a map of 10M strings is 10M pointers to trace in every cycle),
// and a lookup reads one table word and one token's bytes.
type tokenTable struct {
	seed   maphash.Seed
	chunks [][]byte         // arena; a chunk is never reallocated, so names stay valid
	refs   chunks[tokenRef] // by number
	// slots: 0 is empty; otherwise the hash's high 32 bits, which also
	// pick the slot, above the number plus one. At most half are used.
	slots  []uint64
	last   string // consecutive events are often the same consumer's
	lastID uint32
}

type tokenRef struct{ chunk, off, len uint32 }

const tokenChunk = 1 << 20

func newTokenTable() *tokenTable {
	return &tokenTable{seed: maphash.MakeSeed(), slots: make([]uint64, 1024)}
}

// Add returns the number of s, and whether s was added by this call.
func (t *tokenTable) Add(s string) (id uint32, added bool) {
	if t.refs.len() > 0 && s == t.last {
		return t.lastID, false
	}
	h := uint32(maphash.String(t.seed, s) >> 32)
	mask := uint32(len(t.slots) - 1)
	i := h & mask
	for ; t.slots[i] != 0; i = (i + 1) & mask {
		e := t.slots[i]
		if uint32(e>>32) == h && t.Name(uint32(e)-1) == s {
			id = uint32(e) - 1
			t.last, t.lastID = t.Name(id), id
			return id, false
		}
	}
	id = uint32(t.refs.add(t.store(s)))
	t.slots[i] = uint64(h)<<32 | uint64(id+1)
	if 2*t.refs.len() > len(t.slots) {
		t.grow()
	}
	t.last, t.lastID = t.Name(id), id
	return id, true
}

// store copies s into the arena.
func (t *tokenTable) store(s string) tokenRef {
	n := len(t.chunks)
	if n == 0 || cap(t.chunks[n-1])-len(t.chunks[n-1]) < len(s) {
		t.chunks = append(t.chunks, make([]byte, 0, max(tokenChunk, len(s))))
		n++
	}
	c := &t.chunks[n-1]
	r := tokenRef{chunk: uint32(n - 1), off: uint32(len(*c)), len: uint32(len(s))}
	*c = append(*c, s...)
	return r
}

func (t *tokenTable) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	mask := uint32(len(t.slots) - 1)
	for _, e := range old {
		if e == 0 {
			continue
		}
		i := uint32(e>>32) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = e
	}
}

// Name returns the token numbered id. It shares the arena's bytes, which
// are never written again.
func (t *tokenTable) Name(id uint32) string {
	r := t.refs.at(int(id))
	if r.len == 0 {
		return ""
	}
	return unsafe.String(&t.chunks[r.chunk][r.off], r.len)
}

// Len returns how many tokens are numbered.
func (t *tokenTable) Len() int { return t.refs.len() }

// Sorted returns every number, ordered by its token as strings.Compare
// orders them. It sorts (key, number) pairs whose key is the 8 bytes after
// the prefix every token shares (tokens under one key share Tink's key
// prefix), and compares whole tokens only between equal keys: comparing
// strings scattered over the arena was most of a 10M-token sort.
func (t *tokenTable) Sorted() []uint32 {
	common := t.commonPrefix()
	type entry struct {
		key uint64
		id  uint32
	}
	es := make([]entry, t.refs.len())
	var buf [8]byte
	for id := range es {
		s := t.Name(uint32(id))
		rest := s[common:]
		// Bytes past the end read as zero: a shorter token sorts first
		// among equal keys, decided below by the whole compare.
		clear(buf[:])
		copy(buf[:], rest)
		es[id] = entry{key: binary.BigEndian.Uint64(buf[:]), id: uint32(id)}
	}
	slices.SortFunc(es, func(x, y entry) int {
		if c := cmp.Compare(x.key, y.key); c != 0 {
			return c
		}
		return strings.Compare(t.Name(x.id), t.Name(y.id))
	})
	out := make([]uint32, len(es))
	for i, e := range es {
		out[i] = e.id
	}
	return out
}

// commonPrefix is the length of the prefix every token shares.
func (t *tokenTable) commonPrefix() int {
	if t.refs.len() == 0 {
		return 0
	}
	first := t.Name(0)
	n := len(first)
	for id := 1; id < t.refs.len() && n > 0; id++ {
		s := t.Name(uint32(id))
		n = min(n, len(s))
		for i := range n {
			if s[i] != first[i] {
				n = i
				break
			}
		}
	}
	return n
}
