package outlier

import (
	"context"
	"fmt"
	"math"
)

// With a finite MaxEps a core point offers reachabilities only to its
// neighbours within MaxEps (radius_neighbors in scikit-learn). The
// unprocessed points with a finite reachability wait in an indexed heap
// keyed (reach, id); when it is empty every unprocessed point is at +Inf
// and the smallest unprocessed id is next, as np.argmin picks it.
func opticsRadius(ctx context.Context, m Matrix, core []float64, maxEps float64, leafSize int) (*OPTICSResult, error) {
	n := m.Rows
	res := newOPTICSResult(n)
	reach, pred := res.Reachability, res.Predecessor
	tree := buildTree(m, leafSize)
	var near []int
	processed := make([]bool, n)
	h := reachHeap{reach: reach, pos: make([]int32, n)}
	for i := range h.pos {
		h.pos[i] = -1
	}
	seed := 0 // no unprocessed point below it
	var p int
	var cp float64
	offer := func(q int, d2 float64) {
		if processed[q] {
			return
		}
		rd := math.Sqrt(d2)
		if rd < cp {
			rd = cp
		}
		rd = round15(rd)
		if rd < reach[q] {
			reach[q] = rd
			pred[q] = p
			h.fix(q)
		}
	}
	for k := range n {
		if k&255 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("outlier: OPTICS after %d of %d points: %w", k, n, err)
			}
		}
		if len(h.ids) > 0 {
			p = h.pop()
		} else {
			for processed[seed] {
				seed++
			}
			p = seed
		}
		processed[p] = true
		res.Ordering[k] = p
		if cp = core[p]; !math.IsInf(cp, 1) {
			row := m.Row(p)
			near = tree.radiusIndices(row, maxEps, near[:0])
			for _, q := range near {
				if !processed[q] {
					offer(q, rdist(row, m.Row(q)))
				}
			}
		}
	}
	res.CoreDistances = core
	return res, nil
}

// reachHeap is a binary min-heap of point ids ordered by (reach[id], id);
// pos[id] is the id's place in ids, -1 when absent.
type reachHeap struct {
	reach []float64
	ids   []int32
	pos   []int32
}

func (h *reachHeap) less(a, b int32) bool {
	ra, rb := h.reach[a], h.reach[b]
	return ra < rb || (ra == rb && a < b)
}

func (h *reachHeap) swap(i, j int) {
	h.ids[i], h.ids[j] = h.ids[j], h.ids[i]
	h.pos[h.ids[i]], h.pos[h.ids[j]] = int32(i), int32(j)
}

// fix restores the order after reach[id] decreased, inserting id if absent.
func (h *reachHeap) fix(id int) {
	i := int(h.pos[id])
	if i < 0 {
		i = len(h.ids)
		h.ids = append(h.ids, int32(id))
		h.pos[id] = int32(i)
	}
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(h.ids[i], h.ids[parent]) {
			break
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h *reachHeap) pop() int {
	top := h.ids[0]
	last := len(h.ids) - 1
	h.swap(0, last)
	h.ids = h.ids[:last]
	h.pos[top] = -1
	for i := 0; ; {
		c := 2*i + 1
		if c >= last {
			break
		}
		if c+1 < last && h.less(h.ids[c+1], h.ids[c]) {
			c++
		}
		if !h.less(h.ids[c], h.ids[i]) {
			break
		}
		h.swap(i, c)
		i = c
	}
	return int(top)
}
