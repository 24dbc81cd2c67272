package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/veil-data/veil/internal/cputime"
)

// BenchmarkTrainLogistic1Mx160 trains on 1M prepared rows × 160 columns,
// the size of a large risk_training set: go test -run '^$' -bench TrainLogistic -benchtime 1x ./risk/model/
// benchRows is the benchmarks' row count: 200k by default, so that make
// test's one pass of every benchmark stays light; VEIL_BENCH_MODEL_ROWS=1000000
// gives the figures the README quotes.
func benchRows() int {
	if v, err := strconv.Atoi(os.Getenv("VEIL_BENCH_MODEL_ROWS")); err == nil && v > 0 {
		return v
	}
	return 200_000
}

func BenchmarkTrainLogistic1Mx160(b *testing.B) {
	n, p := benchRows(), 160
	beta := make([]float64, p)
	for j := range beta {
		beta[j] = 0.3 * float64((j%7)-3) / 3
	}
	X, y := synthLogistic(7, n, -3, beta)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, wall0 := cputime.Used(), time.Now()
	var info FitInfo
	for range b.N {
		var err error
		_, info, err = TrainLogistic(X, y, LogisticOptions{Lambda: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	wall := time.Since(wall0).Seconds() / float64(b.N)
	cpu := (cputime.Used() - cpu0).Seconds() / float64(b.N)
	b.ReportMetric(float64(info.Iterations), "steps")
	b.ReportMetric(float64(info.Hessians), "full-hessians")
	b.ReportMetric(float64(info.SubHessians), "sub-hessians")
	b.ReportMetric(wall, "wall-s/fit")
	if cpu > 0 {
		b.ReportMetric(cpu, "cpu-s/fit")
		b.ReportMetric(float64(n)/cpu, "rows/cpu-s")
	}
}

// BenchmarkPrep1Mx160 fits and applies Prep to 1M raw rows × 160 columns
// with nulls and heavy-tailed counts: go test -run '^$' -bench Prep1M -benchtime 1x ./risk/model/
func BenchmarkPrep1Mx160(b *testing.B) {
	n, p := benchRows(), 160
	r := rand.New(rand.NewPCG(1, 2))
	names := make([]string, p)
	X := make([][]float64, p)
	for j := range X {
		names[j] = fmt.Sprintf("f%03d", j)
		X[j] = make([]float64, n)
		for i := range X[j] {
			switch {
			case j%5 == 0 && r.IntN(10) == 0:
				X[j][i] = math.NaN()
			case j%2 == 0:
				X[j][i] = math.Floor(math.Exp(r.NormFloat64() * 2)) // counts
			default:
				X[j][i] = r.NormFloat64()
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, wall0 := cputime.Used(), time.Now()
	for range b.N {
		prep, err := FitPrep(names, X, PrepOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := prep.Transform(X); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(time.Since(wall0).Seconds()/float64(b.N), "wall-s/op")
	if cpu := (cputime.Used() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
	}
}

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
