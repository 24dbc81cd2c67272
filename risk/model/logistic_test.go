package model

import (
	"errors"
	"math"
	"testing"
)

func TestLogisticRecoversCoefficients(t *testing.T) {
	beta := []float64{1.5, -2, 0.5, 0.25, -0.75, 1}
	X, y := synthLogistic(1, 200_000, -1, beta)
	m, info, err := TrainLogistic(X, y, LogisticOptions{Lambda: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hessians %d full, %d subsampled; steps %d, objective %.6f, max |grad| %.3g, last step %.3g", info.Hessians, info.SubHessians, info.Iterations, info.Objective, info.MaxGrad, info.LastStep)
	if math.Abs(m.Intercept+1) > 0.03 {
		t.Errorf("intercept %.4f, want -1 ± 0.03", m.Intercept)
	}
	for j, b := range beta {
		if math.Abs(m.Coef[j]-b) > 0.03 {
			t.Errorf("coef %d = %.4f, want %.4f ± 0.03", j, m.Coef[j], b)
		}
	}
}

// TestLogisticDeterministic: the worker count changes nothing, to the bit.
func TestLogisticDeterministic(t *testing.T) {
	X, y := synthLogistic(2, 3*chunkRows+77, 0.5, []float64{1, -1, 0.3, 2, 0})
	var ref *Logistic
	for _, w := range []int{1, 2, 3, 8} {
		m, _, err := TrainLogistic(X, y, LogisticOptions{Lambda: 0.5, PosWeight: 3, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = m
			continue
		}
		if math.Float64bits(m.Intercept) != math.Float64bits(ref.Intercept) {
			t.Fatalf("workers %d: intercept differs", w)
		}
		for j := range m.Coef {
			if math.Float64bits(m.Coef[j]) != math.Float64bits(ref.Coef[j]) {
				t.Fatalf("workers %d: coef %d differs", w, j)
			}
		}
	}
	// Batch and row prediction agree to the bit.
	s, err := ref.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]float64, len(X))
	for i := 0; i < len(y); i += 997 {
		for j := range X {
			row[j] = X[j][i]
		}
		if got := ref.PredictRow(row); math.Float64bits(got) != math.Float64bits(s[i]) {
			t.Fatalf("row %d: PredictRow %v, Predict %v", i, got, s[i])
		}
	}
}

// TestLogisticOptimality checks the first-order condition directly: at the
// solution the penalised gradient vanishes.
func TestLogisticOptimality(t *testing.T) {
	X, y := synthLogistic(5, 5000, -2, []float64{3, -2, 1, 0.5})
	for _, lambda := range []float64{0, 1e-2, 10, 1000} {
		m, info, err := TrainLogistic(X, y, LogisticOptions{Lambda: lambda, NoPenalty: lambda == 0, NegWeight: 0.5})
		if err != nil {
			t.Fatalf("lambda %v: %v", lambda, err)
		}
		s, _ := m.Predict(X)
		g := make([]float64, len(X)+1)
		for i, p := range s {
			w, yi := 0.5, 0.0
			if y[i] {
				w, yi = 1, 1
			}
			g[0] += w * (p - yi)
			for j := range X {
				g[j+1] += w * (p - yi) * X[j][i]
			}
		}
		for j := range m.Coef {
			g[j+1] += lambda * m.Coef[j]
		}
		if mg := maxAbs(g); mg > 1e-8 {
			t.Errorf("lambda %v: max |gradient| %.3g at the solution (%d iterations)", lambda, mg, info.Iterations)
		}
	}
}

func TestLogisticRejects(t *testing.T) {
	X, y := synthLogistic(6, 100, 0, []float64{1})
	if _, _, err := TrainLogistic(X, y[:50], LogisticOptions{}); err == nil {
		t.Error("labels of the wrong length: want an error")
	}
	X[0][3] = math.NaN()
	if _, _, err := TrainLogistic(X, y, LogisticOptions{}); err == nil {
		t.Error("a NaN feature: want an error")
	}
	// Perfectly separable without a penalty has no finite solution.
	X = [][]float64{{-2, -1, 1, 2}}
	_, _, err := TrainLogistic(X, bools(0, 0, 1, 1), LogisticOptions{NoPenalty: true, MaxIter: 30})
	if !errors.Is(err, ErrNotConverged) {
		t.Errorf("separable data without a penalty: %v, want ErrNotConverged", err)
	}
	if _, _, err := TrainLogistic(X, bools(0, 0, 1, 1), LogisticOptions{NoPenalty: true, Lambda: 1}); err == nil {
		t.Error("NoPenalty with a Lambda: want an error")
	}
}

// TestLogisticSubsampledHessian covers inputs large enough for the
// subsampled Hessian: the fit is bit-identical across worker counts and
// agrees with full-Hessian Newton to far below any modelling tolerance.
func TestLogisticSubsampledHessian(t *testing.T) {
	n := 2*subChunks*chunkRows + 1000
	X, y := synthLogistic(8, n, -2.5, []float64{1, -0.5, 0.25})
	var ref *Logistic
	for _, w := range []int{1, 2, 5} {
		m, info, err := TrainLogistic(X, y, LogisticOptions{Lambda: 1, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if info.SubHessians == 0 {
			t.Fatalf("%d rows: no subsampled Hessian used (%+v)", n, info)
		}
		if ref == nil {
			ref = m
			t.Logf("%d rows: %+v", n, info)
			continue
		}
		if math.Float64bits(m.Intercept) != math.Float64bits(ref.Intercept) {
			t.Fatalf("workers %d: intercept differs", w)
		}
		for j := range m.Coef {
			if math.Float64bits(m.Coef[j]) != math.Float64bits(ref.Coef[j]) {
				t.Fatalf("workers %d: coef %d differs", w, j)
			}
		}
	}
	// The same problem with every Hessian formed on all rows.
	s, ys := make([]float64, n), make([]float64, n)
	for i := range s {
		s[i] = 1
		if y[i] {
			ys[i] = 1
		}
	}
	tr := newTrainer(X, ys, s, LogisticOptions{Lambda: 1})
	tr.subStride = 1
	full, info, err := tr.solve(1e-12, 100)
	if err != nil {
		t.Fatal(err)
	}
	if info.SubHessians != 0 {
		t.Fatal("full-Hessian run used a subsample")
	}
	got := append([]float64{ref.Intercept}, ref.Coef...)
	want := append([]float64{full.Intercept}, full.Coef...)
	for j := range want {
		if rel := math.Abs(got[j]-want[j]) / math.Abs(want[j]); rel > 1e-9 {
			t.Errorf("θ[%d]: subsampled %.15g, full %.15g (relative %.2g)", j, got[j], want[j], rel)
		}
	}
}
