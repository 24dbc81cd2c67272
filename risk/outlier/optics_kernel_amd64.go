package outlier

import "golang.org/x/sys/cpu"

// sqDist4AVX is sqDist4Step in AVX assembly (optics_amd64.s): VSUBPD,
// VMULPD and VADDPD on four lanes, never VFMADD. skipStep is in bytes.
//
//go:noescape
func sqDist4AVX(q *float64, d int, grp *float64, groups int, out *float64, skip *float64, skipStep int, mask *uint8)

//go:noescape
func minAVX(x *float64, n int) float64

var useAVX = cpu.X86.HasAVX

// sqDist4 writes to out[4g+l] the squared distance from q to lane l of
// each of the first len(out)/4 groups in grp, and to mask[g] bit l
// whether that sum is <= skip[4g+l].
func sqDist4(q, grp, out, skip []float64, mask []uint8) { sqDist4Step(q, grp, out, skip, 4, mask) }

// sqDist4LE is sqDist4 with one bound for every lane.
func sqDist4LE(q, grp, out []float64, bound float64, mask []uint8) {
	b := [4]float64{bound, bound, bound, bound}
	sqDist4Step(q, grp, out, b[:], 0, mask)
}

// sqDist4Step runs the kernel with group g's skip lanes at
// skip[g*step:], step 4 (a bound per point) or 0 (one for all).
func sqDist4Step(q, grp, out, skip []float64, step int, mask []uint8) {
	groups := len(out) / 4
	if !useAVX || len(q) == 0 || groups == 0 {
		sqDist4StepGo(q, grp, out, skip, step, mask)
		return
	}
	_, _, _ = grp[groups*4*len(q)-1], skip[(groups-1)*step+3], mask[groups-1] // the assembly reads this far
	sqDist4AVX(&q[0], len(q), &grp[0], groups, &out[0], &skip[0], 8*step, &mask[0])
}

// minReach is the smallest of x, which holds no NaN.
func minReach(x []float64) float64 {
	n4 := len(x) &^ 3
	if !useAVX || n4 == 0 {
		return minGo(x)
	}
	return min(minAVX(&x[0], n4), minGo(x[n4:]))
}
