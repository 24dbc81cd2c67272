package outlier

import (
	"context"
	"math"
	"sync"
)

// kdTree is scikit-learn 1.2's KDTree (Euclidean), rebuilt node for node:
// same node numbering (children of i are 2i+1 and 2i+2), same split
// dimension, same median split and the same point order inside every node,
// so that queries visit points in the order sklearn does and break ties as
// it does. tree_test.go checks idx_array and the node table against
// KDTree.get_arrays().
//
// OPTICS uses it too: build it with buildTree(m, leafSize); a point's core
// distance is kthDistance(pt, min_samples) (kthDistances does all points in
// parallel), and radiusIndices(pt, r, nil) lists the points within r as
// KDTree.query_radius does. All three are checked against sklearn.
type kdTree struct {
	n, d   int
	idx    []int     // tree position -> point index (sklearn's idx_array)
	pts    []float64 // the points in tree order, for cache-friendly leaves
	start  []int32   // node -> first tree position
	end    []int32   // node -> one past the last tree position
	leaf   []bool
	lo, hi []float64 // node bounds, nNodes*d
	nNodes int
	// grp is pts again in sqDist4's groups of four: position p is lane p%4
	// of group p/4, dimension-major inside the group, padded to whole
	// groups. The leaf scans (leafscan.go) measure from it.
	grp []float64
}

// buildTree builds sklearn's KDTree(m, leaf_size=leafSize). m must hold
// finite values and at least one point.
func buildTree(m Matrix, leafSize int) *kdTree {
	if leafSize < 1 {
		leafSize = 30
	}
	n, d := m.Rows, m.Cols
	// int(np.log2(fmax(1, (n_samples - 1) / leaf_size)) + 1), true division.
	levels := int(math.Log2(math.Max(1, float64(n-1)/float64(leafSize))) + 1)
	nNodes := 1<<levels - 1
	t := &kdTree{
		n: n, d: d, nNodes: nNodes,
		idx:   make([]int, n),
		start: make([]int32, nNodes),
		end:   make([]int32, nNodes),
		leaf:  make([]bool, nNodes),
		lo:    make([]float64, nNodes*d),
		hi:    make([]float64, nNodes*d),
	}
	for i := range t.idx {
		t.idx[i] = i
	}
	var wg sync.WaitGroup
	t.build(m.Data, 0, 0, n, 0, &wg)
	wg.Wait()
	t.pts = make([]float64, n*d)
	for p, i := range t.idx {
		copy(t.pts[p*d:(p+1)*d], m.Data[i*d:(i+1)*d])
	}
	t.grp = make([]float64, (n+3)/4*4*d)
	for p, i := range t.idx {
		blk := t.grp[p/4*4*d:]
		for j, v := range m.Data[i*d : (i+1)*d] {
			blk[4*j+p%4] = v
		}
	}
	return t
}

// build is _recursive_build. Disjoint subtrees are built concurrently near
// the root; the result does not depend on it.
func (t *kdTree) build(data []float64, node, start, end, depth int, wg *sync.WaitGroup) {
	t.initNode(data, node, start, end)
	if 2*node+1 >= t.nNodes || end-start < 2 {
		t.leaf[node] = true
		return
	}
	s := t.idx[start:end]
	dim := splitDim(data, s, t.d)
	nthElement(s, len(s)/2, idxLess{data: data, d: t.d, dim: dim})
	mid := start + len(s)/2
	if depth < 3 && end-start > 4096 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.build(data, 2*node+1, start, mid, depth+1, wg)
		}()
	} else {
		t.build(data, 2*node+1, start, mid, depth+1, wg)
	}
	t.build(data, 2*node+2, mid, end, depth+1, wg)
}

func (t *kdTree) initNode(data []float64, node, start, end int) {
	t.start[node], t.end[node] = int32(start), int32(end)
	lo, hi := t.lo[node*t.d:(node+1)*t.d], t.hi[node*t.d:(node+1)*t.d]
	for j := range lo {
		lo[j], hi[j] = inf, -inf
	}
	for _, i := range t.idx[start:end] {
		row := data[i*t.d : (i+1)*t.d]
		for j, v := range row {
			lo[j] = math.Min(lo[j], v)
			hi[j] = math.Max(hi[j], v)
		}
	}
}

// splitDim is find_node_split_dim: the first dimension of largest spread.
func splitDim(data []float64, s []int, d int) int {
	best, bestSpread := 0, 0.0
	for j := 0; j < d; j++ {
		mx := data[s[0]*d+j]
		mn := mx
		for _, i := range s[1:] {
			v := data[i*d+j]
			mx = math.Max(mx, v)
			mn = math.Min(mn, v)
		}
		if spread := mx - mn; spread > bestSpread {
			best, bestSpread = j, spread
		}
	}
	return best
}

// rdist is euclidean_rdist: squared differences summed in dimension order.
// The explicit float64 conversion stops the compiler fusing into an FMA,
// which sklearn's build does not do.
func rdist(a, b []float64) float64 {
	s := 0.0
	b = b[:len(a)]
	for j, x := range a {
		t := x - b[j]
		s += float64(t * t)
	}
	return s
}

