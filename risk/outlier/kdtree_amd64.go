package outlier

// minRdist2SSE is minRdist2Go in SSE2 assembly (kdtree_amd64.s), the two
// nodes in the two lanes of one register. SSE2 is part of amd64, so it
// needs no feature check. Go's math.Abs moves each value to an integer
// register and back; ANDPD does not.
//
//go:noescape
func minRdist2SSE(pt *float64, d int, lo, hi *float64) (s1, s2 float64)

// minRdist2 is minRdist for the sibling nodes n1 and n1+1 at once.
func (t *kdTree) minRdist2(n1 int, pt []float64) (s1, s2 float64) {
	d := t.d
	if d == 0 {
		return 0, 0
	}
	_, _, _ = pt[d-1], t.lo[(n1+2)*d-1], t.hi[(n1+2)*d-1] // the assembly reads this far
	return minRdist2SSE(&pt[0], d, &t.lo[n1*d], &t.hi[n1*d])
}

//go:noescape
func boxBoundsSSE(pt *float64, d int, lo, hi *float64) (lb, ub float64)

// boxVsBall is boxVsBallGo with both sums from kdtree_amd64.s.
func (t *kdTree) boxVsBall(node int, pt []float64, b ball) int {
	d := t.d
	if d == 0 {
		return t.boxVsBallGo(node, pt, b)
	}
	_, _, _ = pt[d-1], t.lo[(node+1)*d-1], t.hi[(node+1)*d-1] // the assembly reads this far
	lb, ub := boxBoundsSSE(&pt[0], d, &t.lo[node*d], &t.hi[node*d])
	switch {
	case lb > b.maxSum:
		return boxOutside
	case ub > b.maxSum:
		return boxAcross
	}
	return boxInside
}
