package outlier

import "math/rand/v2"

// Blobs generates n points in d dimensions, deterministically from seed:
// a share outlierShare of them uniform in [-15, 15]^d, the rest from eight
// Gaussian blobs (standard deviation 1) whose centres are uniform in
// [-10, 10]^d. Benchmarks, the bench script and tests use it.
func Blobs(n, d int, outlierShare float64, seed uint64) Matrix {
	const nBlobs = 8
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	centres := make([]float64, nBlobs*d)
	for i := range centres {
		centres[i] = r.Float64()*20 - 10
	}
	m := Matrix{Rows: n, Cols: d, Data: make([]float64, n*d)}
	nOut := int(float64(n) * outlierShare)
	for i := range n {
		row := m.Row(i)
		if i < nOut {
			for j := range row {
				row[j] = r.Float64()*30 - 15
			}
			continue
		}
		c := centres[(i%nBlobs)*d : (i%nBlobs+1)*d]
		for j := range row {
			row[j] = c[j] + r.NormFloat64()
		}
	}
	// Shuffle so that outliers are not all at the front.
	r.Shuffle(n, func(a, b int) {
		ra, rb := m.Row(a), m.Row(b)
		for j := range ra {
			ra[j], rb[j] = rb[j], ra[j]
		}
	})
	return m
}
