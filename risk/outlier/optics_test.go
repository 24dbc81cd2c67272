package outlier

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestSqDist4 checks the grouped kernel (assembly where it runs) against
// the scalar sequential sum bit for bit, and its skip mask.
func TestSqDist4(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 2, 3, 7, 8, 9, 16, 30, 33} {
		for _, groups := range []int{1, 3, 4, 5, 9} {
			q := make([]float64, d)
			grp := make([]float64, groups*4*d)
			for i := range q {
				q[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3))
			}
			for i := range grp {
				grp[i] = q[(i/4)%d] + rng.NormFloat64()*math.Pow(10, float64(rng.IntN(7)-3))
			}
			skip := make([]float64, groups*4)
			for i := range skip {
				skip[i] = []float64{0, 1, 1e6, math.Inf(1)}[rng.IntN(4)]
			}
			out, outGo := make([]float64, groups*4), make([]float64, groups*4)
			mask, maskGo := make([]uint8, groups), make([]uint8, groups)
			sqDist4(q, grp, out, skip, mask)
			sqDist4Go(q, grp, outGo, skip, maskGo)
			for s := range out {
				row := make([]float64, d)
				for j := range d {
					row[j] = grp[(s/4)*4*d+4*j+s%4]
				}
				want := rdist(q, row)
				if out[s] != want || outGo[s] != want {
					t.Fatalf("d=%d slot %d: sqDist4 %v, Go %v, sequential %v", d, s, out[s], outGo[s], want)
				}
				if bit := mask[s/4]>>(s%4)&1 == 1; bit != (want <= skip[s]) || mask[s/4] != maskGo[s/4] {
					t.Fatalf("d=%d slot %d: mask bit %v for %v <= %v", d, s, bit, want, skip[s])
				}
			}
		}
	}
	for n := range 11 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.Float64()
		}
		if n > 0 {
			x[rng.IntN(n)] = -1
		}
		if got, want := minReach(x), minGo(x); got != want {
			t.Fatalf("minReach of %d = %v, want %v", n, got, want)
		}
	}
}

// TestKthDistance checks the tree's k-th distance against a sort of all
// sequential sums, on data with duplicates.
func TestKthDistance(t *testing.T) {
	m := gridPoints(500, 3, 6)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range m.Data {
		m.Data[i] += float64(rng.IntN(3)) * 0.25
	}
	tree := buildTree(m, 7)
	for i := range m.Rows {
		all := make([]float64, m.Rows)
		for j := range all {
			all[j] = rdist(m.Row(i), m.Row(j))
		}
		sort.Float64s(all)
		for _, k := range []int{1, 2, 5, 20} {
			if got, want := tree.kthDistance(m.Row(i), k), math.Sqrt(all[k-1]); got != want {
				t.Fatalf("point %d k=%d: %v, want %v", i, k, got, want)
			}
		}
	}
}

// TestOPTICSWorkersAndPaths checks that Workers does not change anything,
// that the assembly and Go kernels agree, and that the radius path with an
// all-covering MaxEps gives what the dense path gives.
func TestOPTICSWorkersAndPaths(t *testing.T) {
	defer func(v int) { denseMinPerWorker = v }(denseMinPerWorker)
	denseMinPerWorker = 64 // split nearly every pass, down to uneven tails
	m := Blobs(3001, 8, 0.02, 21)
	ctx := context.Background()
	ref, err := OPTICS(ctx, m, OPTICSParams{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 3, 7} {
		got, err := OPTICS(ctx, m, OPTICSParams{Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ref) {
			t.Errorf("Workers=%d differs from Workers=1", w)
		}
	}
	small := Blobs(1500, 5, 0.05, 22)
	want, err := OPTICS(ctx, small, OPTICSParams{})
	if err != nil {
		t.Fatal(err)
	}
	radius, err := OPTICS(ctx, small, OPTICSParams{MaxEps: 1e300})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(radius, want) {
		t.Error("the radius path with MaxEps=1e300 differs from the dense path")
	}
	if useAVX {
		useAVX = false
		got, err := OPTICS(ctx, small, OPTICSParams{})
		useAVX = true
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Error("the Go kernel differs from the assembly")
		}
	}
}

func TestOPTICSErrors(t *testing.T) {
	m := Blobs(10, 2, 0, 1)
	nan := Matrix{Rows: 6, Cols: 1, Data: []float64{0, 1, 2, math.NaN(), 4, 5}}
	for _, c := range []struct {
		name string
		m    Matrix
		p    OPTICSParams
		want string
	}{
		{"min_samples above n", m, OPTICSParams{MinSamples: 11}, "min_samples must be no greater than the number of samples (10)"},
		{"min_samples 1", m, OPTICSParams{MinSamples: 1}, "min_samples must be >= 2"},
		{"min_cluster_size above n", m, OPTICSParams{MinClusterSize: 11}, "min_cluster_size"},
		{"negative max_eps", m, OPTICSParams{MaxEps: -1}, "max_eps"},
		{"xi above 1", m, OPTICSParams{Xi: 1.5}, "xi"},
		{"NaN", nan, OPTICSParams{MinSamples: 2}, "NaN"},
		{"empty", Matrix{}, OPTICSParams{}, "matrix"},
		{"two at once", m, OPTICSParams{MinSamples: 1, Xi: -1}, "xi"},
	} {
		_, err := OPTICS(context.Background(), c.m, c.p)
		if err == nil || !errors.Is(err, errOPTICSParams) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

func TestOPTICSCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, maxEps := range []float64{0, 1} {
		_, err := OPTICS(ctx, Blobs(2000, 3, 0, 1), OPTICSParams{MaxEps: maxEps})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("MaxEps=%v: error %v, want context.Canceled", maxEps, err)
		}
	}
}

// TestClusterOpticsDBSCAN runs cluster_optics_dbscan's rules on a plot
// worked by hand: a far reach starts a cluster only at a core point.
func TestClusterOpticsDBSCAN(t *testing.T) {
	inf := math.Inf(1)
	reach := []float64{inf, 0.5, 0.6, 3, 0.4, 5, 0.2}
	core := []float64{0.5, 0.5, 2, 0.3, 0.4, 9, 0.1}
	ordering := []int{0, 1, 2, 3, 4, 5, 6}
	got := ClusterOpticsDBSCAN(reach, core, ordering, 1)
	if want := []int{0, 0, 0, 1, 1, -1, 1}; !slices.Equal(got, want) {
		t.Errorf("labels %v, want %v", got, want)
	}
}
