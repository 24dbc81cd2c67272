package model

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkRows is the fixed unit of parallel work: partial sums are kept per
// chunk and added in chunk order, which makes results independent of the
// worker count. tileRows is the inner block the Hessian kernel keeps in
// cache.
const (
	chunkRows = 16384
	tileRows  = 128
)

// Hessian policy (see solve). A step that moves some row's linear
// predictor by more than staleEta changes that row's weight p(1-p) enough
// to make the Hessian stale; a reused Hessian that shrinks the gradient by
// less than minContraction per step is replaced. subChunks is the size of
// the subsample, in chunks, and the subsample is used from twice that.
const (
	staleEta       = 0.25
	minContraction = 0.25
	subChunks      = 8
)

// trainer holds the per-row buffers of one fit.
type trainer struct {
	X       [][]float64
	y, s    []float64 // labels 0/1 and row weights
	n, p    int
	lambda  float64
	workers int
	eta, u  []float64 // linear predictor at θ; X̃·d for the line search
	nChunks int
	// subStride > 1 forms the Hessian from chunks c with c%subStride == 0.
	subStride int
	partLoss  []float64
	partGrad  [][]float64
	partHess  [][]float64 // per chunk; nil until the chunk's first Hessian
	tileBufs  sync.Pool
	hess, grd []float64
}

func newTrainer(X [][]float64, y, s []float64, opt LogisticOptions) *trainer {
	t := &trainer{X: X, y: y, s: s, n: len(y), p: len(X), lambda: opt.Lambda, workers: opt.Workers}
	t.eta = make([]float64, t.n)
	t.u = make([]float64, t.n)
	t.nChunks = (t.n + chunkRows - 1) / chunkRows
	t.subStride = 1
	if t.nChunks >= 2*subChunks {
		t.subStride = t.nChunks / subChunks
	}
	m := t.p + 1
	t.partLoss = make([]float64, t.nChunks)
	t.partGrad = make([][]float64, t.nChunks)
	t.partHess = make([][]float64, t.nChunks)
	for c := range t.nChunks {
		t.partGrad[c] = make([]float64, m)
	}
	t.hess = make([]float64, m*m)
	t.grd = make([]float64, m)
	p := t.p
	t.tileBufs.New = func() any { b := make([]float64, (p+2)*tileRows); return &b }
	return t
}

// solve runs Newton's method from the intercept-only model. Far from the
// optimum (a step moved some row's linear predictor by more than staleEta)
// each step forms a new Hessian, from a fixed subsample of chunks when the
// input has at least 2·subChunks of them: its error, ~√(p/rows sampled),
// only slows convergence from quadratic to fast linear, and the gradient is
// always exact, so the fixed point is the exact optimum. Near the optimum
// the factored Hessian is reused (chord steps, one gradient pass each, n·p
// instead of n·p²) while each step shrinks the gradient at least fourfold;
// when a fresh subsampled Hessian fails that, the full one replaces it for
// the rest of the fit. Every choice depends on the data only, never on
// timing, so the fit stays deterministic.
func (t *trainer) solve(tol float64, maxIter int) (*Logistic, FitInfo, error) {
	var info FitInfo
	m := t.p + 1
	theta := make([]float64, m)
	theta[0] = t.baseLogit()
	d := make([]float64, m)
	haveH, needH, freshSub := false, true, false
	prevGrad := math.Inf(1)
	t.parallel(1, func(_, lo, hi int) { linear(t.X, theta, t.eta, lo, hi) })
	for it := 1; it <= maxIter; it++ {
		info.Iterations = it
		f0, g := t.gradPass(theta)
		info.Objective, info.MaxGrad = f0, maxAbs(g)
		if info.MaxGrad == 0 {
			info.LastStep = 0
			return t.model(theta), info, nil
		}
		if haveH && !needH && info.MaxGrad > minContraction*prevGrad {
			needH = true
			if freshSub {
				t.subStride = 1
			}
		}
		freshSub = false
		if needH || !haveH {
			t.hessPass()
			err := cholFactor(t.hess, m)
			if err != nil && t.subStride > 1 {
				// A subsample can miss what makes the full Hessian definite
				// (a rare column all zero in it, with Lambda 0).
				info.SubHessians++
				t.subStride = 1
				t.hessPass()
				err = cholFactor(t.hess, m)
			}
			if err != nil {
				return nil, info, fmt.Errorf("train logistic: iteration %d: %w", it, err)
			}
			haveH = true
			if t.subStride > 1 {
				info.SubHessians++
				freshSub = true
			} else {
				info.Hessians++
			}
		}
		for i := range d {
			d[i] = -g[i]
		}
		cholSolve(t.hess, m, d)
		alpha, f, etaMove := t.lineSearch(theta, d, f0, dot(g, d))
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
		needH = etaMove > staleEta || alpha < 1
		prevGrad = info.MaxGrad
	}
	return t.model(theta), info, fmt.Errorf("train logistic: %d iterations, last step %.3g: %w", maxIter, info.LastStep, ErrNotConverged)
}

// baseLogit is the optimal intercept of the model without features.
func (t *trainer) baseLogit() float64 {
	var sp, sn float64
	for i, s := range t.s {
		if t.y[i] == 1 {
			sp += s
		} else {
			sn += s
		}
	}
	if sp == 0 || sn == 0 {
		return 0
	}
	return math.Log(sp / sn)
}

