package outlier

import (
	"context"
	"fmt"
	"math"
)

// With MaxEps = +Inf every processed core point offers a reachability to
// every unprocessed point, so the main loop is n passes over the
// unprocessed points. opticsDense keeps those points in a compact array
// (ids, coordinates, current reachability), removes the chosen point by
// swapping the last one in, and fuses the reachability update with the
// search for the next point into one pass, split across workers. The next
// point is the minimum of (reachability, id), which does not depend on
// where a point sits in the compact array nor on the split, so the result
// is the same for any number of workers.

// denseMinPerWorker keeps small passes on one goroutine, where a hand-off
// would cost more than the pass.
const denseMinPerWorker = 4096

type denseState struct {
	d     int
	ids   []int32
	pts   []float64
	reach []float64
	pred  []int
	q     []float64 // the point being processed, copied out of pts
	core  float64   // its core distance; +Inf means "only search"
	p     int       // its id
}

// best is a candidate for the next point: (reach, id) ordered
// lexicographically; pos is its place in the compact array.
type best struct {
	reach float64
	id    int32
	pos   int
}

func (a best) less(b best) bool { return a.reach < b.reach || (a.reach == b.reach && a.id < b.id) }

// pass updates positions [lo, hi) from the current point and returns the
// smallest (reach, id) among them.
func (s *denseState) pass(lo, hi int) best {
	b := best{reach: math.Inf(1), id: math.MaxInt32, pos: -1}
	ids, reach := s.ids[lo:hi], s.reach[lo:hi]
	if math.IsInf(s.core, 1) {
		for j, r := range reach {
			if r < b.reach || (r == b.reach && ids[j] < b.id) {
				b = best{r, ids[j], lo + j}
			}
		}
		return b
	}
	d, q, core := s.d, s.q, s.core
	pts := s.pts[lo*d : hi*d]
	for j := range reach {
		row := pts[j*d : j*d+d : j*d+d]
		sum := 0.0
		for t, x := range q {
			v := x - row[t]
			sum += float64(v * v) // no FMA: the sum must be cdist's, bit for bit
		}
		rd := math.Sqrt(sum)
		if rd < core {
			rd = core
		}
		rd = round15(rd)
		r := reach[j]
		if rd < r {
			r = rd
			reach[j] = r
			s.pred[ids[j]] = s.p
		}
		if r < b.reach || (r == b.reach && ids[j] < b.id) {
			b = best{r, ids[j], lo + j}
		}
	}
	return b
}

func opticsDense(ctx context.Context, m Matrix, core []float64, workers int) (*OPTICSResult, error) {
	n, d := m.Rows, m.Cols
	res := newOPTICSResult(n)
	s := &denseState{
		d:     d,
		ids:   make([]int32, n),
		pts:   append([]float64(nil), m.Data...),
		reach: make([]float64, n),
		pred:  res.Predecessor,
		q:     make([]float64, d),
	}
	for i := range n {
		s.ids[i] = int32(i)
		s.reach[i] = inf
	}
	pool := newPassPool(s, workers)
	defer pool.close()

	next := 0 // all reachabilities are +Inf: the smallest id goes first
	for k := 0; k < n; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("outlier: OPTICS after %d of %d points: %w", k, n, err)
			}
		}
		id := int(s.ids[next])
		res.Ordering[k] = id
		res.Reachability[id] = s.reach[next]
		copy(s.q, s.pts[next*d:next*d+d])
		last := len(s.ids) - 1
		s.ids[next], s.reach[next] = s.ids[last], s.reach[last]
		copy(s.pts[next*d:next*d+d], s.pts[last*d:last*d+d])
		s.ids, s.reach, s.pts = s.ids[:last], s.reach[:last], s.pts[:last*d]
		if last == 0 {
			break
		}
		s.core, s.p = core[id], id
		next = pool.run(last).pos
	}
	res.CoreDistances = core
	return res, nil
}

// passPool runs one pass per step on persistent goroutines: the caller
// takes the first range itself and the others wake on a channel, so a
// step costs two channel operations per helper.
type passPool struct {
	s       *denseState
	workers int
	start   []chan [2]int
	done    chan best
}

func newPassPool(s *denseState, workers int) *passPool {
	p := &passPool{s: s, workers: max(workers, 1), done: make(chan best, workers)}
	for range p.workers - 1 {
		c := make(chan [2]int, 1)
		p.start = append(p.start, c)
		go func() {
			for r := range c {
				p.done <- s.pass(r[0], r[1])
			}
		}()
	}
	return p
}

func (p *passPool) run(n int) best {
	w := min(p.workers, max(n/denseMinPerWorker, 1))
	for g := 1; g < w; g++ {
		p.start[g-1] <- [2]int{g * n / w, (g + 1) * n / w}
	}
	b := p.s.pass(0, n/w)
	for g := 1; g < w; g++ {
		if o := <-p.done; o.less(b) {
			b = o
		}
	}
	return b
}

func (p *passPool) close() {
	for _, c := range p.start {
		close(c)
	}
}
