package model

import (
	"testing"
	"time"

	"github.com/veil-data/veil/internal/cputime"
)

// BenchmarkTrainLogistic1Mx160 trains on 1M prepared rows × 160 columns,
// the size of a large risk_training set: go test -run '^$' -bench TrainLogistic -benchtime 1x ./risk/model/
func BenchmarkTrainLogistic1Mx160(b *testing.B) {
	const n, p = 1_000_000, 160
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
