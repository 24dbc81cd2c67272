package outlier

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/veil-data/veil/internal/sklearnref"
)

// refOut is what testdata/sklearn_ref.py prints.
type refOut struct {
	Tree *struct {
		Idx   []int    `json:"idx"`
		Nodes [][3]int `json:"nodes"`
	} `json:"tree"`
	KNN *struct {
		Dist []float64 `json:"dist"`
		Ind  []int     `json:"ind"`
	} `json:"knn"`
	Radius [][]int `json:"radius"`
	LOF    []struct {
		NOF        []float64 `json:"nof"`
		Offset     float64   `json:"offset"`
		Outlier    []bool    `json:"outlier"`
		NNeighbors int       `json:"n_neighbors"`
	} `json:"lof"`
	DBSCAN []struct {
		Labels []int  `json:"labels"`
		Core   []bool `json:"core"`
	} `json:"dbscan"`
	Scale []float64 `json:"scale"`
}

// sklearnRefs runs the reference script once over all requests. Each
// request carries its matrix; encoding/json writes float64 in the shortest
// form that parses back to the same bits, so python sees exactly the data.
func sklearnRefs(t *testing.T, py string, reqs []map[string]any) []*refOut {
	t.Helper()
	in, err := json.Marshal(map[string]any{"cases": reqs})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/sklearn_ref.py")
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sklearn_ref.py: %v", err)
	}
	var r struct{ Cases []*refOut }
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("sklearn_ref.py output: %v", err)
	}
	if len(r.Cases) != len(reqs) {
		t.Fatalf("sklearn_ref.py answered %d cases, asked %d", len(r.Cases), len(reqs))
	}
	return r.Cases
}

// relDiff is |a-b|/max(|a|,|b|): 0 when both are equal (infinities
// too), +Inf when only one is infinite or either is NaN.
func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsNaN(b) {
		return math.Inf(1)
	}
	return math.Abs(a-b) / max(math.Abs(a), math.Abs(b))
}

// worstRel is the largest relative difference measured by any test, logged
// by TestMain-less tests through t.Log so -v shows it.
func checkClose(t *testing.T, what string, got, want []float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, sklearn %d", what, len(got), len(want))
	}
	worst, at := 0.0, -1
	for i := range got {
		if d := relDiff(got[i], want[i]); d > worst {
			worst, at = d, i
		}
	}
	if worst > tol {
		t.Errorf("%s: worst relative difference %.3g at %d (got %v, sklearn %v)", what, worst, at, got[at], want[at])
	}
	return worst
}

// lattice is an integer grid in d dimensions of side s, each grid point
// repeated 1 to maxRep times, shuffled: the tie-heaviest data there is.
func lattice(d, s, maxRep int, seed uint64) Matrix {
	r := rand.New(rand.NewPCG(seed, 7))
	var data []float64
	total := 1
	for range d {
		total *= s
	}
	for c := range total {
		reps := 1 + r.IntN(maxRep)
		for range reps {
			x := c
			for range d {
				data = append(data, float64(x%s))
				x /= s
			}
		}
	}
	n := len(data) / d
	m := Matrix{Rows: n, Cols: d, Data: data}
	r.Shuffle(n, func(a, b int) {
		ra, rb := m.Row(a), m.Row(b)
		for j := range ra {
			ra[j], rb[j] = rb[j], ra[j]
		}
	})
	return m
}

type refCase struct {
	name string
	m    Matrix
	eps  float64 // DBSCAN eps
	ms   int     // DBSCAN min_samples
}

func refCases() []refCase {
	gauss1d := Blobs(500, 1, 0.05, 3)
	for i := range 100 { // duplicates in 1-d
		gauss1d.Data[i+100] = gauss1d.Data[i]
	}
	n := 10000
	if testing.Short() || raceBuild {
		n = 3000
	}
	constCol := Blobs(300, 3, 0.1, 8)
	for i := range constCol.Rows {
		constCol.Data[i*3+1] = 3.7 // a constant column: StandardScaler only centres it
	}
	return []refCase{
		{"blobs8d", Blobs(n, 8, 0.02, 1), 1.5, 5},
		{"lattice2d", lattice(2, 12, 6, 1), 1, 5},
		{"lattice2d_diag", lattice(2, 10, 3, 2), math.Sqrt2, 7},
		{"lattice3d_dups", lattice(3, 6, 30, 3), 1, 12},
		{"line1d", lattice(1, 40, 5, 4), 2, 6},
		{"gauss1d", gauss1d, 0.05, 5},
		{"blobs30d", Blobs(800, 30, 0.02, 5), 7, 5},
		{"n7", Blobs(7, 3, 0, 6), 9, 2},
		{"const_column", constCol, 1.2, 4},
		{"n2", Blobs(2, 2, 0, 7), 1, 1},
	}
}

