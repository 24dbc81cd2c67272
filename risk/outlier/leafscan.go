package outlier

import "math/bits"

// The kd-tree's leaf scans measure whole groups of four from t.grp with
// sqDist4LE (AVX where it runs), bit for bit rdist, then act on the
// leaf's points in position order, the order sklearn visits them: the
// k-NN heap breaks ties by that order. A leaf rarely starts or ends on a
// group boundary; the lanes of its first and last groups that belong to
// the neighbouring leaves are measured too and then ignored, which is
// cheaper than a scalar head and tail.

// leafChunk is how many groups one kernel call measures: the sums stay
// on the stack, and a leaf of sklearn's default size (up to about 60
// points) takes one call.
const leafChunk = 16

// leafSpan is the range of groups [g0, g1) covering positions [start,
// end), and the lanes of its first and last groups that lie in the range.
type leafSpan struct {
	g0, g1      int
	first, last uint8
}

func leafGroups(start, end int) leafSpan {
	return leafSpan{g0: start / 4, g1: (end + 3) / 4,
		first: uint8(0xf) << (start % 4) & 0xf, last: uint8(0xf) >> ((4 - end%4) % 4)}
}

// measure fills sums and mask for groups c..c+ng of the span with one
// kernel call, then clears the lanes outside the leaf.
func (t *kdTree) measure(pt []float64, sp leafSpan, c, ng int, bound float64, sums []float64, mask []uint8) {
	sqDist4LE(pt, t.grp[c*4*t.d:], sums[:4*ng], bound, mask[:ng])
	if c == sp.g0 {
		mask[0] &= sp.first
	}
	if c+ng == sp.g1 {
		mask[ng-1] &= sp.last
	}
}

// knnLeaf pushes the leaf's points into h. The mask is taken against the
// k-th distance when the chunk is measured; it only shrinks, so the mask
// keeps every point that can still enter and push's test decides.
func (t *kdTree) knnLeaf(node int, pt []float64, h *knnHeap) {
	sums, mask := &h.sums, &h.mask
	sp := leafGroups(int(t.start[node]), int(t.end[node]))
	for c := sp.g0; c < sp.g1; c += leafChunk {
		ng := min(leafChunk, sp.g1-c)
		t.measure(pt, sp, c, ng, h.dist[0], sums[:], mask[:])
		for g, mk := range mask[:ng] {
			for ; mk != 0; mk &= mk - 1 {
				l := 4*g + bits.TrailingZeros8(mk)
				if r := sums[l]; r < h.dist[0] {
					h.push(r, t.idx[4*c+l])
				}
			}
		}
	}
}

// countLeaf is how many of the leaf's points lie within squared distance
// r2 of pt.
func (t *kdTree) countLeaf(node int, pt []float64, r2 float64) int {
	var sums [4 * leafChunk]float64
	var mask [leafChunk]uint8
	cnt := 0
	sp := leafGroups(int(t.start[node]), int(t.end[node]))
	for c := sp.g0; c < sp.g1; c += leafChunk {
		ng := min(leafChunk, sp.g1-c)
		t.measure(pt, sp, c, ng, r2, sums[:], mask[:])
		for _, mk := range mask[:ng] {
			cnt += bits.OnesCount8(mk)
		}
	}
	return cnt
}

// appendLeaf appends to out, in leaf order, the leaf's points within
// squared distance r2 of pt.
func (t *kdTree) appendLeaf(node int, pt []float64, r2 float64, out []int) []int {
	var sums [4 * leafChunk]float64
	var mask [leafChunk]uint8
	sp := leafGroups(int(t.start[node]), int(t.end[node]))
	for c := sp.g0; c < sp.g1; c += leafChunk {
		ng := min(leafChunk, sp.g1-c)
		t.measure(pt, sp, c, ng, r2, sums[:], mask[:])
		for g, mk := range mask[:ng] {
			for ; mk != 0; mk &= mk - 1 {
				out = append(out, t.idx[4*(c+g)+bits.TrailingZeros8(mk)])
			}
		}
	}
	return out
}
