package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// rawColumns builds raw columns of the kinds risk_training has: a normal
// value with nulls, a heavy-tailed count, a constant, an all-null column, a
// 0/1 flag and a count that is never null.
func rawColumns(seed uint64, n int) ([]string, [][]float64) {
	r := rand.New(rand.NewPCG(seed, 9))
	names := []string{"amount_z", "logins_24h", "const", "never", "flag", "orders_7d"}
	X := make([][]float64, len(names))
	for j := range X {
		X[j] = make([]float64, n)
	}
	for i := range n {
		X[0][i] = r.NormFloat64()*2 + 5
		if r.IntN(5) == 0 {
			X[0][i] = math.NaN()
		}
		X[1][i] = math.Floor(math.Exp(r.NormFloat64() * 1.5)) // log-normal count
		if r.IntN(10) == 0 {
			X[1][i] = math.NaN()
		}
		X[2][i] = 7
		X[3][i] = math.NaN()
		X[4][i] = float64(r.IntN(20) / 19)
		X[5][i] = float64(r.IntN(4))
	}
	return names, X
}

func TestPrepFit(t *testing.T) {
	names, X := rawColumns(1, 5000)
	p, err := FitPrep(names, X, PrepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]PrepColumn{}
	for _, c := range p.Columns {
		got[c.Name] = c
	}
	want := []string{"amount_z", "amount_z_missing", "logins_24h", "logins_24h_missing", "flag", "orders_7d"}
	if len(p.Columns) != len(want) {
		t.Fatalf("columns %v, want %v", p.Names(), want)
	}
	for k, nm := range want {
		if p.Columns[k].Name != nm {
			t.Errorf("column %d is %q, want %q", k, p.Columns[k].Name, nm)
		}
	}
	if !got["logins_24h"].Log || got["amount_z"].Log || got["flag"].Log || got["orders_7d"].Log {
		t.Errorf("log1p chosen wrongly: %+v", p.Columns)
	}
	if d := p.Dropped; len(d) != 2 || d[0] != (DroppedColumn{"const", "constant"}) || d[1] != (DroppedColumn{"never", "all null"}) {
		t.Errorf("dropped %+v", d)
	}
	if f := got["amount_z"].Fill; math.Abs(f-5) > 0.1 {
		t.Errorf("median fill %v, want about 5", f)
	}
	Z, err := p.Transform(X)
	if err != nil {
		t.Fatal(err)
	}
	for k, col := range Z {
		var s, ss float64
		for _, v := range col {
			if math.IsNaN(v) {
				t.Fatalf("column %s has a NaN", p.Columns[k].Name)
			}
			s += v
		}
		mu := s / float64(len(col))
		for _, v := range col {
			ss += (v - mu) * (v - mu)
		}
		if math.Abs(mu) > 1e-9 || math.Abs(ss/float64(len(col))-1) > 1e-9 {
			t.Errorf("column %s: mean %v, variance %v after standardising", p.Columns[k].Name, mu, ss/float64(len(col)))
		}
	}
	// One row at a time gives the same bits, online values outside the
	// training range included.
	row := make([]float64, len(X))
	for i := range 50 {
		for j := range X {
			row[j] = X[j][i]
		}
		z, err := p.TransformRow(row)
		if err != nil {
			t.Fatal(err)
		}
		for k := range z {
			if math.Float64bits(z[k]) != math.Float64bits(Z[k][i]) {
				t.Fatalf("row %d column %d: TransformRow %v, Transform %v", i, k, z[k], Z[k][i])
			}
		}
	}
	z, err := p.TransformRow([]float64{math.Inf(1), -3, 7, 1, 0, 2})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range z {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("online row: column %s is %v", p.Columns[k].Name, v)
		}
	}
	if z[1] <= 0 {
		t.Errorf("an Inf must count as null: indicator %v", z[1])
	}
}

func TestPrepMeanImputeAndSelect(t *testing.T) {
	names, X := rawColumns(2, 1000)
	p, err := FitPrep(names, X, PrepOptions{Impute: "mean", LogSkew: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Columns {
		if c.Log {
			t.Errorf("%s: log1p with the transform off", c.Name)
		}
	}
	// Columns passed in another order, with an extra one, come back in
	// Inputs order.
	rev := []string{"extra"}
	cols := [][]float64{make([]float64, 1000)}
	for j := len(names) - 1; j >= 0; j-- {
		rev = append(rev, names[j])
		cols = append(cols, X[j])
	}
	sel, err := p.Select(rev, cols)
	if err != nil {
		t.Fatal(err)
	}
	for j := range X {
		if &sel[j][0] != &X[j][0] {
			t.Errorf("Select put the wrong column at %d", j)
		}
	}
	if _, err := p.Select(names[:2], X[:2]); err == nil {
		t.Error("Select with columns missing: want an error")
	}
	if _, err := FitPrep(names, X, PrepOptions{Impute: "mode"}); err == nil {
		t.Error("impute mode: want an error")
	}
}

func TestMedian(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for trial := range 200 {
		n := 1 + r.IntN(500)
		v := make([]float64, n)
		for i := range v {
			if trial%2 == 0 {
				v[i] = float64(r.IntN(3)) // mostly duplicates, as counts are
			} else {
				v[i] = r.NormFloat64()
			}
		}
		s := slices.Clone(v)
		slices.Sort(s)
		want := s[n/2]
		if n%2 == 0 {
			want = s[n/2-1] + (s[n/2]-s[n/2-1])/2
		}
		if got := median(v); got != want {
			t.Fatalf("trial %d (n %d): median %v, want %v", trial, n, got, want)
		}
	}
}
