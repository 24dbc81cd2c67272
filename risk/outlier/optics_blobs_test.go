package outlier

import "math/rand/v2"

// blobsForOPTICS is a deterministic stand-in for the package's Blobs (the
// lead swaps it in at merge): n points in d dimensions, an outlierShare of
// them uniform over [-15, 15]^d and the rest Gaussian around eight centres
// drawn from [-10, 10]^d with standard deviations between 0.5 and 2.
func blobsForOPTICS(n, d int, outlierShare float64, seed uint64) Matrix {
	rng := rand.New(rand.NewPCG(seed, 0x0b71c5))
	const k = 8
	centres := make([]float64, k*d)
	sd := make([]float64, k)
	for i := range centres {
		centres[i] = rng.Float64()*20 - 10
	}
	for i := range sd {
		sd[i] = 0.5 + 1.5*rng.Float64()
	}
	m := Matrix{Rows: n, Cols: d, Data: make([]float64, n*d)}
	nOut := int(float64(n) * outlierShare)
	for i := range n {
		row := m.Row(i)
		if i < nOut {
			for j := range row {
				row[j] = rng.Float64()*30 - 15
			}
			continue
		}
		c := rng.IntN(k)
		for j := range row {
			row[j] = centres[c*d+j] + sd[c]*rng.NormFloat64()
		}
	}
	return m
}
