package outlier

// The dense OPTICS pass keeps the unprocessed points in groups of four,
// dimension-major within a group (group g, dimension t: the four values
// at grp[g*4d+4t:]), so that one vector instruction handles four points.
// Each lane still adds its squared differences in dimension order, with
// no FMA, so every sum equals rdist bit for bit.

// sqDist4Go writes to out[4g+l] the squared distance from q to lane l of
// each of the first len(out)/4 groups in grp, and to mask[g] bit l
// whether that sum is <= skip[4g+l].
func sqDist4Go(q, grp, out, skip []float64, mask []uint8) {
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
		var mk uint8
		for l, v := range o {
			if v <= skip[g+l] {
				mk |= 1 << l
			}
		}
		mask[g/4] = mk
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

// sqDist4LEGo is sqDist4Go with one bound for every lane: mask[g] bit l
// says whether out[4g+l] <= bound. The kd-tree's leaf scans use it.
func sqDist4LEGo(q, grp, out []float64, bound float64, mask []uint8) {
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
		mask[g/4] = uint8(b2i(s0 <= bound) | b2i(s1 <= bound)<<1 | b2i(s2 <= bound)<<2 | b2i(s3 <= bound)<<3)
	}
}
