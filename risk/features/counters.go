package features

// counters holds one entity's counted events of the last 30 days and the
// per-window counts over them. Entries are in time order; ptr[w] is the
// first entry inside window w as of the last advance, and cnt[w] counts
// the entries from there on. Advancing to a later time only moves the
// pointers forward, so each entry is passed over once per window: a query
// costs O(1) amortised however long the window.
type counters struct {
	q   []uint64 // ts<<3 | count, time order; q[:ptr[W30d]] is dead
	ptr [NWindows]int32
	cnt [NWindows][NCounts]int32
}

func packEntry(ts int64, c Count) uint64 { return uint64(ts)<<3 | uint64(c) }
func entryTS(x uint64) int64             { return int64(x >> 3) }
func entryCount(x uint64) Count          { return Count(x & 7) }

// advance drops from each window the entries before t-W.
func (s *counters) advance(t int64) {
	for w := range NWindows {
		thr := t - WindowMS[w]
		p := s.ptr[w]
		for int(p) < len(s.q) && entryTS(s.q[p]) < thr {
			s.cnt[w][entryCount(s.q[p])]--
			p++
		}
		s.ptr[w] = p
	}
	// Everything before the 30-day pointer is dead; reclaim it once it is
	// half the slice, so the copy is paid for by the entries that died.
	if dead := int(s.ptr[W30d]); dead > 32 && 2*dead > len(s.q) {
		n := copy(s.q, s.q[dead:])
		s.q = s.q[:n]
		for w := range NWindows {
			s.ptr[w] -= int32(dead)
		}
	}
}

// add counts an event at t; the caller advanced to t first.
func (s *counters) add(t int64, c Count) {
	s.q = append(s.q, packEntry(t, c))
	for w := range NWindows {
		s.cnt[w][c]++
	}
}

// live returns the entries within 30 days as of the last advance.
func (s *counters) live() []uint64 { return s.q[s.ptr[W30d]:] }

// empty reports whether nothing is left in the 30-day window.
func (s *counters) empty() bool { return int(s.ptr[W30d]) == len(s.q) }

// amounts is a user's purchase amounts of the last 30 days (the baseline
// of amount_vs_user_mean_30d), summed in ten-thousandths so the mean does
// not depend on the order amounts came and went in.
type amounts struct {
	ts   []int64
	a4   []int64
	head int
	sum  int64
}

func (m *amounts) advance(t int64) {
	thr := t - Horizon
	for m.head < len(m.ts) && m.ts[m.head] < thr {
		m.sum -= m.a4[m.head]
		m.head++
	}
	if m.head > 32 && 2*m.head > len(m.ts) {
		m.ts = append(m.ts[:0], m.ts[m.head:]...)
		m.a4 = append(m.a4[:0], m.a4[m.head:]...)
		m.head = 0
	}
}

func (m *amounts) add(t, a4 int64) {
	m.ts = append(m.ts, t)
	m.a4 = append(m.a4, a4)
	m.sum += a4
}

// mean is the mean amount, or null without purchases.
func (m *amounts) mean() float64 {
	n := len(m.ts) - m.head
	if n == 0 {
		return Null
	}
	return float64(m.sum) / float64(n) / 1e4
}