// Reference requests, one python run per case (importing sklearn costs
// most of a second), kept for all the tests of the package run.
var refCache = map[string]*refOut{}

const refLeaf, refK = 5, 8

func lofCases(m Matrix) ([]LOFParams, []map[string]any) {
	params := []LOFParams{{}, {NNeighbors: 5, Contamination: 0.1}, {NNeighbors: 35, Contamination: 0.02}}
	algo := []string{"kd_tree", "kd_tree", "kd_tree"}
	// 'auto' picks kd_tree only when d <= 15 and k < n/2.
	if m.Cols <= 15 && 20 < m.Rows/2 {
		params = append(params, LOFParams{Contamination: 0.05})
		algo = append(algo, "auto")
	}
	var req []map[string]any
	for i, p := range params {
		nn := p.NNeighbors
		if nn == 0 {
			nn = 20
		}
		req = append(req, map[string]any{"n_neighbors": nn, "contamination": p.Contamination, "algorithm": algo[i]})
	}
	return params, req
}

func dbscanCases(c refCase) ([]DBSCANParams, []map[string]any) {
	params := []DBSCANParams{{Eps: c.eps, MinSamples: c.ms}, {Eps: c.eps}, {Eps: 2 * c.eps, MinSamples: 3 * c.ms}}
	algo := []string{"kd_tree", "kd_tree", "kd_tree"}
	// DBSCAN's NearestNeighbors keeps n_neighbors=5: 'auto' is kd_tree
	// when d <= 15 and 5 < n//2.
	if c.m.Cols <= 15 && 5 < c.m.Rows/2 {
		params = append(params, DBSCANParams{Eps: c.eps, MinSamples: c.ms})
		algo = append(algo, "auto")
	}
	var req []map[string]any
	for i, p := range params {
		ms := p.MinSamples
		if ms == 0 {
			ms = 5
		}
		req = append(req, map[string]any{"eps": p.Eps, "min_samples": ms, "algorithm": algo[i]})
	}
	return params, req
}

// refFor returns sklearn's results for case c, asking python for all the
// cases the first time.
func refFor(t *testing.T, c refCase) *refOut {
	t.Helper()
	if r, ok := refCache[c.name]; ok {
		return r
	}
	py := sklearnref.Python(t)
	cases := refCases()
	var reqs []map[string]any
	for _, c := range cases {
		_, lreq := lofCases(c.m)
		_, dreq := dbscanCases(c)
		reqs = append(reqs, map[string]any{
			"rows": c.m.Rows, "cols": c.m.Cols, "X": c.m.Data,
			"tree": refLeaf, "knn": map[string]int{"k": min(refK, c.m.Rows), "leaf_size": refLeaf},
			"radius": map[string]any{"r": c.eps, "leaf_size": refLeaf, "points": min(200, c.m.Rows)},
			"lof":    lreq, "dbscan": dreq, "scale": true,
		})
	}
	for i, r := range sklearnRefs(t, py, reqs) {
		refCache[cases[i].name] = r
	}
	r, ok := refCache[c.name]
	if !ok {
		t.Fatalf("no reference for %s", c.name)
	}
	return r
}

func TestTreeAndKNNMatchSklearn(t *testing.T) {
	for _, c := range refCases() {
		t.Run(c.name, func(t *testing.T) {
			ref := refFor(t, c)
			leaf, k := refLeaf, min(refK, c.m.Rows)
			tr := buildTree(c.m, leaf)
			if len(tr.idx) != len(ref.Tree.Idx) || len(ref.Tree.Nodes) != tr.nNodes {
				t.Fatalf("tree shape: %d points %d nodes, sklearn %d points %d nodes", len(tr.idx), tr.nNodes, len(ref.Tree.Idx), len(ref.Tree.Nodes))
			}
			for i := range tr.idx {
				if tr.idx[i] != ref.Tree.Idx[i] {
					t.Fatalf("idx_array differs first at %d: %d, sklearn %d", i, tr.idx[i], ref.Tree.Idx[i])
				}
			}
			for i, nd := range ref.Tree.Nodes {
				if nd[2] == 0 && (int(tr.start[i]) != nd[0] || int(tr.end[i]) != nd[1] || tr.leaf[i]) {
					t.Fatalf("node %d: %d..%d leaf %v, sklearn %v", i, tr.start[i], tr.end[i], tr.leaf[i], nd)
				}
			}
			h := newKNNHeap(k)
			dist, ind := make([]float64, k), make([]int, k)
			for q := range c.m.Rows {
				tr.query(c.m.Row(q), h, dist, ind)
				for j := range k {
					if ind[j] != ref.KNN.Ind[q*k+j] || dist[j] != ref.KNN.Dist[q*k+j] {
						t.Fatalf("point %d neighbour %d: %d at %v, sklearn %d at %v", q, j, ind[j], dist[j], ref.KNN.Ind[q*k+j], ref.KNN.Dist[q*k+j])
					}
				}
				if kd := tr.kthDistance(c.m.Row(q), k); kd != ref.KNN.Dist[q*k+k-1] {
					t.Fatalf("point %d: kthDistance %v, sklearn %v", q, kd, ref.KNN.Dist[q*k+k-1])
				}
			}
			all, err := tr.kthDistances(context.Background(), k, 3)
			if err != nil {
				t.Fatal(err)
			}
			for q := range c.m.Rows {
				if all[q] != ref.KNN.Dist[q*k+k-1] {
					t.Fatalf("point %d: kthDistances %v, sklearn %v", q, all[q], ref.KNN.Dist[q*k+k-1])
				}
			}
			for q, want := range ref.Radius {
				if got := tr.radiusIndices(c.m.Row(q), c.eps, nil); !slices.Equal(got, want) {
					t.Fatalf("point %d: radius neighbours %v, sklearn %v", q, got, want)
				}
			}
		})
	}
}

