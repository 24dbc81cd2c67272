package model

import (
	"errors"
	"fmt"
	"math"
)

// Logistic is a fitted logistic regression: P(y=1|x) = σ(Intercept + x·Coef).
type Logistic struct {
	Intercept float64   `json:"intercept"`
	Coef      []float64 `json:"coef"`
}

// LogisticOptions configure TrainLogistic. The zero value is Lambda 1
// (scikit-learn's default C=1), unit class weights, Tol 1e-10, MaxIter 100.
type LogisticOptions struct {
	// Lambda is the L2 penalty on the coefficients (not the intercept),
	// against a loss summed over rows: Lambda = 1/C in scikit-learn's
	// terms. See the package doc. 0 means 1.
	Lambda float64 `json:"lambda"`
	// NoPenalty fits without a penalty (Lambda must be 0). Data that a
	// column separates, even partly, then has no finite solution, and the
	// fit fails with ErrNotConverged: rare fraud patterns often do that.
	NoPenalty bool `json:"no_penalty,omitempty"`
	// PosWeight and NegWeight weight rows by class (0 means 1).
	// BalancedWeights gives scikit-learn's class_weight="balanced".
	PosWeight float64 `json:"pos_weight,omitempty"`
	NegWeight float64 `json:"neg_weight,omitempty"`
	// Tol stops the fit once no coefficient moves by more than
	// Tol*(1+max|θ|) in a step. Near the end every step shrinks the
	// gradient at least fourfold (see solve), so what remains is smaller
	// than the last step.
	Tol float64 `json:"tol,omitempty"`
	// MaxIter bounds Newton iterations.
	MaxIter int `json:"max_iter,omitempty"`
	// Workers bounds the goroutines used (0: GOMAXPROCS). The result is
	// bit-identical whatever the value.
	Workers int `json:"-"`
}

// withDefaults returns the options with zero values replaced by defaults.
func (o LogisticOptions) withDefaults() (LogisticOptions, error) {
	if o.Lambda < 0 || math.IsNaN(o.Lambda) || math.IsInf(o.Lambda, 0) || o.PosWeight < 0 || o.NegWeight < 0 {
		return o, errors.New("Lambda and class weights must be finite and non-negative")
	}
	switch {
	case o.NoPenalty && o.Lambda != 0:
		return o, errors.New("NoPenalty with a non-zero Lambda")
	case !o.NoPenalty && o.Lambda == 0:
		o.Lambda = 1
	}
	if o.PosWeight == 0 {
		o.PosWeight = 1
	}
	if o.NegWeight == 0 {
		o.NegWeight = 1
	}
	if o.Tol <= 0 {
		o.Tol = 1e-10
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 100
	}
	return o, nil
}

// FitInfo describes a training run.
type FitInfo struct {
	Iterations int `json:"iterations"` // Newton (or chord) steps
	// Hessians and SubHessians count the Hessians formed on every row and
	// on a fixed subsample of row chunks (see solve).
	Hessians    int     `json:"hessians"`
	SubHessians int     `json:"sub_hessians"`
	Objective   float64 `json:"objective"`     // penalised weighted loss at the solution
	MaxGrad     float64 `json:"max_abs_grad"`  // max |gradient| before the last step
	LastStep    float64 `json:"last_max_step"` // max |Δθ| of the last step
}

// ErrNotConverged is returned (wrapped; TrainLogistic also returns the
// model as it stands) when MaxIter steps did not meet Tol.
var ErrNotConverged = errors.New("logistic regression did not converge")

// BalancedWeights returns scikit-learn's "balanced" class weights,
// n/(2·n_class), for labels y.
func BalancedWeights(y []bool) (pos, neg float64) {
	np := 0
	for _, v := range y {
		if v {
			np++
		}
	}
	n := float64(len(y))
	if np == 0 || np == len(y) {
		return 1, 1
	}
	return n / (2 * float64(np)), n / (2 * float64(len(y)-np))
}

// TrainLogistic fits an L2-regularised logistic regression by Newton's
// method (the Hessian solved by Cholesky, a backtracking line search for
// safety) on column-major X (X[j][i], no nulls: apply Prep first) and
// labels y. Forming the Hessian costs n·p²; solve explains how it is
// formed rarely and, on large inputs, mostly from a subsample.
func TrainLogistic(X [][]float64, y []bool, opt LogisticOptions) (*Logistic, FitInfo, error) {
	var info FitInfo
	n, _, err := shape(X)
	if err != nil {
		return nil, info, fmt.Errorf("train logistic: %w", err)
	}
	if len(y) != n {
		return nil, info, fmt.Errorf("train logistic: %d labels for %d rows", len(y), n)
	}
	if n == 0 {
		return nil, info, errors.New("train logistic: no rows")
	}
	opt, err = opt.withDefaults()
	if err != nil {
		return nil, info, fmt.Errorf("train logistic: %w", err)
	}
	for j, col := range X {
		for _, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, info, fmt.Errorf("train logistic: column %d has a non-finite value (apply Prep first)", j)
			}
		}
	}
	s := make([]float64, n) // row weights
	ys := make([]float64, n)
	for i, v := range y {
		if v {
			s[i], ys[i] = opt.PosWeight, 1
		} else {
			s[i] = opt.NegWeight
		}
	}
	t := newTrainer(X, ys, s, opt)
	return t.solve(opt.Tol, opt.MaxIter)
}

func shape(X [][]float64) (n, p int, err error) {
	p = len(X)
	if p == 0 {
		return 0, 0, errors.New("no feature columns")
	}
	n = len(X[0])
	for j, col := range X {
		if len(col) != n {
			return 0, 0, fmt.Errorf("column %d has %d rows, column 0 has %d", j, len(col), n)
		}
	}
	return n, p, nil
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// sigmoid is 1/(1+e^-x), computed without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// log1pExp is log(1+e^x), computed without overflow.
func log1pExp(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// PredictRow returns P(y=1) for one prepared row.
func (l *Logistic) PredictRow(x []float64) float64 {
	e := l.Intercept
	for j, b := range l.Coef {
		e += b * x[j]
	}
	return sigmoid(e)
}

// Predict returns P(y=1) for every row of column-major prepared X. Each
// score equals PredictRow's on the same row, bit for bit.
func (l *Logistic) Predict(X [][]float64) ([]float64, error) {
	n, p, err := shape(X)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	if p != len(l.Coef) {
		return nil, fmt.Errorf("predict: %d columns, model has %d", p, len(l.Coef))
	}
	theta := append([]float64{l.Intercept}, l.Coef...)
	out := make([]float64, n)
	linear(X, theta, out, 0, n)
	for i, e := range out {
		out[i] = sigmoid(e)
	}
	return out, nil
}
