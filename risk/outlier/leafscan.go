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

// leafGroups is the range of groups covering positions [start, end), and
// the lanes of its first and last groups that lie in the range.
func leafGroups(start, end int) (g0, g1 int, first, last uint8) {
	g0, g1 = start/4, (end+3)/4
	first = uint8(0xf) << (start % 4) & 0xf
	last = uint8(0xf) >> ((4 - end%4) % 4)
	return
}

// knnLeaf pushes the leaf's points into h. The mask is taken against the
// k-th distance when the chunk is measured; it only shrinks, so the mask
// keeps every point that can still enter and push's test decides.
func (t *kdTree) knnLeaf(node int, pt []float64, h *knnHeap) {
	sums, mask, d := &h.sums, &h.mask, t.d
	g0, g1, first, last := leafGroups(int(t.start[node]), int(t.end[node]))
	for c := g0; c < g1; c += leafChunk {
		ng := min(leafChunk, g1-c)
		sqDist4LE(pt, t.grp[c*4*d:], sums[:4*ng], h.dist[0], mask[:ng])
		mask[0] &= first | uint8(b2i(c != g0)*0xf)
		mask[ng-1] &= last | uint8(b2i(c+ng != g1)*0xf)
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
	d, cnt := t.d, 0
	g0, g1, first, last := leafGroups(int(t.start[node]), int(t.end[node]))
	for c := g0; c < g1; c += leafChunk {
		ng := min(leafChunk, g1-c)
		sqDist4LE(pt, t.grp[c*4*d:], sums[:4*ng], r2, mask[:ng])
		mask[0] &= first | uint8(b2i(c != g0)*0xf)
		mask[ng-1] &= last | uint8(b2i(c+ng != g1)*0xf)
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
	d := t.d
	g0, g1, first, last := leafGroups(int(t.start[node]), int(t.end[node]))
	for c := g0; c < g1; c += leafChunk {
		ng := min(leafChunk, g1-c)
		sqDist4LE(pt, t.grp[c*4*d:], sums[:4*ng], r2, mask[:ng])
		mask[0] &= first | uint8(b2i(c != g0)*0xf)
		mask[ng-1] &= last | uint8(b2i(c+ng != g1)*0xf)
		for g, mk := range mask[:ng] {
			for ; mk != 0; mk &= mk - 1 {
				out = append(out, t.idx[4*(c+g)+bits.TrailingZeros8(mk)])
			}
		}
	}
	return out
}
