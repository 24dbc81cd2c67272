package outlier

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/veil-data/veil/internal/sklearnref"
)

// opticsCase is one comparison with scikit-learn: the data, OPTICS's
// parameters and the eps values for cluster_optics_dbscan.
type opticsCase struct {
	name string
	m    Matrix
	p    OPTICSParams
	eps  []float64
	// algorithm is what scikit-learn is told; "" means kd_tree, which is
	// exact (see the OPTICS comment on 'auto').
	algorithm string
}

type opticsRefIn struct {
	X                     [][]float64 `json:"X"`
	MinSamples            int         `json:"min_samples"`
	MaxEps                *float64    `json:"max_eps"`
	Xi                    float64     `json:"xi"`
	MinClusterSize        *int        `json:"min_cluster_size"`
	PredecessorCorrection bool        `json:"predecessor_correction"`
	Algorithm             string      `json:"algorithm"`
	DBSCANEps             []float64   `json:"dbscan_eps"`
}

type opticsRefOut struct {
	Error         string   `json:"error"`
	Ordering      []int    `json:"ordering"`
	Reachability  []string `json:"reachability"`
	CoreDistances []string `json:"core_distances"`
	Predecessor   []int    `json:"predecessor"`
	Labels        []int    `json:"labels"`
	Hierarchy     [][2]int `json:"hierarchy"`
	DBSCAN        [][]int  `json:"dbscan"`
}

