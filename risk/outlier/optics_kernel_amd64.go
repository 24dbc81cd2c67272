package outlier

import "golang.org/x/sys/cpu"

// sqDist4AVX is sqDist4Go in AVX assembly (optics_amd64.s): VSUBPD,
// VMULPD and VADDPD on four lanes, never VFMADD.
//
//go:noescape
func sqDist4AVX(q *float64, d int, grp *float64, groups int, out *float64, skip *float64, mask *uint8)

// sqDist4LEAVX is sqDist4LEGo in AVX assembly, the same loop as
// sqDist4AVX with the bound broadcast.
//
//go:noescape
func sqDist4LEAVX(q *float64, d int, grp *float64, groups int, out *float64, bound float64, mask *uint8)

//go:noescape
func minAVX(x *float64, n int) float64

var useAVX = cpu.X86.HasAVX

// sqDist4 writes to out[4g+l] the squared distance from q to lane l of
// each of the first len(out)/4 groups in grp, and to mask[g] bit l
// whether that sum is <= skip[4g+l].
func sqDist4(q, grp, out, skip []float64, mask []uint8) {
	groups := len(out) / 4
	if !useAVX || len(q) == 0 || groups == 0 {
		sqDist4Go(q, grp, out, skip, mask)
		return
	}
	_, _, _ = grp[groups*4*len(q)-1], skip[groups*4-1], mask[groups-1] // the assembly reads this far
	sqDist4AVX(&q[0], len(q), &grp[0], groups, &out[0], &skip[0], &mask[0])
}

// sqDist4LE writes to out[4g+l] the squared distance from q to lane l of
// each of the first len(out)/4 groups in grp, and to mask[g] bit l
// whether that sum is <= bound.
func sqDist4LE(q, grp, out []float64, bound float64, mask []uint8) {
	groups := len(out) / 4
	if !useAVX || len(q) == 0 || groups == 0 {
		sqDist4LEGo(q, grp, out, bound, mask)
		return
	}
	_, _ = grp[groups*4*len(q)-1], mask[groups-1] // the assembly reads this far
	sqDist4LEAVX(&q[0], len(q), &grp[0], groups, &out[0], bound, &mask[0])
}

// minReach is the smallest of x, which holds no NaN.
func minReach(x []float64) float64 {
	n4 := len(x) &^ 3
	if !useAVX || n4 == 0 {
		return minGo(x)
	}
	return min(minAVX(&x[0], n4), minGo(x[n4:]))
}
