package model

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Logistic is a fitted logistic regression: P(y=1|x) = σ(Intercept + x·Coef).
type Logistic struct {
	Intercept float64   `json:"intercept"`
	Coef      []float64 `json:"coef"`
}

// LogisticOptions configure TrainLogistic. The zero value is Lambda 0
// (unregularised), unit class weights, Tol 1e-10, MaxIter 100.
type LogisticOptions struct {
	// Lambda is the L2 penalty on the coefficients (not the intercept),
	// against a loss summed over rows: Lambda = 1/C in scikit-learn's
	// terms. See the package doc.
	Lambda float64 `json:"lambda"`
	// PosWeight and NegWeight weight rows by class (0 means 1).
	// BalancedWeights gives scikit-learn's class_weight="balanced".
	PosWeight float64 `json:"pos_weight,omitempty"`
	NegWeight float64 `json:"neg_weight,omitempty"`
	// Tol stops Newton once no coefficient moves by more than
	// Tol*(1+max|θ|) in a step; the step before is then at machine
	// precision already, since Newton converges quadratically.
	Tol float64 `json:"tol,omitempty"`
	// MaxIter bounds Newton iterations.
	MaxIter int `json:"max_iter,omitempty"`
	// Workers bounds the goroutines used (0: GOMAXPROCS). The result is
	// bit-identical whatever the value.
	Workers int `json:"-"`
}

// FitInfo describes a training run.
type FitInfo struct {
	Iterations int     `json:"iterations"`
	Objective  float64 `json:"objective"`     // penalised weighted loss at the solution
	MaxGrad    float64 `json:"max_abs_grad"`  // max |gradient| at the last Hessian
	LastStep   float64 `json:"last_max_step"` // max |Δθ| of the last step
}

// ErrNotConverged is returned (wrapped, with the model as it stands) when
// MaxIter Newton steps did not meet Tol.
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

// chunkRows is the fixed unit of parallel work: partial sums are kept per
// chunk and added in chunk order, which makes results independent of the
// worker count. tileRows is the inner block the Hessian kernel keeps in
// cache.
const (
	chunkRows = 16384
	tileRows  = 128
)

// TrainLogistic fits an L2-regularised logistic regression by Newton's
// method (the Hessian solved by Cholesky, a backtracking line search for
// safety) on column-major X (X[j][i], no nulls: apply Prep first) and
// labels y.
func TrainLogistic(X [][]float64, y []bool, opt LogisticOptions) (*Logistic, FitInfo, error) {
	var info FitInfo
	n, p, err := shape(X)
	if err != nil {
		return nil, info, err
	}
	if len(y) != n {
		return nil, info, fmt.Errorf("train logistic: %d labels for %d rows", len(y), n)
	}
	if n == 0 {
		return nil, info, errors.New("train logistic: no rows")
	}
	if opt.Lambda < 0 || math.IsNaN(opt.Lambda) || opt.PosWeight < 0 || opt.NegWeight < 0 {
		return nil, info, errors.New("train logistic: Lambda and class weights must be non-negative")
	}
	for j, col := range X {
		for _, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, info, fmt.Errorf("train logistic: column %d has a non-finite value (apply Prep first)", j)
			}
		}
	}
	tol, maxIter := opt.Tol, opt.MaxIter
	if tol <= 0 {
		tol = 1e-10
	}
	if maxIter <= 0 {
		maxIter = 100
	}
	s := make([]float64, n) // row weights
	ys := make([]float64, n)
	wp, wn := opt.PosWeight, opt.NegWeight
	if wp == 0 {
		wp = 1
	}
	if wn == 0 {
		wn = 1
	}
	for i, v := range y {
		if v {
			s[i], ys[i] = wp, 1
		} else {
			s[i] = wn
		}
	}
	t := &trainer{X: X, y: ys, s: s, n: n, p: p, lambda: opt.Lambda, workers: opt.Workers}
	t.init()
	m := p + 1
	theta := make([]float64, m) // intercept first
	d := make([]float64, m)
	for it := 1; it <= maxIter; it++ {
		info.Iterations = it
		f0, g, h := t.pass(theta)
		info.Objective, info.MaxGrad = f0, maxAbs(g)
		if info.MaxGrad == 0 {
			info.LastStep = 0
			return t.model(theta), info, nil
		}
		for i := range d {
			d[i] = -g[i]
		}
		if err := cholSolve(h, m, d); err != nil {
			return nil, info, fmt.Errorf("train logistic: iteration %d: %w", it, err)
		}
		gd := dot(g, d)
		alpha, f := t.lineSearch(theta, d, f0, gd)
		step := 0.0
		for i := range theta {
			delta := alpha * d[i]
			theta[i] += delta
			step = math.Max(step, math.Abs(delta))
		}
		info.Objective, info.LastStep = f, step
		if step <= tol*(1+maxAbs(theta)) {
			return t.model(theta), info, nil
		}
	}
	return t.model(theta), info, fmt.Errorf("train logistic: %d iterations, last step %.3g: %w", maxIter, info.LastStep, ErrNotConverged)
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