func (t *trainer) model(theta []float64) *Logistic {
	return &Logistic{Intercept: theta[0], Coef: append([]float64(nil), theta[1:]...)}
}

// parallel runs fn on every stride-th chunk, on up to Workers goroutines.
func (t *trainer) parallel(stride int, fn func(c, lo, hi int)) {
	w := t.workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = min(w, (t.nChunks+stride-1)/stride)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)-1) * stride
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

// gradPass returns the penalised objective and gradient at θ, whose linear
// predictor is in eta.
func (t *trainer) gradPass(theta []float64) (float64, []float64) {
	t.parallel(1, func(c, lo, hi int) {
		bp := t.tileBufs.Get().(*[]float64)
		defer t.tileBufs.Put(bp)
		r := (*bp)[:tileRows]
		pg := t.partGrad[c]
		clear(pg)
		loss := 0.0
		for t0 := lo; t0 < hi; t0 += tileRows {
			t1 := min(t0+tileRows, hi)
			rt := r[:t1-t0]
			for i := range rt {
				e, s, y := t.eta[t0+i], t.s[t0+i], t.y[t0+i]
				loss += s * (log1pExp(e) - y*e)
				rt[i] = s * (sigmoid(e) - y)
			}
			pg[0] += sum(rt)
			for k := range t.p {
				pg[k+1] += dot(t.X[k][t0:t1], rt)
			}
		}
		t.partLoss[c] = loss
	})
	clear(t.grd)
	f := 0.0
	for c := range t.nChunks {
		f += t.partLoss[c]
		for i, v := range t.partGrad[c] {
			t.grd[i] += v
		}
	}
	for j := 1; j <= t.p; j++ {
		f += 0.5 * t.lambda * theta[j] * theta[j]
		t.grd[j] += t.lambda * theta[j]
	}
	return f, t.grd
}

// hessPass forms the lower triangle of the Hessian at eta in t.hess
// (row-major (p+1)², intercept first), from every subStride-th chunk,
// scaled up to all rows.
func (t *trainer) hessPass() {
	stride := t.subStride
	t.parallel(stride, t.hessChunk)
	m := t.p + 1
	clear(t.hess)
	rows := 0
	for c := 0; c < t.nChunks; c += stride {
		rows += min(chunkRows, t.n-c*chunkRows)
		ph := t.partHess[c]
		for i := range m {
			row, prow := t.hess[i*m:i*m+i+1], ph[i*m:i*m+i+1]
			for k := range row {
				row[k] += prow[k]
			}
		}
	}
	if rows < t.n {
		scale := float64(t.n) / float64(rows)
		for i := range m {
			row := t.hess[i*m : i*m+i+1]
			for k := range row {
				row[k] *= scale
			}
		}
	}
	for j := 1; j < m; j++ {
		t.hess[j*m+j] += t.lambda
	}
}

// hessChunk fills chunk c's partial Hessian.
func (t *trainer) hessChunk(c, lo, hi int) {
	m := t.p + 1
	bp := t.tileBufs.Get().(*[]float64)
	defer t.tileBufs.Put(bp)
	buf := *bp
	w := buf[:tileRows]  // s p (1-p)
	wx := buf[tileRows:] // w·X[k] per column, tileRows apart
	ph := t.partHess[c]
	if ph == nil { // allocated on first use: a subsampled fit needs few
		ph = make([]float64, m*m)
		t.partHess[c] = ph
	}
	clear(ph)
	for t0 := lo; t0 < hi; t0 += tileRows {
		t1 := min(t0+tileRows, hi)
		nt := t1 - t0
		wt := w[:nt]
		for i := range wt {
			pr := sigmoid(t.eta[t0+i])
			wt[i] = t.s[t0+i] * pr * (1 - pr)
		}
		ph[0] += sum(wt)
		for k := range t.p {
			xk := t.X[k][t0:t1]
			wxk := wx[k*tileRows : k*tileRows+nt]
			for i := range wxk {
				wxk[i] = wt[i] * xk[i]
			}
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
}

// lineSearch backtracks from the full step until the Armijo condition
// holds, moves eta along the accepted step (one pass over u instead of
// recomputing X̃θ, whose rounding differs only in the last bits), and
// reports how far the step moved any row's linear predictor. A slack of 1e-13·|f0| absorbs rounding near the optimum,
// where the true decrease is below what float64 can show.
func (t *trainer) lineSearch(theta, d []float64, f0, gd float64) (alpha, f, etaMove float64) {
	t.parallel(1, func(_, lo, hi int) {
		linear(t.X, d, t.u, lo, hi)
	})
	slack := 1e-13 * math.Abs(f0)
	alpha = 1
	for range 60 {
		f = t.objectiveAlong(theta, d, alpha)
		if f <= f0+1e-4*alpha*gd+slack {
			break
		}
		alpha /= 2
	}
	t.parallel(1, func(_, lo, hi int) {
		e, u := t.eta[lo:hi], t.u[lo:hi]
		for i := range e {
			e[i] += alpha * u[i]
		}
	})
	return alpha, f, alpha * maxAbs(t.u)
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

// linear sets eta[lo:hi] = θ₀ + Σ_j θ_j X[j][i], summing in column order
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
