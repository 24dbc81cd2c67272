package outlier

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// naiveOPTICSGraph is compute_optics_graph written as plainly as the
// Python: sorted brute-force distances for the core, a scan over all
// points for the next one, every neighbour within maxEps offered.
func naiveOPTICSGraph(m Matrix, minSamples int, maxEps float64) (ordering []int, reach, core []float64, pred []int) {
	n := m.Rows
	core = make([]float64, n)
	for i := range n {
		ds := make([]float64, n)
		for j := range n {
			ds[j] = rdist(m.Row(i), m.Row(j))
		}
		slices.Sort(ds)
		c := math.Sqrt(ds[minSamples-1])
		if c > maxEps {
			c = math.Inf(1)
		}
		core[i] = round15(c)
	}
	reach, pred = make([]float64, n), make([]int, n)
	for i := range n {
		reach[i], pred[i] = math.Inf(1), -1
	}
	processed := make([]bool, n)
	for range n {
		p := -1
		for i := range n {
			if !processed[i] && (p < 0 || reach[i] < reach[p]) {
				p = i
			}
		}
		processed[p] = true
		ordering = append(ordering, p)
		if math.IsInf(core[p], 1) {
			continue
		}
		for q := range n {
			d2 := rdist(m.Row(p), m.Row(q))
			if processed[q] || !(d2 <= maxEps*maxEps) {
				continue
			}
			if rd := round15(max(math.Sqrt(d2), core[p])); rd < reach[q] {
				reach[q], pred[q] = rd, p
			}
		}
	}
	return ordering, reach, core, pred
}

// TestOPTICSAgainstNaive compares both main loops with the plain one on
// many small inputs full of ties: points on a coarse lattice, some
// repeated, with random MinSamples and MaxEps.
func TestOPTICSAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	defer func(v int) { denseMinPerWorker = v }(denseMinPerWorker)
	denseMinPerWorker = 4
	for it := range 300 {
		n, d := 2+rng.IntN(60), 1+rng.IntN(4)
		m := Matrix{Rows: n, Cols: d, Data: make([]float64, n*d)}
		scale := []float64{1, 0.1, 3.7}[rng.IntN(3)]
		for i := range m.Data {
			m.Data[i] = float64(rng.IntN(5)) * scale
		}
		for i := 1; i < n; i++ {
			if rng.IntN(5) == 0 {
				copy(m.Row(i), m.Row(rng.IntN(i)))
			}
		}
		p := OPTICSParams{MinSamples: 2 + rng.IntN(min(n-1, 6)), Workers: 1 + rng.IntN(3)}
		if p.MinSamples > n {
			p.MinSamples = n
		}
		maxEps := math.Inf(1)
		if rng.IntN(2) == 0 {
			p.MaxEps = scale * float64(1+rng.IntN(4))
			maxEps = p.MaxEps
		}
		got, err := OPTICS(context.Background(), m, p)
		if err != nil {
			t.Fatalf("case %d: %v", it, err)
		}
		o, r, c, pr := naiveOPTICSGraph(m, p.MinSamples, maxEps)
		if !slices.Equal(got.Ordering, o) || !slices.Equal(got.Predecessor, pr) ||
			!reflect.DeepEqual(got.Reachability, r) || !reflect.DeepEqual(got.CoreDistances, c) {
			t.Fatalf("case %d (n=%d d=%d %+v): differs from the plain loop\ngot  %v\nwant %v", it, n, d, p, got.Ordering, o)
		}
	}
}
