package outlier

import (
	"context"
	"fmt"
	"math"
)

// With MaxEps = +Inf every processed core point offers a reachability to
// every unprocessed point, so the main loop is n passes over the
// unprocessed points. opticsDense keeps those points in a compact array
// (ids, coordinates in groups of four for sqDist4, current reachability),
// removes the chosen point by swapping the last one in, and fuses the reachability update with the
// search for the next point into one pass, split across workers. The next
// point is the minimum of (reachability, id), which does not depend on
// where a point sits in the compact array nor on the split, so the result
// is the same for any number of workers.

// denseMinPerWorker keeps small passes on one goroutine, where a hand-off
// (two channel operations, a wake-up) would cost more than the pass. A
// variable so that tests can make every pass split.
var denseMinPerWorker = 8192

// denseChunk is how many sums sqDist4 writes at a time (stays in L1).
const denseChunk = 256

type denseState struct {
	d     int
	ids   []int32   // by slot
	grp   []float64 // coordinates by slot, in groups of four (optics_kernel.go)
	reach []float64 // by slot
	skip  []float64 // by slot: skipAbove(reach), +Inf while reach is
	pred  []int     // by point id
	q     []float64 // the point being processed
	core  float64   // its core distance; +Inf means "only search"
	p     int       // its id
}

func (s *denseState) coord(slot, t int) *float64 {
	return &s.grp[(slot>>2)*4*s.d+4*t+slot&3]
}

// best is a candidate for the next point: (reach, id) ordered
// lexicographically; slot is its place in the compact array.
type best struct {
	reach float64
	id    int32
	slot  int
}

func (a best) less(b best) bool { return a.reach < b.reach || (a.reach == b.reach && a.id < b.id) }

// skipAbove returns a squared distance beyond which a point whose
// reachability is r cannot improve: round15 moves a value by at most
// 0.5e-15 plus two roundings, and sqrt by one, so any sum above
// ((r+0.5e-15)/(1-3u))^2 gives round15(max(sqrt(sum), core)) >= r. The
// margins below are several times those bounds. Nearly all pairs fail
// this test, which spares them the sqrt, the rounding and its division.
func skipAbove(r float64) float64 {
	t := (r + 1e-15) * (1 + 1e-15)
	return t * t * (1 + 1e-15)
}

// offer is _set_reach_dist for one pair whose squared distance is sum.
func (s *denseState) offer(slot int, sum float64) {
	rd := math.Sqrt(sum)
	if rd < s.core {
		rd = s.core
	}
	if rd = round15(rd); rd < s.reach[slot] {
		s.reach[slot] = rd
		s.skip[slot] = skipAbove(rd)
		s.pred[s.ids[slot]] = s.p
	}
}

// pass updates slots [lo, hi) from the current point (lo a multiple of
// 4) and returns the smallest (reach, id) among them; buf and mask are the
// worker's scratch. Per chunk, sqDist4 flags the few pairs that may
// improve, and the chunk's smallest reach is looked up by id only when it
// can beat the best so far.
func (s *denseState) pass(lo, hi int, buf []float64, mask []uint8) best {
	b := best{reach: math.Inf(1), id: math.MaxInt32, slot: -1}
	update := !math.IsInf(s.core, 1)
	d := s.d
	for c := lo; c < hi; c += denseChunk {
		e := min(c+denseChunk, hi)
		if update {
			sums := buf[:(e-c+3)&^3]
			mk := mask[:len(sums)/4]
			sqDist4(s.q, s.grp[c*d:], sums, s.skip[c:], mk)
			for g, bits := range mk {
				for ; bits != 0; bits &= bits - 1 {
					j := 4*g + bits32(bits)
					if c+j < e {
						s.offer(c+j, sums[j])
					}
				}
			}
		}
		reach := s.reach[c:e]
		m := minReach(reach)
		if m > b.reach {
			continue
		}
		for j, r := range reach {
			if r == m && (m < b.reach || s.ids[c+j] < b.id) {
				b = best{r, s.ids[c+j], c + j}
			}
		}
	}
	return b
}

// bits32 is the index of the lowest set bit of a 4-bit mask.
func bits32(x uint8) int {
	switch {
	case x&1 != 0:
		return 0
	case x&2 != 0:
		return 1
	case x&4 != 0:
		return 2
	}
	return 3
}

func opticsDense(ctx context.Context, m Matrix, core []float64, workers int) (*OPTICSResult, error) {
	n, d := m.Rows, m.Cols
	res := newOPTICSResult(n)
	s := &denseState{
		d:     d,
		ids:   make([]int32, n),
		grp:   make([]float64, (n+3)/4*4*d),
		reach: make([]float64, (n+3)&^3), // padded: sqDist4 reads whole groups
		skip:  make([]float64, (n+3)&^3),
		pred:  res.Predecessor,
		q:     make([]float64, d),
	}
	for i := range n {
		s.ids[i] = int32(i)
		s.reach[i] = inf
		s.skip[i] = inf
		for t, v := range m.Row(i) {
			*s.coord(i, t) = v
		}
	}
	pool := newPassPool(s, workers)
	defer pool.close()

	next, live := 0, n // all reachabilities are +Inf: the smallest id goes first
	for k := 0; k < n; k++ {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("outlier: OPTICS after %d of %d points: %w", k, n, err)
			}
		}
		id := int(s.ids[next])
		res.Ordering[k] = id
		res.Reachability[id] = s.reach[next]
		live--
		for t := range d {
			s.q[t] = *s.coord(next, t)
			*s.coord(next, t) = *s.coord(live, t)
		}
		s.ids[next], s.reach[next], s.skip[next] = s.ids[live], s.reach[live], s.skip[live]
		if live == 0 {
			break
		}
		s.core, s.p = core[id], id
		next = pool.run(live).slot
	}
	res.CoreDistances = core
	return res, nil
}

// passPool runs one pass per step on persistent goroutines: the caller
// takes the first range itself and the others wake on a channel, so a
// step costs two channel operations per helper. Ranges start on a
// multiple of 4, the groups sqDist4 reads.
type passPool struct {
	s       *denseState
	workers int
	start   []chan [2]int
	done    chan best
	bufs    [][]float64
	masks   [][]uint8
}

func newPassPool(s *denseState, workers int) *passPool {
	p := &passPool{s: s, workers: max(workers, 1), done: make(chan best, workers)}
	for g := range p.workers {
		p.bufs = append(p.bufs, make([]float64, denseChunk))
		p.masks = append(p.masks, make([]uint8, denseChunk/4))
		if g == 0 {
			continue
		}
		c := make(chan [2]int, 1)
		p.start = append(p.start, c)
		buf, mask := p.bufs[g], p.masks[g]
		go func() {
			for r := range c {
				p.done <- s.pass(r[0], r[1], buf, mask)
			}
		}()
	}
	return p
}

func (p *passPool) run(n int) best {
	w := min(p.workers, max(n/denseMinPerWorker, 1))
	cut := func(g int) int { return min(n, (g*n/w+3)&^3) }
	for g := 1; g < w; g++ {
		p.start[g-1] <- [2]int{cut(g), cut(g + 1)}
	}
	b := p.s.pass(0, cut(1), p.bufs[0], p.masks[0])
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
