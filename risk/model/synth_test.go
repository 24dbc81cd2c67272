package model

import (
	"math"
	"math/rand/v2"
)

// synthLogistic draws n rows of p standard-normal features and labels from
// a logistic model with intercept b0 and coefficients beta, from a fixed
// seed.
func synthLogistic(seed uint64, n int, b0 float64, beta []float64) ([][]float64, []bool) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	p := len(beta)
	X := make([][]float64, p)
	for j := range X {
		X[j] = make([]float64, n)
	}
	y := make([]bool, n)
	for i := range n {
		e := b0
		for j := range p {
			v := r.NormFloat64()
			X[j][i] = v
			e += beta[j] * v
		}
		y[i] = r.Float64() < 1/(1+math.Exp(-e))
	}
	return X, y
}
