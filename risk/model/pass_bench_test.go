package model

import (
	"testing"

	"github.com/veil-data/veil/internal/cputime"
)

// BenchmarkHessian measures the Hessian kernel alone, in multiply-add
// flops per CPU second (one worker, so other load on the machine does not
// count).
func BenchmarkHessian(b *testing.B) {
	const n, p = 131072, 160
	X, y := synthLogistic(7, n, -3, make([]float64, p))
	s, ys := make([]float64, n), make([]float64, n)
	for i := range s {
		s[i] = 1
		if y[i] {
			ys[i] = 1
		}
	}
	t := newTrainer(X, ys, s, LogisticOptions{Workers: 1})
	t.parallel(1, func(_, lo, hi int) { linear(t.X, make([]float64, p+1), t.eta, lo, hi) })
	b.ResetTimer()
	c0 := cputime.Used()
	for range b.N {
		t.hessPass()
	}
	if cpu := (cputime.Used() - c0).Seconds(); cpu > 0 {
		b.ReportMetric(float64(b.N)*n*p*(p+1)/cpu/1e9, "GFlop/cpu-s")
	}
}
