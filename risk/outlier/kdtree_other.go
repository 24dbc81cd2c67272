//go:build !amd64

package outlier

// minRdist2 is minRdist for the sibling nodes n1 and n1+1 at once.
func (t *kdTree) minRdist2(n1 int, pt []float64) (s1, s2 float64) {
	return t.minRdist2Go(n1, pt)
}

func (t *kdTree) boxVsBall(node int, pt []float64, b ball) int { return t.boxVsBallGo(node, pt, b) }