// sklearnOPTICS runs testdata/optics_ref.py once for all cases.
func sklearnOPTICS(t *testing.T, py string, cases []opticsCase) []opticsRefOut {
	t.Helper()
	var in struct {
		Cases []opticsRefIn `json:"cases"`
	}
	for _, c := range cases {
		r := opticsRefIn{
			MinSamples: c.p.MinSamples, Xi: c.p.Xi, Algorithm: c.algorithm,
			PredecessorCorrection: !c.p.NoPredecessorCorrection, DBSCANEps: c.eps,
		}
		if r.MinSamples == 0 {
			r.MinSamples = 5
		}
		if r.Xi == 0 {
			r.Xi = 0.05
		}
		if r.Algorithm == "" {
			r.Algorithm = "kd_tree"
		}
		if c.p.MaxEps != 0 {
			r.MaxEps = &c.p.MaxEps
		}
		if c.p.MinClusterSize != 0 {
			r.MinClusterSize = &c.p.MinClusterSize
		}
		for i := range c.m.Rows {
			r.X = append(r.X, c.m.Row(i))
		}
		in.Cases = append(in.Cases, r)
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/optics_ref.py")
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("optics_ref.py: %v\n%s", err, stderr.String())
	}
	var res struct {
		Results []opticsRefOut `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("optics_ref.py output: %v", err)
	}
	if len(res.Results) != len(cases) {
		t.Fatalf("optics_ref.py gave %d results for %d cases", len(res.Results), len(cases))
	}
	return res.Results
}

// compareFloats checks got against scikit-learn's repr strings within
// 1e-12 relative and returns the worst relative difference.
func compareFloats(t *testing.T, what string, got []float64, want []string) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, scikit-learn has %d", what, len(got), len(want))
	}
	worst := 0.0
	for i, w := range want {
		wv, err := strconv.ParseFloat(w, 64)
		if err != nil {
			t.Fatalf("%s[%d]: %v", what, i, err)
		}
		d := relDiff(got[i], wv)
		if d > 1e-12 {
			t.Errorf("%s[%d] = %v, scikit-learn %v", what, i, got[i], wv)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

func firstDiff[T comparable](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func checkInts[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if i := firstDiff(got, want); i >= 0 {
		t.Errorf("%s differs from scikit-learn first at %d (len %d vs %d)", what, i, len(got), len(want))
	}
}

// lattice is n points on an integer grid of side side in d dimensions,
// with every fourth point repeated: exact distance ties and duplicates.
func gridPoints(n, d, side int) Matrix {
	m := Matrix{Rows: n, Cols: d, Data: make([]float64, n*d)}
	for i := range n {
		c := i
		if i%4 == 3 {
			c = i - 1
		}
		for j := range d {
			m.Data[i*d+j] = float64(c % side)
			c /= side
		}
	}
	return m
}

func TestOPTICSMatchesSklearn(t *testing.T) {
	py := sklearnref.Python(t)
	// scikit-learn's loop is O(n^2) in numpy: 10k points take it 6-13 s,
	// so -short and -race take 3k; make test's race-free pass runs 10k.
	nBlobs := 10000
	if raceBuild || testing.Short() {
		nBlobs = 3000
	}
	blobs := Blobs(nBlobs, 8, 0.02, 7)
	cases := []opticsCase{
		{name: "blobs8", m: blobs, eps: []float64{0.5, 1, 2}},
		{name: "blobs8-ms10-mcs30-xi0.1", m: Blobs(2000, 8, 0.02, 8),
			p: OPTICSParams{MinSamples: 10, MinClusterSize: 30, Xi: 0.1}},
		{name: "blobs8-nocorrection", m: Blobs(2000, 8, 0.02, 9),
			p: OPTICSParams{NoPredecessorCorrection: true}},
		{name: "blobs8-maxeps", m: Blobs(3000, 8, 0.02, 10),
			p: OPTICSParams{MaxEps: 1.5}, eps: []float64{0.8, 1.5}},
		{name: "lattice2-ties", m: gridPoints(600, 2, 20), eps: []float64{1, 1.5}},
		{name: "lattice3-ties-maxeps", m: gridPoints(800, 3, 10), p: OPTICSParams{MaxEps: 2, MinSamples: 7}},
		{name: "1d", m: Blobs(1500, 1, 0.02, 11), eps: []float64{0.05}},
		{name: "1d-xi0.5-mcs50", m: Blobs(1500, 1, 0.02, 16), p: OPTICSParams{Xi: 0.5, MinClusterSize: 50}},
		{name: "2d-xi0.01-ms3", m: Blobs(1500, 2, 0.05, 17), p: OPTICSParams{Xi: 0.01, MinSamples: 3}},
		{name: "30d-kdtree", m: Blobs(1000, 30, 0.02, 12)},
		{name: "n-equals-min-samples", m: Blobs(5, 3, 0, 13)},
		{name: "n-below-min-samples", m: Blobs(3, 3, 0, 14)},
		{name: "all-duplicates", m: gridPoints(12, 2, 1), p: OPTICSParams{MinSamples: 3}},
		// scikit-learn's default algorithm='auto' switches to brute force
		// when d > 15 or MinSamples >= n/2, and its GEMM-based core
		// distances are inexact: only closeness is required there, and
		// whether the integer outputs still agree is logged.
		{name: "30d-auto", m: Blobs(150, 30, 0.02, 12), algorithm: "auto"},
		{name: "n8-auto", m: Blobs(8, 3, 0, 15), algorithm: "auto"},
	}
	refs := sklearnOPTICS(t, py, cases)
	worst := 0.0
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref := refs[i]
			got, err := OPTICS(context.Background(), c.m, c.p)
			if ref.Error != "" {
				if err == nil {
					t.Fatalf("scikit-learn refuses (%s), veil does not", ref.Error)
				}
				if !strings.Contains(err.Error(), "no greater than the number of samples") {
					t.Errorf("error %q does not say what scikit-learn says (%s)", err, ref.Error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.algorithm == "auto" {
				w := 0.0
				for k, v := range ref.CoreDistances {
					wv, _ := strconv.ParseFloat(v, 64)
					w = max(w, relDiff(got.CoreDistances[k], wv))
				}
				if w > 1e-6 {
					t.Errorf("core distances differ by %.3g relative", w)
				}
				t.Logf("core distances within %.3g relative of brute force; ordering same: %v, labels same: %v",
					w, slices.Equal(got.Ordering, ref.Ordering), slices.Equal(got.Labels, ref.Labels))
				return
			}
			checkInts(t, "ordering", got.Ordering, ref.Ordering)
			checkInts(t, "predecessor", got.Predecessor, ref.Predecessor)
			checkInts(t, "labels", got.Labels, ref.Labels)
			if len(ref.Hierarchy) == 0 {
				ref.Hierarchy = nil
			}
			checkInts(t, "hierarchy", got.ClusterHierarchy, ref.Hierarchy)
			w := max(compareFloats(t, "reachability", got.Reachability, ref.Reachability),
				compareFloats(t, "core", got.CoreDistances, ref.CoreDistances))
			worst = max(worst, w)
			for k, eps := range c.eps {
				lab := ClusterOpticsDBSCAN(got.Reachability, got.CoreDistances, got.Ordering, eps)
				checkInts(t, "cluster_optics_dbscan", lab, ref.DBSCAN[k])
			}
			t.Logf("n=%d d=%d: %d clusters, worst relative float difference %.3g",
				c.m.Rows, c.m.Cols, len(got.ClusterHierarchy), w)
		})
	}
	t.Logf("worst relative float difference over all cases: %.3g", worst)
}

// TestRound15MatchesNumpy checks round15 against np.around(x, 15) over
// many magnitudes, halfway cases included.
func TestRound15MatchesNumpy(t *testing.T) {
	py := sklearnref.Python(t)
	rng := rand.New(rand.NewPCG(8, 9))
	xs := []float64{0, 0.5e-15, 1.5e-15, 2.5e-15, 1e-16, 0.1, 1, 9, 9.007199254740993, 1e300, math.MaxFloat64}
	for range 20000 {
		xs = append(xs, rng.Float64()*math.Pow(10, float64(rng.IntN(40)-20)))
	}
	in := make([]string, len(xs))
	for i, x := range xs {
		in[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	cmd := exec.Command(py, "-c", `import sys, numpy as np
x = np.array([float(v) for v in sys.stdin.read().split()])
print(" ".join(repr(float(v)) for v in np.around(x, decimals=15)))`)
	cmd.Stdin = strings.NewReader(strings.Join(in, " "))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(out))
	if len(want) != len(xs) {
		t.Fatalf("numpy gave %d values for %d", len(want), len(xs))
	}
	for i, x := range xs {
		w, err := strconv.ParseFloat(want[i], 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := round15(x); got != w {
			t.Fatalf("round15(%v) = %v, numpy %v", x, got, w)
		}
	}
}
