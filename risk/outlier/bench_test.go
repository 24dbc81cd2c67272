package outlier

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// The speed goal, one thread, 50k 8-d points of Blobs (2 %
// uniform outliers): LOF(20) <= 1.5 s, DBSCAN(eps=2, min_samples=5) <= 3 s;
// scikit-learn 1.2.1 takes 3.0 s and 13 s on them. The workers=all
// variants show the parallel speed-up.
//
//	go test ./risk/outlier -run '^$' -bench 50k -benchtime 3x

func benchBlobs(b *testing.B, n int) Matrix {
	b.Helper()
	m := Blobs(n, 8, 0.02, 1)
	b.ResetTimer()
	return m
}

// cpuSeconds is the process's user+system CPU time. On a shared machine
// wall time swings with the neighbours' load; CPU time per fit with one
// worker is the one-thread cost.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func BenchmarkLOF50k(b *testing.B) {
	for _, w := range []struct {
		name string
		n    int
	}{{"workers=1", 1}, {"workers=all", 0}} {
		b.Run(w.name, func(b *testing.B) {
			m := benchBlobs(b, 50_000)
			cpu := cpuSeconds()
			for b.Loop() {
				if _, err := LOF(context.Background(), m, LOFParams{Workers: w.n}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/fit")
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/fit")
			b.ReportMetric(float64(m.Rows*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

func BenchmarkDBSCAN50k(b *testing.B) {
	for _, w := range []struct {
		name string
		n    int
	}{{"workers=1", 1}, {"workers=all", 0}} {
		b.Run(w.name, func(b *testing.B) {
			m := benchBlobs(b, 50_000)
			cpu := cpuSeconds()
			for b.Loop() {
				if _, err := DBSCAN(context.Background(), m, DBSCANParams{Eps: 2, Workers: w.n}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/fit")
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/fit")
			b.ReportMetric(float64(m.Rows*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// The 1M-point runs take tens of seconds, so they run only when asked:
//
//	VEIL_BENCH_1M=1 go test ./risk/outlier -run '^$' -bench 1M -benchtime 1x
func BenchmarkLOF1M(b *testing.B) {
	m := bench1M(b)
	for b.Loop() {
		if _, err := LOF(context.Background(), m, LOFParams{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/fit")
}

func BenchmarkDBSCAN1M(b *testing.B) {
	m := bench1M(b)
	for b.Loop() {
		if _, err := DBSCAN(context.Background(), m, DBSCANParams{Eps: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/fit")
}

func bench1M(b *testing.B) Matrix {
	b.Helper()
	if os.Getenv("VEIL_BENCH_1M") == "" {
		b.Skip("set VEIL_BENCH_1M=1 to run the 1M-point benchmark")
	}
	b.ReportAllocs()
	return benchBlobs(b, 1_000_000)
}
