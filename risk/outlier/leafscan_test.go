package outlier

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSqDist4LE checks the one-bound kernel (assembly where it runs)
// against rdist bit for bit, and its mask.
func TestSqDist4LE(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, d := range []int{1, 2, 3, 7, 8, 9, 16, 33} {
		for _, groups := range []int{1, 3, 4, 5, 9} {
			q := make([]float64, d)
			grp := make([]float64, groups*4*d)
			for i := range q {
				q[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
			}
			for i := range grp {
				grp[i] = q[(i/4)%d] + rng.NormFloat64()*math.Pow(10, float64(rng.IntN(7)-3))
			}
			for _, bound := range []float64{0, 1, 1e6, math.Inf(1)} {
				out, outGo := make([]float64, groups*4), make([]float64, groups*4)
				mask, maskGo := make([]uint8, groups), make([]uint8, groups)
				sqDist4LE(q, grp, out, bound, mask)
				sqDist4LEGo(q, grp, outGo, bound, maskGo)
				for s := range out {
					row := make([]float64, d)
					for j := range d {
						row[j] = grp[(s/4)*4*d+4*j+s%4]
					}
					want := rdist(q, row)
					if out[s] != want || outGo[s] != want {
						t.Fatalf("d=%d slot %d: sqDist4LE %v, Go %v, sequential %v", d, s, out[s], outGo[s], want)
					}
					if bit := mask[s/4]>>(s%4)&1 == 1; bit != (want <= bound) || mask[s/4] != maskGo[s/4] {
						t.Fatalf("d=%d slot %d: mask bit %v for %v <= %v", d, s, bit, want, bound)
					}
				}
			}
		}
	}
}

// TestLeafScans checks the grouped leaf scans against scalar ones that
// measure point by point in leaf order (what sklearn does), on data full
// of ties, for leaves that start and end anywhere in a group and leaves
// longer than one kernel call. Both kernels run where AVX does.
func TestLeafScans(t *testing.T) {
	m := gridPoints(700, 3, 5)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range m.Data {
		m.Data[i] += float64(rng.IntN(3)) * 0.5
	}
	kernels := []bool{false}
	if useAVX {
		kernels = append(kernels, true)
	}
	defer func(v bool) { useAVX = v }(useAVX)
	for _, avx := range kernels {
		useAVX = avx
		for _, leaf := range []int{1, 2, 3, 5, 13, 40, 150} {
			tr := buildTree(m, leaf)
			for _, k := range []int{1, 4, 21} {
				h, ref := newKNNHeap(k), newKNNHeap(k)
				for i := range m.Rows {
					pt := m.Row(i)
					h.reset()
					ref.reset()
					tr.knn(0, pt, h, tr.minRdist(0, pt))
					knnScalar(tr, 0, pt, ref)
					if !slices.Equal(h.dist, ref.dist) || !slices.Equal(h.ind, ref.ind) {
						t.Fatalf("avx=%v leaf=%d k=%d point %d: heap %v %v, scalar %v %v", avx, leaf, k, i, h.dist, h.ind, ref.dist, ref.ind)
					}
				}
			}
			for _, r := range []float64{0, 0.5, 1, 2.5} {
				b := newBall(r)
				for i := range m.Rows {
					pt := m.Row(i)
					got := tr.radiusIndices(pt, r, nil)
					if want := radiusScalar(tr, 0, pt, b, nil); !slices.Equal(got, want) {
						t.Fatalf("avx=%v leaf=%d r=%g point %d: radius %v, scalar %v", avx, leaf, r, i, got, want)
					}
					if c := tr.radiusCount(0, pt, b, m.Rows+1); c != len(got) {
						t.Fatalf("avx=%v leaf=%d r=%g point %d: count %d, want %d", avx, leaf, r, i, c, len(got))
					}
				}
			}
		}
	}
}

// knnScalar is kdTree.knn with the leaf measured point by point.
func knnScalar(tr *kdTree, node int, pt []float64, h *knnHeap) {
	if tr.minRdist(node, pt) >= h.dist[0] {
		return
	}
	if tr.leaf[node] {
		for p := int(tr.start[node]); p < int(tr.end[node]); p++ {
			h.push(rdist(pt, tr.pts[p*tr.d:(p+1)*tr.d]), tr.idx[p])
		}
		return
	}
	c1, c2 := 2*node+1, 2*node+2
	if tr.minRdist(c1, pt) <= tr.minRdist(c2, pt) {
		knnScalar(tr, c1, pt, h)
		knnScalar(tr, c2, pt, h)
	} else {
		knnScalar(tr, c2, pt, h)
		knnScalar(tr, c1, pt, h)
	}
}

// radiusScalar is kdTree.radiusAppend with the leaf measured point by
// point.
func radiusScalar(tr *kdTree, node int, pt []float64, b ball, out []int) []int {
	switch tr.boxVsBall(node, pt, b) {
	case boxOutside:
		return out
	case boxInside:
		return append(out, tr.idx[tr.start[node]:tr.end[node]]...)
	}
	if tr.leaf[node] {
		for p := int(tr.start[node]); p < int(tr.end[node]); p++ {
			if rdist(pt, tr.pts[p*tr.d:(p+1)*tr.d]) <= b.r2 {
				out = append(out, tr.idx[p])
			}
		}
		return out
	}
	out = radiusScalar(tr, 2*node+1, pt, b, out)
	return radiusScalar(tr, 2*node+2, pt, b, out)
}

// TestMinRdist2 checks the two-node bound (SSE2 where it runs) against
// minRdist bit for bit, for points inside, outside and across the boxes.
func TestMinRdist2(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, d := range []int{1, 2, 3, 8, 9} {
		m := Matrix{Rows: 300, Cols: d, Data: make([]float64, 300*d)}
		for i := range m.Data {
			m.Data[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2))
		}
		tr := buildTree(m, 4)
		for range 200 {
			pt := make([]float64, d)
			for j := range pt {
				pt[j] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2))
			}
			for c := 1; c+1 < tr.nNodes; c += 2 {
				s1, s2 := tr.minRdist2(c, pt)
				g1, g2 := tr.minRdist2Go(c, pt)
				w1, w2 := tr.minRdist(c, pt), tr.minRdist(c+1, pt)
				if s1 != w1 || s2 != w2 || g1 != w1 || g2 != w2 {
					t.Fatalf("d=%d nodes %d,%d: %v %v (Go %v %v), want %v %v", d, c, c+1, s1, s2, g1, g2, w1, w2)
				}
			}
		}
	}
}

