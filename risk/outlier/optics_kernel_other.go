//go:build !amd64

package outlier

// useAVX is false off amd64: the Go kernel is the only one.
var useAVX = false

// sqDist4 writes to out[4g+l] the squared distance from q to lane l of
// each of the first len(out)/4 groups in grp, and to mask[g] bit l
// whether that sum is <= skip[4g+l].
func sqDist4(q, grp, out, skip []float64, mask []uint8) { sqDist4Go(q, grp, out, skip, mask) }

// sqDist4LE is sqDist4 with one bound for every lane.
func sqDist4LE(q, grp, out []float64, bound float64, mask []uint8) {
	sqDist4LEGo(q, grp, out, bound, mask)
}

// minReach is the smallest of x, which holds no NaN.
func minReach(x []float64) float64 { return minGo(x) }
