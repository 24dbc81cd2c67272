package tagging

// chunks is an append-only array kept in fixed-size chunks: appending
// never moves what is stored, so a pointer to an element stays valid. A
// slice grown by append would, at 10M consumers, copy its ~2 GB about four
// times over, hold two copies at each growth, and stall the garbage
// collector, which cannot stop a goroutine inside one long memmove to scan
// its stack.
type chunks[T any] struct {
	c [][]T
	n int
}

const chunkBits = 14

func (s *chunks[T]) at(i int) *T { return &s.c[i>>chunkBits][i&(1<<chunkBits-1)] }

// add appends v and returns its index.
func (s *chunks[T]) add(v T) int {
	if s.n&(1<<chunkBits-1) == 0 {
		s.c = append(s.c, make([]T, 1<<chunkBits))
	}
	i := s.n
	s.n++
	*s.at(i) = v
	return i
}

func (s *chunks[T]) len() int { return s.n }
