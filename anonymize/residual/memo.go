package residual

import "sync"

// Memos of values already checked hold 64-bit keyed fingerprints, never
// values: they need no copy of the string, and hold no raw data. Two
// values share a fingerprint with probability 2^-64 per pair, which would
// skip one check.

// seenShards splits the Scanner's memo so that workers rarely wait for one
// another.
const seenShards = 64

// seenSet is the Scanner's memo: every (column, value) fingerprint checked.
type seenSet struct {
	shards [seenShards]seenShard
}

type seenShard struct {
	mu  sync.Mutex
	set fpSet
	_   [24]byte // one cache line per shard
}

// add records fp and reports whether it is new.
func (s *seenSet) add(fp uint64) bool {
	sh := &s.shards[fp>>(64-6)]
	sh.mu.Lock()
	added := sh.set.add(fp)
	sh.mu.Unlock()
	return added
}

// fpSet is an open-addressing set of fingerprints; 0 marks an empty slot.
// The zero value is an empty set.
type fpSet struct {
	slots []uint64
	n     int
}

// add records fp and reports whether it is new.
func (f *fpSet) add(fp uint64) bool {
	fp |= 1 // never 0; costs one bit of the fingerprint
	if 2*(f.n+1) > len(f.slots) {
		f.grow()
	}
	mask := len(f.slots) - 1
	for i := int(fp>>1) & mask; ; i = (i + 1) & mask {
		switch f.slots[i] {
		case fp:
			return false
		case 0:
			f.slots[i] = fp
			f.n++
			return true
		}
	}
}

func (f *fpSet) grow() {
	old := f.slots
	f.slots = make([]uint64, max(2*len(old), 256))
	f.n = 0
	for _, fp := range old {
		if fp != 0 {
			f.add(fp)
		}
	}
}

// fpSets recycles the per-call sets of ScanRecord.
var fpSets = sync.Pool{New: func() any { return new(fpSet) }}

// release empties f and returns it to fpSets; a set grown past a large
// batch is dropped rather than kept.
func (f *fpSet) release() {
	if len(f.slots) > 1<<20 {
		return
	}
	clear(f.slots)
	f.n = 0
	fpSets.Put(f)
}
