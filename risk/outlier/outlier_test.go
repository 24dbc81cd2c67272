package outlier

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

// Results must not depend on Workers: every chunk writes its own points
// and DBSCAN's union-find roots are the lowest index whatever the order.
func TestWorkersDoNotChangeResults(t *testing.T) {
	n := 6000
	if testing.Short() || raceBuild {
		n = 1500
	}
	for _, m := range []Matrix{Blobs(n, 8, 0.02, 11), lattice(3, 9, 8, 12)} {
		var lofs []*LOFResult
		var dbs []*DBSCANResult
		for _, w := range []int{1, 2, 7} {
			l, err := LOF(context.Background(), m, LOFParams{Contamination: 0.05, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			d, err := DBSCAN(context.Background(), m, DBSCANParams{Eps: 1.5, MinSamples: 6, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			lofs, dbs = append(lofs, l), append(dbs, d)
		}
		for i := 1; i < len(lofs); i++ {
			if !slices.Equal(lofs[i].NegativeOutlierFactor, lofs[0].NegativeOutlierFactor) || lofs[i].Offset != lofs[0].Offset {
				t.Errorf("LOF differs between worker counts")
			}
			if !slices.Equal(dbs[i].Labels, dbs[0].Labels) || !slices.Equal(dbs[i].Core, dbs[0].Core) {
				t.Errorf("DBSCAN differs between worker counts")
			}
		}
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := Blobs(3000, 4, 0, 1)
	if _, err := LOF(ctx, m, LOFParams{}); !errors.Is(err, context.Canceled) {
		t.Errorf("LOF: %v, want context.Canceled", err)
	}
	if _, err := DBSCAN(ctx, m, DBSCANParams{Eps: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("DBSCAN: %v, want context.Canceled", err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	good := Blobs(50, 2, 0, 1)
	nan := Blobs(50, 2, 0, 1)
	nan.Data[17] = math.NaN()
	for name, err := range map[string]error{
		"lof nan":           errOf(LOF(ctx, nan, LOFParams{})),
		"lof one point":     errOf(LOF(ctx, Matrix{Rows: 1, Cols: 2, Data: []float64{1, 2}}, LOFParams{})),
		"lof contamination": errOf(LOF(ctx, good, LOFParams{Contamination: 0.7})),
		"dbscan eps 0":      errOf(DBSCAN(ctx, good, DBSCANParams{})),
		"dbscan short data": errOf(DBSCAN(ctx, Matrix{Rows: 3, Cols: 2, Data: []float64{1}}, DBSCANParams{Eps: 1})),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// The error names where, never the value.
	if err := errOf(LOF(ctx, nan, LOFParams{})); err.Error() != "outlier: row 8 column 1 is not finite" {
		t.Errorf("nan error: %v", err)
	}
}

func errOf[T any](_ T, err error) error { return err }

func TestBlobsDeterministic(t *testing.T) {
	a, b := Blobs(1000, 8, 0.02, 42), Blobs(1000, 8, 0.02, 42)
	if !slices.Equal(a.Data, b.Data) {
		t.Fatal("same seed, different data")
	}
	if c := Blobs(1000, 8, 0.02, 43); slices.Equal(a.Data, c.Data) {
		t.Fatal("different seeds, same data")
	}
}

func TestNthElementPartitions(t *testing.T) {
	// Against a plain sort: nth in place, smaller left, larger right; with
	// heavy ties and sizes that reach the heap-select fallback.
	for n := 1; n < 300; n += 7 {
		data := make([]float64, n)
		for i := range data {
			data[i] = float64((i * 7919) % 5)
		}
		c := idxLess{data: data, d: 1}
		for _, nth := range []int{0, n / 2, n - 1} {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			nthElement(s, nth, c)
			want := slices.Clone(s)
			slices.SortFunc(want, func(a, b int) int {
				if c.less(a, b) {
					return -1
				}
				return 1
			})
			if s[nth] != want[nth] {
				t.Fatalf("n=%d nth=%d: %d, want %d", n, nth, s[nth], want[nth])
			}
			for i := range nth {
				if !c.less(s[i], s[nth]) {
					t.Fatalf("n=%d nth=%d: left side not smaller", n, nth)
				}
			}
		}
	}
}