// trainer holds the per-row buffers of one fit.
type trainer struct {
	X         [][]float64
	y, s      []float64
	n, p      int
	lambda    float64
	workers   int
	eta, u    []float64 // linear predictor at θ; X̃·d for the line search
	nChunks   int
	partLoss  []float64
	partGrad  [][]float64
	partHess  [][]float64
	tileBufs  sync.Pool
	hess, grd []float64
}

func (t *trainer) init() {
	t.eta = make([]float64, t.n)
	t.u = make([]float64, t.n)
	t.nChunks = (t.n + chunkRows - 1) / chunkRows
	m := t.p + 1
	t.partLoss = make([]float64, t.nChunks)
	t.partGrad = make([][]float64, t.nChunks)
	t.partHess = make([][]float64, t.nChunks)
	for c := range t.nChunks {
		t.partGrad[c] = make([]float64, m)
		t.partHess[c] = make([]float64, m*m)
	}
	t.hess = make([]float64, m*m)
	t.grd = make([]float64, m)
	p := t.p
	t.tileBufs.New = func() any { b := make([]float64, (p+3)*tileRows); return &b }
}

func (t *trainer) model(theta []float64) *Logistic {
	return &Logistic{Intercept: theta[0], Coef: append([]float64(nil), theta[1:]...)}
}

// parallel runs fn on every chunk, on up to Workers goroutines.
func (t *trainer) parallel(fn func(c, lo, hi int)) {
	w := t.workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = min(w, t.nChunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= t.nChunks {
					return
				}
				lo := c * chunkRows
				fn(c, lo, min(lo+chunkRows, t.n))
			}
		}()
	}
	wg.Wait()
}

// pass computes, at θ, the penalised objective, its gradient and the lower
// triangle of its Hessian (row-major (p+1)², intercept first).
func (t *trainer) pass(theta []float64) (float64, []float64, []float64) {
	t.parallel(func(c, lo, hi int) { t.chunk(theta, c, lo, hi) })
	m := t.p + 1
	clear(t.hess)
	clear(t.grd)
	f := 0.0
	for c := range t.nChunks {
		f += t.partLoss[c]
		ph, pg := t.partHess[c], t.partGrad[c]
		for i := range m {
			t.grd[i] += pg[i]
			row, prow := t.hess[i*m:i*m+i+1], ph[i*m:i*m+i+1]
			for k := range row {
				row[k] += prow[k]
			}
		}
	}
	for j := 1; j < m; j++ {
		f += 0.5 * t.lambda * theta[j] * theta[j]
		t.grd[j] += t.lambda * theta[j]
		t.hess[j*m+j] += t.lambda
	}
	return f, t.grd, t.hess
}

// linear sets eta[lo:hi] = b0 + Σ_j θ_j X[j][i], summing in column order
// as PredictRow does, so training and prediction agree bit for bit.
func linear(X [][]float64, theta []float64, eta []float64, lo, hi int) {
	e := eta[lo:hi]
	for i := range e {
		e[i] = theta[0]
	}
	for j, col := range X {
		b, x := theta[j+1], col[lo:hi]
		for i := range e {
			e[i] += b * x[i]
		}
	}
}