// minRdist is the kd-tree's min_rdist: squared distance from pt to the
// node's box.
func (t *kdTree) minRdist(node int, pt []float64) float64 {
	lo, hi := t.lo[node*t.d:(node+1)*t.d], t.hi[node*t.d:(node+1)*t.d]
	s := 0.0
	for j, x := range pt {
		dlo := lo[j] - x
		dhi := x - hi[j]
		dd := (dlo + math.Abs(dlo)) + (dhi + math.Abs(dhi))
		h := 0.5 * dd
		s += float64(h * h)
	}
	return s
}

// minRdist2Go is minRdist for the sibling nodes n1 and n1+1 at once: the
// CPU overlaps their (otherwise serial) additions. kdtree_amd64.s does it
// in one SSE2 register.
func (t *kdTree) minRdist2Go(n1 int, pt []float64) (s1, s2 float64) {
	d, n2 := t.d, n1+1
	lo1, hi1 := t.lo[n1*d:(n1+1)*d], t.hi[n1*d:(n1+1)*d]
	lo2, hi2 := t.lo[n2*d:(n2+1)*d], t.hi[n2*d:(n2+1)*d]
	for j, x := range pt {
		dlo, dhi := lo1[j]-x, x-hi1[j]
		h := 0.5 * ((dlo + math.Abs(dlo)) + (dhi + math.Abs(dhi)))
		s1 += float64(h * h)
		dlo, dhi = lo2[j]-x, x-hi2[j]
		h = 0.5 * ((dlo + math.Abs(dlo)) + (dhi + math.Abs(dhi)))
		s2 += float64(h * h)
	}
	return
}

// ball is a radius query's radius in the forms the tests need.
type ball struct {
	r  float64 // eps
	r2 float64 // sklearn's _dist_to_rdist(r) = r*r, for single points
	// maxSum is the largest x with sqrt(x) <= r. sklearn compares
	// sqrt(Σ box term²) with r; comparing the sum with maxSum gives the same
	// answer (sqrt is correctly rounded, so monotone) without the sqrt.
	maxSum float64
}

func newBall(r float64) ball {
	if math.IsInf(r, 1) {
		return ball{r: r, r2: r, maxSum: r} // every point is a neighbour
	}
	x := r * r
	for x > 0 && math.Sqrt(x) > r {
		x = math.Nextafter(x, -1)
	}
	for math.Sqrt(math.Nextafter(x, inf)) <= r {
		x = math.Nextafter(x, inf)
	}
	return ball{r: r, r2: r * r, maxSum: x}
}

// Where a node's box lies with respect to a ball.
const (
	boxOutside = iota // nearest box point farther than r: prune
	boxInside         // farthest box point within r: take all
	boxAcross
)

// boxVsBallGo is min_max_dist compared with r: outside when
// sqrt(Σ min term²) > r, inside when sqrt(Σ max term²) <= r, the terms
// computed as sklearn computes them. On amd64, boxVsBall computes the same
// sums in kdtree_amd64.s.
func (t *kdTree) boxVsBallGo(node int, pt []float64, b ball) int {
	lo, hi := t.lo[node*t.d:(node+1)*t.d], t.hi[node*t.d:(node+1)*t.d]
	lb := 0.0
	for j, x := range pt {
		dlo := lo[j] - x
		dhi := x - hi[j]
		h := 0.5 * ((dlo + math.Abs(dlo)) + (dhi + math.Abs(dhi)))
		lb += float64(h * h)
	}
	if lb > b.maxSum {
		return boxOutside
	}
	ub := 0.0
	for j, x := range pt {
		f := max(math.Abs(lo[j]-x), math.Abs(x-hi[j]))
		ub += float64(f * f)
		if ub > b.maxSum {
			return boxAcross
		}
	}
	return boxInside
}

// kthDistance is the distance from pt to its k-th nearest point of the
// tree, counting pt itself when it is one of the points:
// NearestNeighbors(algorithm='kd_tree').kneighbors(X, k)[0][:, -1]. The
// value does not depend on how ties are broken. k must be in [1, n].
func (t *kdTree) kthDistance(pt []float64, k int) float64 {
	h := newKNNHeap(k)
	t.knn(0, pt, h, t.minRdist(0, pt))
	return math.Sqrt(h.dist[0])
}

// kthDistances is kthDistance for every point of the tree, on workers
// goroutines, in tree order (for cache): OPTICS's core_distances_ with
// k = min_samples.
func (t *kdTree) kthDistances(ctx context.Context, k, workers int) ([]float64, error) {
	out := make([]float64, t.n)
	err := parallelChunks(ctx, t.n, workers, func() *knnHeap { return newKNNHeap(k) },
		func(h *knnHeap, lo, hi int) {
			for pos := lo; pos < hi; pos++ {
				pt := t.pts[pos*t.d : (pos+1)*t.d]
				h.reset()
				t.knn(0, pt, h, t.minRdist(0, pt))
				out[t.idx[pos]] = math.Sqrt(h.dist[0])
			}
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}
