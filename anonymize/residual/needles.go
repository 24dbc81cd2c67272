// Package residual is the residual leak scan: it proves that no raw
// identifier or PII value of a run's input reached what the run writes.
//
// A run collects its raw values into Needles (one set per worker, then
// Merge), and a Scanner checks every string it is about to commit against
// them, by column class (see Class): exactly, as a substring, and for PII
// patterns. Findings name the dataset, column, kind and a count; no
// finding, error or formatted value of this package ever holds the raw
// value that was found.
package residual

import (
	"fmt"
	"hash/maphash"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"
)

// DefaultMinLen is the shortest value, in bytes, that Needles keeps.
// Shorter raw values ("M", "CN", "100") recur in ordinary output — gender
// codes, country codes, counts, amounts — so matching them would fail clean
// runs without telling anyone anything.
const DefaultMinLen = 4

// Needles is a set of raw values to look for. It is built with Add (and
// Merge), then searched with Has, Contains and Count. Searching may run
// from many goroutines at once; Add and Merge must not run concurrently
// with anything else on the same set. The zero value is an empty set with
// DefaultMinLen.
//
// Values are kept in one byte arena indexed by an open-addressing table,
// not as a Go map of strings: a needle costs about 25 bytes plus its
// length and no allocation of its own, and the substring index about 40
// bytes more (a million needles: some 65 MB with the index).
type Needles struct {
	minLen int
	seed   maphash.Seed
	// data holds the needles back to back; needle i is
	// data[ends[i-1]:ends[i]]. Bytes are only ever appended, so views
	// into data (see at) stay valid and unchanged.
	data []byte
	ends []uint32
	// slots is the exact-match table: tag<<32 | (needle index+1), 0 for
	// an empty slot, linear probing from the tag, the low 32 bits of the
	// needle's hash. Once the table outgrows 2^32 slots the needle index
	// would overflow first.
	slots []uint64
	// tokens counts needles that are well-formed tokens; while it is 0 a
	// well-formed token cannot be a needle and needs no lookup.
	tokens int

	mu  sync.Mutex            // serialises building idx
	idx atomic.Pointer[index] // substring index, built on first search
}

// NewNeedles returns an empty set that ignores values shorter than minLen
// bytes; minLen below DefaultMinLen means DefaultMinLen, because the
// substring index reads windows of at least that many bytes.
func NewNeedles(minLen int) *Needles {
	return &Needles{minLen: max(minLen, DefaultMinLen)}
}

// MinLen is the length below which values are ignored.
func (n *Needles) MinLen() int { return max(n.minLen, DefaultMinLen) }

// TokenShaped is the number of needles that are well-formed tokens: raw
// values a token column could hold without looking out of place.
func (n *Needles) TokenShaped() int { return n.tokens }

// Len is the number of distinct needles.
func (n *Needles) Len() int { return len(n.ends) }

// Add adds v unless it is shorter than MinLen or already present.
func (n *Needles) Add(v string) {
	if len(v) < n.MinLen() {
		return
	}
	if n.slots == nil {
		n.seed = maphash.MakeSeed()
		n.slots = make([]uint64, 64)
	}
	h := maphash.String(n.seed, v)
	if n.lookup(v, h) {
		return
	}
	if n.idx.Load() != nil {
		n.idx.Store(nil) // rebuilt on the next search
	}
	if len(n.data)+len(v) > math.MaxUint32 || len(n.ends) >= math.MaxUint32/2 {
		panic("residual: needle set exceeds 4 GiB")
	}
	if (len(n.ends)+1)*4 > len(n.slots)*3 {
		n.grow()
	}
	n.data = append(n.data, v...)
	n.ends = append(n.ends, uint32(len(n.data)))
	n.insert(uint64(uint32(h))<<32 | uint64(len(n.ends)))
	if WellFormedToken(v) {
		n.tokens++
	}
}

// Merge adds every needle of o to n. o is not changed.
func (n *Needles) Merge(o *Needles) {
	for i := range o.ends {
		n.Add(o.at(i))
	}
}

// Has reports whether v is a needle.
func (n *Needles) Has(v string) bool {
	if len(v) < n.MinLen() || len(n.ends) == 0 {
		return false
	}
	h := maphash.String(n.seed, v)
	return n.index().exact.has(uint64(uint32(h))) && n.lookup(v, h)
}

// Contains reports whether some needle occurs in text. A needle made of
// digits at either end must not continue a run of digits there: 543462 is
// not in 1543462, but is in "id543462" and "543462-1".
func (n *Needles) Contains(text string) bool {
	if len(text) < n.MinLen() || len(n.ends) == 0 {
		return false
	}
	return n.index().scan(n, text, false) > 0
}

// Count is the number of needle occurrences in text, by the rule of
// Contains; two needles at one place count twice.
func (n *Needles) Count(text string) int {
	if len(text) < n.MinLen() || len(n.ends) == 0 {
		return 0
	}
	return n.index().scan(n, text, true)
}

// index returns the substring index, building it on first use after the
// last Add.
func (n *Needles) index() *index {
	if x := n.idx.Load(); x != nil {
		return x
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if x := n.idx.Load(); x != nil {
		return x
	}
	x := buildIndex(n)
	n.idx.Store(x)
	return x
}

// at returns needle i as a view into the arena, without copying.
func (n *Needles) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = n.ends[i-1]
	}
	b := n.data[start:n.ends[i]]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (n *Needles) lookup(v string, h uint64) bool {
	tag := uint64(uint32(h))
	mask := uint64(len(n.slots) - 1)
	for i := tag & mask; ; i = (i + 1) & mask {
		s := n.slots[i]
		if s == 0 {
			return false
		}
		if s>>32 == tag && n.at(int(uint32(s))-1) == v {
			return true
		}
	}
}

// insert puts slot value s (tag<<32 | ref) in the table.
func (n *Needles) insert(s uint64) {
	mask := uint64(len(n.slots) - 1)
	i := s >> 32 & mask
	for n.slots[i] != 0 {
		i = (i + 1) & mask
	}
	n.slots[i] = s
}

// grow doubles the table. A slot's tag is where it goes, so no needle is
// read or hashed again.
func (n *Needles) grow() {
	old := n.slots
	n.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s != 0 {
			n.insert(s)
		}
	}
}

// Format prints the size of the set, never its values, for every verb.
func (n *Needles) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "residual.Needles{len: %d, min_len: %d}", n.Len(), n.MinLen())
}

// LogValue logs the size of the set, never its values.
func (n *Needles) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("len", n.Len()), slog.Int("min_len", n.MinLen()))
}
