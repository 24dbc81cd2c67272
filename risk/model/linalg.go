package model

import (
	"errors"
	"math"
)

// errNotPD reports a matrix Cholesky could not factor: with Lambda > 0 the
// Hessian is positive definite, so this means Lambda = 0 on degenerate data.
var errNotPD = errors.New("hessian is not positive definite (set Lambda > 0 or drop collinear columns)")

// cholFactor overwrites the lower triangle of the symmetric n×n matrix a
// (row-major, a[i*n+j] for j <= i) with its Cholesky factor L.
func cholFactor(a []float64, n int) error {
	for j := 0; j < n; j++ {
		rj := a[j*n : j*n+j+1]
		d := rj[j] - dot(rj[:j], rj[:j])
		if !(d > 0) || math.IsInf(d, 0) {
			return errNotPD
		}
		d = math.Sqrt(d)
		rj[j] = d
		for i := j + 1; i < n; i++ {
			ri := a[i*n : i*n+j+1]
			ri[j] = (ri[j] - dot(ri[:j], rj[:j])) / d
		}
	}
	return nil
}

// cholSolve solves L Lᵀ x = b given cholFactor's L, overwriting b with x.
func cholSolve(l []float64, n int, b []float64) {
	for i := 0; i < n; i++ { // L z = b
		ri := l[i*n : i*n+i+1]
		b[i] = (b[i] - dot(ri[:i], b[:i])) / ri[i]
	}
	for i := n - 1; i >= 0; i-- { // Lᵀ x = z
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}

// dot is a fixed-order dot product: four interleaved partial sums added
// in a fixed order at the end, so results are reproducible and the loop
// keeps four independent additions in flight.
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// sum is a fixed-order sum with the same shape as dot.
func sum(x []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot2x2 returns the four dot products of (a0, a1) with (b0, b1) in one
// pass: four loads feed four multiply-adds instead of two, which roughly
// doubles the Hessian's speed. Each sum runs in index order.
func dot2x2(a0, a1, b0, b1 []float64) (s00, s01, s10, s11 float64) {
	n := len(a0)
	a1, b0, b1 = a1[:n], b0[:n], b1[:n]
	for i := 0; i < n; i++ {
		x0, x1, y0, y1 := a0[i], a1[i], b0[i], b1[i]
		s00 += x0 * y0
		s01 += x0 * y1
		s10 += x1 * y0
		s11 += x1 * y1
	}
	return
}
