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
	skip  []float64 // skipAbove(reach), +Inf while reach is
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

// skipAbove returns a squared distance beyond which a point whose
// reachability is r cannot improve: round15 moves a value by at most
// 0.5e-15 plus two roundings, and sqrt by one, so any sum above
// ((r+0.5e-15)/(1-3u))^2 gives round15(max(sqrt(sum), core)) >= r. The
// margins below are several times those bounds. Most pairs fail this
// test, which spares them the sqrt, the rounding and its division.
func skipAbove(r float64) float64 {
	t := (r + 1e-15) * (1 + 1e-15)
	return t * t * (1 + 1e-15)
}

// offer is _set_reach_dist for one pair whose squared distance is sum.
func (s *denseState) offer(j int, sum float64) {
	rd := math.Sqrt(sum)
	if rd < s.core {
		rd = s.core
	}
	if rd = round15(rd); rd < s.reach[j] {
		s.reach[j] = rd
		s.skip[j] = skipAbove(rd)
		s.pred[s.ids[j]] = s.p
	}
}

// pass updates positions [lo, hi) from the current point and returns the
// smallest (reach, id) among them. Four rows go through the distance loop
// together so their (each strictly sequential) sums overlap in the CPU.
func (s *denseState) pass(lo, hi int) best {
	if !math.IsInf(s.core, 1) {
		d, q, pts, skip := s.d, s.q, s.pts, s.skip
		j := lo
		for ; j+4 <= hi; j += 4 {
			n := len(q) // == d; re-slicing to it lets the compiler drop bounds checks
			r0 := pts[j*d:][:n:n]
			r1 := pts[(j+1)*d:][:n:n]
			r2 := pts[(j+2)*d:][:n:n]
			r3 := pts[(j+3)*d:][:n:n]
			var s0, s1, s2, s3 float64
			for t, x := range q {
				v0, v1, v2, v3 := x-r0[t], x-r1[t], x-r2[t], x-r3[t]
				// float64() forbids FMA: each sum must be cdist's, bit for bit
				s0 += float64(v0 * v0)
				s1 += float64(v1 * v1)
				s2 += float64(v2 * v2)
				s3 += float64(v3 * v3)
			}
			sk := (*[4]float64)(skip[j : j+4])
			if s0 <= sk[0] {
				s.offer(j, s0)
			}
			if s1 <= sk[1] {
				s.offer(j+1, s1)
			}
			if s2 <= sk[2] {
				s.offer(j+2, s2)
			}
			if s3 <= sk[3] {
				s.offer(j+3, s3)
			}
		}
		for ; j < hi; j++ {
			if sum := optSqDist(q, pts[j*d:j*d+d]); sum <= skip[j] {
				s.offer(j, sum)
			}
		}
	}
	b := best{reach: math.Inf(1), id: math.MaxInt32, pos: -1}
	ids, reach := s.ids[lo:hi], s.reach[lo:hi]
	for j, r := range reach {
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
		skip:  make([]float64, n),
		pred:  res.Predecessor,
		q:     make([]float64, d),
	}
	for i := range n {
		s.ids[i] = int32(i)
		s.reach[i] = inf
		s.skip[i] = inf
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
		s.ids[next], s.reach[next], s.skip[next] = s.ids[last], s.reach[last], s.skip[last]
		copy(s.pts[next*d:next*d+d], s.pts[last*d:last*d+d])
		s.ids, s.reach, s.skip, s.pts = s.ids[:last], s.reach[:last], s.skip[:last], s.pts[:last*d]
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
