package outlier

// The dense OPTICS pass keeps the unprocessed points in groups of four,
// dimension-major within a group (group g, dimension t: the four values
// at grp[g*4d+4t:]), so that one vector instruction handles four points.
// Each lane still adds its squared differences in dimension order, with
// no FMA, so every sum equals rdist bit for bit.

// sqDist4Go writes to out[4g+l] the squared distance from q to lane l of
// each of the first len(out)/4 groups in grp, and to mask[g] bit l
// whether that sum is <= skip[4g+l].
func sqDist4Go(q, grp, out, skip []float64, mask []uint8) { sqDist4StepGo(q, grp, out, skip, 4, mask) }

// sqDist4LEGo is sqDist4Go with one bound for every lane. The kd-tree's
// leaf scans use it.
func sqDist4LEGo(q, grp, out []float64, bound float64, mask []uint8) {
	b := [4]float64{bound, bound, bound, bound}
	sqDist4StepGo(q, grp, out, b[:], 0, mask)
}

// sqDist4StepGo is the kernel in Go: group g's four bounds are
// skip[g*step:g*step+4], step 4 (a bound per point) or 0 (one for all).
func sqDist4StepGo(q, grp, out, skip []float64, step int, mask []uint8) {
	d := len(q)
	for g := 0; g+4 <= len(out); g += 4 {
		blk := grp[g*d : g*d+4*d]
		var s0, s1, s2, s3 float64
		for t, x := range q {
			v := blk[4*t : 4*t+4 : 4*t+4]
			v0, v1, v2, v3 := x-v[0], x-v[1], x-v[2], x-v[3]
			s0 += float64(v0 * v0)
			s1 += float64(v1 * v1)
			s2 += float64(v2 * v2)
			s3 += float64(v3 * v3)
		}
		o := out[g : g+4 : g+4]
		o[0], o[1], o[2], o[3] = s0, s1, s2, s3
		b := skip[g/4*step : g/4*step+4 : g/4*step+4]
		mask[g/4] = uint8(b2i(s0 <= b[0]) | b2i(s1 <= b[1])<<1 | b2i(s2 <= b[2])<<2 | b2i(s3 <= b[3])<<3)
	}
}

func minGo(x []float64) float64 {
	m := inf
	for _, v := range x {
		if v < m {
			m = v
		}
	}
	return m
}
