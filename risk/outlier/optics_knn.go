package outlier

// A stand-in for the package's shared KD-tree, with the same signatures, so
// OPTICS runs before it lands; the lead deletes this file at merge.

type kdTree struct{ t *optTree }

func buildTree(m Matrix, leafSize int) *kdTree { return &kdTree{buildOptTree(m, leafSize)} }

// kthDistance is the distance to the k-th nearest point, the query's own
// copy (distance 0) counting as the first.
func (t *kdTree) kthDistance(pt []float64, k int) float64 { return t.t.kthDistance(pt, k) }
