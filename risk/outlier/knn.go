package outlier

import "math"

// knnHeap is one row of sklearn's NeighborsHeap: a max-heap of k squared
// distances with their point indices, started at +Inf.
type knnHeap struct {
	dist []float64
	ind  []int
	// The leaf scan's sums and masks, kept here rather than on the stack,
	// which Go would zero on every leaf.
	sums [4 * leafChunk]float64
	mask [leafChunk]uint8
}

func newKNNHeap(k int) *knnHeap {
	h := &knnHeap{dist: make([]float64, k), ind: make([]int, k)}
	h.reset()
	return h
}

func (h *knnHeap) reset() {
	for i := range h.dist {
		h.dist[i], h.ind[i] = inf, 0
	}
}

// push is NeighborsHeap._push: a value equal to the current largest does
// not enter, so among equally distant points the first visited stays.
func (h *knnHeap) push(val float64, idx int) {
	d, ind := h.dist, h.ind
	if val >= d[0] {
		return
	}
	size := len(d)
	i := 0
	for {
		c1 := 2*i + 1
		c2 := c1 + 1
		var sw int
		switch {
		case c1 >= size:
			d[i], ind[i] = val, idx
			return
		case c2 >= size:
			if d[c1] <= val {
				d[i], ind[i] = val, idx
				return
			}
			sw = c1
		case d[c1] >= d[c2]:
			if val >= d[c1] {
				d[i], ind[i] = val, idx
				return
			}
			sw = c1
		default:
			if val >= d[c2] {
				d[i], ind[i] = val, idx
				return
			}
			sw = c2
		}
		d[i], ind[i] = d[sw], ind[sw]
		i = sw
	}
}

// knn is _query_single_depthfirst: prune when the box is farther than the
// current k-th distance, scan leaves in tree order, visit the nearer child
// first (the left one on a tie).
func (t *kdTree) knn(node int, pt []float64, h *knnHeap, lb float64) {
	// sklearn prunes when lb > the k-th distance; pruning also at equality
	// changes nothing, as a point enters only if strictly nearer.
	if lb >= h.dist[0] {
		return
	}
	if t.leaf[node] {
		t.knnLeaf(node, pt, h)
		return
	}
	c1, c2 := 2*node+1, 2*node+2
	lb1, lb2 := t.minRdist2(c1, pt)
	if lb1 <= lb2 {
		t.knn(c1, pt, h, lb1)
		t.knn(c2, pt, h, lb2)
	} else {
		t.knn(c2, pt, h, lb2)
		t.knn(c1, pt, h, lb1)
	}
}

// query fills dist (Euclidean, ascending) and ind with pt's k nearest
// points, in the order sklearn's KDTree.query returns them.
func (t *kdTree) query(pt []float64, h *knnHeap, dist []float64, ind []int) {
	h.reset()
	t.knn(0, pt, h, t.minRdist(0, pt))
	copy(dist, h.dist)
	copy(ind, h.ind)
	simultaneousSort(dist, ind)
	for i, r := range dist {
		dist[i] = math.Sqrt(r)
	}
}

// simultaneousSort is sklearn.utils._sorting.simultaneous_sort, the
// quicksort (median of three, Lomuto partition) that orders each heap row;
// its order among equal distances decides which duplicate LOF drops.
func simultaneousSort(v []float64, ind []int) {
	swap := func(i, j int) {
		v[i], v[j] = v[j], v[i]
		ind[i], ind[j] = ind[j], ind[i]
	}
	size := len(v)
	switch {
	case size <= 1:
	case size == 2:
		if v[0] > v[1] {
			swap(0, 1)
		}
	case size == 3:
		if v[0] > v[1] {
			swap(0, 1)
		}
		if v[1] > v[2] {
			swap(1, 2)
			if v[0] > v[1] {
				swap(0, 1)
			}
		}
	default:
		piv := size / 2
		if v[0] > v[size-1] {
			swap(0, size-1)
		}
		if v[size-1] > v[piv] {
			swap(size-1, piv)
			if v[0] > v[size-1] {
				swap(0, size-1)
			}
		}
		pv := v[size-1]
		store := 0
		for i := 0; i < size-1; i++ {
			if v[i] < pv {
				swap(i, store)
				store++
			}
		}
		swap(store, size-1)
		if store > 1 {
			simultaneousSort(v[:store], ind[:store])
		}
		if store+2 < size {
			simultaneousSort(v[store+1:], ind[store+1:])
		}
	}
}
