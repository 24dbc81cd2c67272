package outlier

import (
	"math"
	"slices"
)

// optTree is an exact KD-tree for OPTICS's radius queries (and, until the
// package's shared tree lands, its k-th neighbour distances). Distances are
// sqrt of the sequential sum of squared differences, which is what
// scikit-learn's KDTree and scipy's cdist compute, bit for bit.
//
// Pruning uses each node's bounding box. The squared distance to a box,
// summed in dimension order, never exceeds the sum computed for a point
// inside it: each per-dimension gap is no larger than that point's
// difference, and a sequential sum of non-negative rounded terms is
// monotone in every term. So pruning never drops a point it should keep.
type optTree struct {
	d     int
	idx   []int     // point ids in tree order; a node owns idx[lo:hi]
	pts   []float64 // coordinates in tree order, d each
	nodes []optNode
	box   []float64 // node i: lo at box[2di:], hi at box[2di+d:]
	leaf  int
}

type optNode struct {
	lo, hi      int
	left, right int // -1 for a leaf
}

func buildOptTree(m Matrix, leafSize int) *optTree {
	if leafSize < 1 {
		leafSize = 30
	}
	t := &optTree{d: m.Cols, idx: make([]int, m.Rows), leaf: leafSize}
	for i := range t.idx {
		t.idx[i] = i
	}
	if m.Rows > 0 {
		t.build(m, 0, m.Rows)
	}
	t.pts = make([]float64, 0, m.Rows*m.Cols)
	for _, p := range t.idx {
		t.pts = append(t.pts, m.Row(p)...)
	}
	return t
}

// build splits idx[lo:hi] at the median of its widest dimension.
func (t *optTree) build(m Matrix, lo, hi int) int {
	id := len(t.nodes)
	t.nodes = append(t.nodes, optNode{lo: lo, hi: hi, left: -1, right: -1})
	d := t.d
	t.box = append(t.box, make([]float64, 2*d)...)
	bl, bh := t.box[2*d*id:2*d*id+d], t.box[2*d*id+d:2*d*id+2*d]
	for j := range d {
		bl[j], bh[j] = math.Inf(1), math.Inf(-1)
	}
	for _, p := range t.idx[lo:hi] {
		for j, v := range m.Row(p) {
			bl[j], bh[j] = min(bl[j], v), max(bh[j], v)
		}
	}
	dim, width := 0, 0.0
	for j := range d {
		if w := bh[j] - bl[j]; w > width {
			dim, width = j, w
		}
	}
	if hi-lo <= t.leaf || width <= 0 {
		return id // small enough, or all points equal
	}
	seg := t.idx[lo:hi]
	slices.SortFunc(seg, func(a, b int) int {
		va, vb := m.Data[a*d+dim], m.Data[b*d+dim]
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return a - b
	})
	mid := lo + (hi-lo)/2
	l := t.build(m, lo, mid)
	r := t.build(m, mid, hi)
	t.nodes[id].left, t.nodes[id].right = l, r
	return id
}

// optSqDist is the sequential sum of squared differences; float64() stops the
// compiler from fusing into FMA, which would change the last bit.
func optSqDist(a, b []float64) float64 {
	b = b[:len(a)]
	s := 0.0
	for i, x := range a {
		t := x - b[i]
		s += float64(t * t)
	}
	return s
}

// boxDist2 is the squared distance from pt to node id's box, a lower bound
// of optSqDist to any point in it (see optTree).
func (t *optTree) boxDist2(id int, pt []float64) float64 {
	d := t.d
	lo, hi := t.box[2*d*id:2*d*id+d], t.box[2*d*id+d:2*d*id+2*d]
	s := 0.0
	for j, x := range pt {
		g := 0.0
		if x < lo[j] {
			g = lo[j] - x
		} else if x > hi[j] {
			g = x - hi[j]
		}
		s += float64(g * g)
	}
	return s
}

// kthDistance is the distance to the k-th nearest point of the tree's data,
// counting a point at distance 0 (the query itself) as the first.
func (t *optTree) kthDistance(pt []float64, k int) float64 {
	if k < 1 || k > len(t.idx) {
		return math.Inf(1)
	}
	best := make([]float64, 0, k) // sorted ascending squared distances
	t.knn(0, pt, k, &best)
	return math.Sqrt(best[k-1])
}

// knn keeps in best the k smallest squared distances seen. Only their
// values matter, so a node whose box is no nearer than the k-th is skipped.
func (t *optTree) knn(id int, pt []float64, k int, best *[]float64) {
	n := &t.nodes[id]
	if n.left < 0 {
		d := t.d
		for i := n.lo; i < n.hi; i++ {
			s := optSqDist(pt, t.pts[i*d:i*d+d])
			b := *best
			if len(b) == k && s >= b[k-1] {
				continue
			}
			if len(b) < k {
				b = append(b, s)
			} else {
				b[k-1] = s
			}
			for j := len(b) - 1; j > 0 && b[j] < b[j-1]; j-- {
				b[j], b[j-1] = b[j-1], b[j]
			}
			*best = b
		}
		return
	}
	dl, dr := t.boxDist2(n.left, pt), t.boxDist2(n.right, pt)
	near, far, dn, df := n.left, n.right, dl, dr
	if dr < dl {
		near, far, dn, df = n.right, n.left, dr, dl
	}
	if b := *best; len(b) < k || dn < b[k-1] {
		t.knn(near, pt, k, best)
	}
	if b := *best; len(b) < k || df < b[k-1] {
		t.knn(far, pt, k, best)
	}
}

// radius calls fn for every point whose squared distance to pt is <= r*r,
// the test scikit-learn's KDTree.query_radius applies in its leaves (it
// also takes whole nodes whose far corner is within r, which can differ
// only by an ulp at the boundary). r = +Inf takes every point.
func (t *optTree) radius(pt []float64, r float64, fn func(id int, d2 float64)) {
	if len(t.idx) > 0 {
		t.radiusNode(0, pt, r*r, fn)
	}
}

func (t *optTree) radiusNode(id int, pt []float64, r2 float64, fn func(int, float64)) {
	if t.boxDist2(id, pt) > r2 {
		return
	}
	n := &t.nodes[id]
	if n.left >= 0 {
		t.radiusNode(n.left, pt, r2, fn)
		t.radiusNode(n.right, pt, r2, fn)
		return
	}
	d := t.d
	for i := n.lo; i < n.hi; i++ {
		if s := optSqDist(pt, t.pts[i*d:i*d+d]); s <= r2 {
			fn(t.idx[i], s)
		}
	}
}