func TestLOFMatchesSklearn(t *testing.T) {
	worst := 0.0
	for _, c := range refCases() {
		t.Run(c.name, func(t *testing.T) {
			ref := refFor(t, c)
			params, _ := lofCases(c.m)
			for i, p := range params {
				for _, w := range []int{1, 3} {
					p.Workers = w
					got, err := LOF(context.Background(), c.m, p)
					if err != nil {
						t.Fatal(err)
					}
					want := ref.LOF[i]
					if got.NNeighbors != want.NNeighbors {
						t.Errorf("case %d: n_neighbors_ %d, sklearn %d", i, got.NNeighbors, want.NNeighbors)
					}
					worst = max(worst, checkClose(t, "negative_outlier_factor_", got.NegativeOutlierFactor, want.NOF, 1e-12))
					worst = max(worst, checkClose(t, "offset_", []float64{got.Offset}, []float64{want.Offset}, 1e-12))
					flagged := 0
					for j := range got.Outlier {
						if got.Outlier[j] != want.Outlier[j] {
							t.Errorf("case %d: point %d outlier %v, sklearn %v", i, j, got.Outlier[j], want.Outlier[j])
							break
						}
						if got.Outlier[j] {
							flagged++
						}
					}
					if w == 1 {
						t.Logf("n=%d d=%d n_neighbors_=%d contamination=%g (0: auto): %d outliers, offset %.6g, as sklearn",
							c.m.Rows, c.m.Cols, got.NNeighbors, p.Contamination, flagged, got.Offset)
					}
				}
			}
		})
	}
	t.Logf("LOF worst relative difference to sklearn: %.3g", worst)
}

func TestDBSCANMatchesSklearn(t *testing.T) {
	for _, c := range refCases() {
		t.Run(c.name, func(t *testing.T) {
			ref := refFor(t, c)
			params, _ := dbscanCases(c)
			for i, p := range params {
				for _, w := range []int{1, 3} {
					p.Workers = w
					got, err := DBSCAN(context.Background(), c.m, p)
					if err != nil {
						t.Fatal(err)
					}
					want := ref.DBSCAN[i]
					nc := 0
					for j := range got.Labels {
						if got.Core[j] != want.Core[j] {
							t.Fatalf("case %d: point %d core %v, sklearn %v", i, j, got.Core[j], want.Core[j])
						}
						if got.Labels[j] != want.Labels[j] {
							t.Fatalf("case %d: point %d label %d, sklearn %d", i, j, got.Labels[j], want.Labels[j])
						}
						nc = max(nc, want.Labels[j]+1)
					}
					if got.NClusters != nc {
						t.Errorf("case %d: %d clusters, sklearn %d", i, got.NClusters, nc)
					}
					if w == 1 {
						t.Logf("n=%d d=%d eps=%g min_samples=%d: %d clusters, labels and core flags as sklearn",
							c.m.Rows, c.m.Cols, p.Eps, cmp.Or(p.MinSamples, 5), nc)
					}
				}
			}
		})
	}
}

func TestStandardizeMatchesSklearn(t *testing.T) {
	worst := 0.0
	for _, c := range refCases() {
		t.Run(c.name, func(t *testing.T) {
			ref := refFor(t, c)
			worst = max(worst, checkClose(t, "StandardScaler", Standardize(c.m).Data, ref.Scale, 1e-12))
		})
	}
	t.Logf("Standardize worst relative difference to sklearn: %.3g", worst)
}
