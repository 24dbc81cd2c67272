package outlier

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// cpuSeconds is the process's user+system CPU time: on a shared machine
// it shows the work done when the wall clock also shows the neighbours.
// BenchmarkOPTICS50k is the task's yardstick: 50,000 8-d points (2%
// outliers), MaxEps = +Inf, as in scikit-learn's default; scikit-learn
// 1.2.1 takes about 41 s on one thread.
func BenchmarkOPTICS50k(b *testing.B) {
	m := Blobs(50000, 8, 0.02, 1)
	for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			var total time.Duration
			c0 := cpuSeconds()
			for b.Loop() {
				t0 := time.Now()
				if _, err := OPTICS(context.Background(), m, OPTICSParams{Workers: w}); err != nil {
					b.Fatal(err)
				}
				total += time.Since(t0)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/fit")
			b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/fit")
			b.ReportMetric(float64(m.Rows)*float64(b.N)/total.Seconds(), "points/s")
		})
	}
}

// BenchmarkOPTICS50kMaxEps is the radius-query path.
func BenchmarkOPTICS50kMaxEps(b *testing.B) {
	m := Blobs(50000, 8, 0.02, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OPTICS(context.Background(), m, OPTICSParams{MaxEps: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.Rows)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
