package ingest

// idSet is the set of record-id hashes the collector has seen: open
// addressing over 128-bit keys (two independent 64-bit hashes of the id,
// so a false duplicate needs both to collide). It replaces a Go map, whose
// array-keyed lookups take the slow generic path, on the one goroutine
// every record passes through.
type idSet struct {
	slots [][2]uint64 // {0, 0} is empty
	n     int
}

func newIDSet(hint int) *idSet {
	size := 1024
	for size*3 < hint*4 {
		size <<= 1
	}
	return &idSet{slots: make([][2]uint64, size)}
}

// add inserts k and reports whether it was new.
func (s *idSet) add(k [2]uint64) bool {
	if k == [2]uint64{} {
		k[1] = 1 // the empty marker; one in 2^128
	}
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := k[0] & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return false
		case [2]uint64{}:
			s.slots[i] = k
			s.n++
			return true
		}
	}
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([][2]uint64, 2*len(old))
	s.n = 0
	mask := uint64(len(s.slots) - 1)
	for _, k := range old {
		if k == [2]uint64{} {
			continue
		}
		i := k[0] & mask
		for s.slots[i] != [2]uint64{} {
			i = (i + 1) & mask
		}
		s.slots[i] = k
		s.n++
	}
}