// chunk fills chunk c's partial loss, gradient and Hessian.
func (t *trainer) chunk(theta []float64, c, lo, hi int) {
	m := t.p + 1
	linear(t.X, theta, t.eta, lo, hi)
	bp := t.tileBufs.Get().(*[]float64)
	defer t.tileBufs.Put(bp)
	buf := *bp
	r := buf[0:tileRows]            // s(p - y)
	w := buf[tileRows : 2*tileRows] // s p (1-p)
	wx := buf[2*tileRows:]          // w·X[k] per column, tileRows apart
	ph, pg := t.partHess[c], t.partGrad[c]
	clear(ph)
	clear(pg)
	loss := 0.0
	for t0 := lo; t0 < hi; t0 += tileRows {
		t1 := min(t0+tileRows, hi)
		nt := t1 - t0
		rt, wt := r[:nt], w[:nt]
		for i := range nt {
			e, s, y := t.eta[t0+i], t.s[t0+i], t.y[t0+i]
			pr := sigmoid(e)
			loss += s * (log1pExp(e) - y*e)
			rt[i] = s * (pr - y)
			wt[i] = s * pr * (1 - pr)
		}
		pg[0] += sum(rt)
		ph[0] += sum(wt)
		for k := range t.p {
			xk := t.X[k][t0:t1]
			wxk := wx[k*tileRows : k*tileRows+nt]
			for i := range wxk {
				wxk[i] = wt[i] * xk[i]
			}
			pg[k+1] += dot(xk, rt)
			ph[(k+1)*m] += sum(wxk)
		}
		// Lower triangle of Xᵀ W X, in 2×2 blocks of columns.
		for j := 0; j < t.p; j += 2 {
			xj := t.X[j][t0:t1]
			if j+1 == t.p {
				row := ph[(j+1)*m:]
				for k := 0; k <= j; k++ {
					row[k+1] += dot(xj, wx[k*tileRows:k*tileRows+nt])
				}
				continue
			}
			xj1 := t.X[j+1][t0:t1]
			r0, r1 := ph[(j+1)*m:], ph[(j+2)*m:]
			for k := 0; k <= j; k += 2 {
				s00, s01, s10, s11 := dot2x2(xj, xj1, wx[k*tileRows:k*tileRows+nt], wx[(k+1)*tileRows:(k+1)*tileRows+nt])
				r0[k+1] += s00
				if k < j {
					r0[k+2] += s01
				}
				r1[k+1] += s10
				r1[k+2] += s11
			}
		}
	}
	t.partLoss[c] = loss
}

// lineSearch backtracks from the full Newton step until the Armijo
// condition holds. A slack of 1e-13·|f0| absorbs rounding near the optimum,
// where the true decrease is below what float64 can show.
func (t *trainer) lineSearch(theta, d []float64, f0, gd float64) (alpha, f float64) {
	t.parallel(func(_, lo, hi int) {
		u := t.u[lo:hi]
		d0 := d[0]
		for i := range u {
			u[i] = d0
		}
		for j, col := range t.X {
			b, x := d[j+1], col[lo:hi]
			for i := range u {
				u[i] += b * x[i]
			}
		}
	})
	slack := 1e-13 * math.Abs(f0)
	alpha = 1
	for range 60 {
		f = t.objectiveAlong(theta, d, alpha)
		if f <= f0+1e-4*alpha*gd+slack {
			return alpha, f
		}
		alpha /= 2
	}
	return alpha, f
}

// objectiveAlong is the objective at θ + αd, from eta and u.
func (t *trainer) objectiveAlong(theta, d []float64, alpha float64) float64 {
	f := 0.0
	for i, e := range t.eta {
		e += alpha * t.u[i]
		f += t.s[i] * (log1pExp(e) - t.y[i]*e)
	}
	for j := 1; j < len(theta); j++ {
		b := theta[j] + alpha*d[j]
		f += 0.5 * t.lambda * b * b
	}
	return f
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