// TestBoxVsBall checks boxVsBall (SSE2 where it runs) against
// boxVsBallGo, with radii at and next to both of a box's bounds.
func TestBoxVsBall(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, d := range []int{1, 2, 3, 8, 9} {
		m := Matrix{Rows: 300, Cols: d, Data: make([]float64, 300*d)}
		for i := range m.Data {
			m.Data[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2))
		}
		tr := buildTree(m, 4)
		for range 100 {
			pt := make([]float64, d)
			for j := range pt {
				pt[j] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2))
			}
			for node := range tr.nNodes {
				lb := tr.minRdist(node, pt)
				ub := 0.0
				for j, x := range pt {
					f := max(math.Abs(tr.lo[node*d+j]-x), math.Abs(x-tr.hi[node*d+j]))
					ub += float64(f * f)
				}
				for _, r := range []float64{0, math.Sqrt(lb), math.Sqrt(ub), math.Sqrt((lb + ub) / 2), math.Inf(1)} {
					for _, r := range []float64{math.Nextafter(r, -1), r, math.Nextafter(r, math.Inf(1))} {
						if r < 0 {
							continue
						}
						b := newBall(r)
						if got, want := tr.boxVsBall(node, pt, b), tr.boxVsBallGo(node, pt, b); got != want {
							t.Fatalf("d=%d node %d r=%v: %d, Go %d", d, node, r, got, want)
						}
					}
				}
			}
		}
	}
}
