package outlier

import (
	"math"
	"sort"
)

// optTree is an exact KD-tree for OPTICS's radius queries (and, until the
// package's shared tree lands, its k-th neighbour distances). Distances are
// sqrt of the sequential sum of squared differences, which is what
// scikit-learn's KDTree and scipy's cdist compute, bit for bit.
type optTree struct {
	m     Matrix
	idx   []int // point ids, permuted so each node owns a contiguous range
	nodes []optNode
	leaf  int
}

type optNode struct {
	lo, hi      int // idx[lo:hi]
	dim         int // split dimension, -1 for a leaf
	split       float64
	left, right int
}

func buildOptTree(m Matrix, leafSize int) *optTree {
	if leafSize < 1 {
		leafSize = 30
	}
	t := &optTree{m: m, idx: make([]int, m.Rows), leaf: leafSize}
	for i := range t.idx {
		t.idx[i] = i
	}
	if m.Rows > 0 {
		t.build(0, m.Rows)
	}
	return t
}

// build splits idx[lo:hi] at the median of its widest dimension.
func (t *optTree) build(lo, hi int) int {
	id := len(t.nodes)
	t.nodes = append(t.nodes, optNode{lo: lo, hi: hi, dim: -1})
	if hi-lo <= t.leaf {
		return id
	}
	d := t.m.Cols
	dim, width := 0, -1.0
	for j := 0; j < d; j++ {
		mn, mx := math.Inf(1), math.Inf(-1)
		for _, p := range t.idx[lo:hi] {
			v := t.m.Data[p*d+j]
			mn, mx = math.Min(mn, v), math.Max(mx, v)
		}
		if mx-mn > width {
			dim, width = j, mx-mn
		}
	}
	if width <= 0 {
		return id // all points equal: a big leaf is fine
	}
	seg := t.idx[lo:hi]
	sort.Slice(seg, func(a, b int) bool { return t.m.Data[seg[a]*d+dim] < t.m.Data[seg[b]*d+dim] })
	mid := lo + (hi-lo)/2
	split := t.m.Data[t.idx[mid]*d+dim]
	l := t.build(lo, mid)
	r := t.build(mid, hi)
	t.nodes[id].dim, t.nodes[id].split, t.nodes[id].left, t.nodes[id].right = dim, split, l, r
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

// kthDistance is the distance to the k-th nearest point of the tree's data,
// counting a point at distance 0 (the query itself) as the first.
func (t *optTree) kthDistance(pt []float64, k int) float64 {
	if k < 1 || k > t.m.Rows {
		return math.Inf(1)
	}
	best := make([]float64, 0, k) // sorted ascending squared distances
	t.knn(0, pt, k, &best)
	return math.Sqrt(best[k-1])
}

func (t *optTree) knn(id int, pt []float64, k int, best *[]float64) {
	n := &t.nodes[id]
	if n.dim < 0 {
		d := t.m.Cols
		for _, p := range t.idx[n.lo:n.hi] {
			s := optSqDist(pt, t.m.Data[p*d:p*d+d])
			b := *best
			if len(b) == k && s >= b[k-1] {
				continue
			}
			if len(b) < k {
				b = append(b, s)
			} else {
				b[k-1] = s
			}
			for i := len(b) - 1; i > 0 && b[i] < b[i-1]; i-- {
				b[i], b[i-1] = b[i-1], b[i]
			}
			*best = b
		}
		return
	}
	diff := pt[n.dim] - n.split
	near, far := n.left, n.right
	if diff >= 0 {
		near, far = n.right, n.left
	}
	t.knn(near, pt, k, best)
	// (q-x)^2 >= (q-split)^2 for any x beyond the split, and a sum of
	// non-negative rounded terms never falls below one term, so pruning on
	// strict > is exact.
	if b := *best; len(b) < k || float64(diff*diff) <= b[k-1] {
		t.knn(far, pt, k, best)
	}
}

// radius calls fn for every point whose squared distance to pt is <= r*r,
// the test scikit-learn's KDTree.query_radius applies in its leaves (it
// also takes whole nodes whose far corner is within r, which can differ
// only by an ulp at the boundary). r = +Inf takes every point.
func (t *optTree) radius(pt []float64, r float64, fn func(id int, d2 float64)) {
	if t.m.Rows > 0 {
		t.radiusNode(0, pt, r*r, fn)
	}
}

func (t *optTree) radiusNode(id int, pt []float64, r2 float64, fn func(int, float64)) {
	n := &t.nodes[id]
	if n.dim < 0 {
		d := t.m.Cols
		for _, p := range t.idx[n.lo:n.hi] {
			if s := optSqDist(pt, t.m.Data[p*d:p*d+d]); s <= r2 {
				fn(p, s)
			}
		}
		return
	}
	diff := pt[n.dim] - n.split
	gap := float64(diff * diff)
	if diff >= 0 {
		t.radiusNode(n.right, pt, r2, fn)
		if gap <= r2 {
			t.radiusNode(n.left, pt, r2, fn)
		}
		return
	}
	t.radiusNode(n.left, pt, r2, fn)
	if gap <= r2 {
		t.radiusNode(n.right, pt, r2, fn)
	}
}
