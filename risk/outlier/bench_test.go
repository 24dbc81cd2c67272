package outlier

import (
	"context"
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

func BenchmarkLOF50k(b *testing.B) {
	for _, w := range []struct {
		name string
		n    int
	}{{"workers=1", 1}, {"workers=all", 0}} {
		b.Run(w.name, func(b *testing.B) {
			m := benchBlobs(b, 50_000)
			for b.Loop() {
				if _, err := LOF(context.Background(), m, LOFParams{Workers: w.n}); err != nil {
					b.Fatal(err)
				}
			}
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
			for b.Loop() {
				if _, err := DBSCAN(context.Background(), m, DBSCANParams{Eps: 2, Workers: w.n}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/fit")
			b.ReportMetric(float64(m.Rows*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
