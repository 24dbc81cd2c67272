package model

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// PrepOptions configure FitPrep. The zero value imputes medians and
// log-transforms non-negative columns with skewness above 2.
type PrepOptions struct {
	// Impute is "median" (default) or "mean": the training statistic that
	// replaces a null.
	Impute string `json:"impute,omitempty"`
	// LogSkew is the skewness of a column's non-null training values above
	// which a non-negative column with more than two distinct values gets
	// log1p. 0 means 2; a negative value turns the transform off.
	LogSkew float64
	// Workers bounds the goroutines (0: GOMAXPROCS); columns are fitted
	// independently, so the result does not depend on it.
	Workers int
}

// Prep turns raw feature columns into the model's inputs. Fitted on
// training rows only, it is applied unchanged to any other rows.
type Prep struct {
	// Inputs are the raw column names, in the order Transform expects.
	Inputs []string `json:"inputs"`
	// Columns are the outputs, in order.
	Columns []PrepColumn `json:"columns"`
	// Dropped are inputs that produce no value column, with why.
	Dropped []DroppedColumn `json:"dropped,omitempty"`
}

// PrepColumn is one output column: an input's value, or its missing
// indicator (1 where the input is null, 0 elsewhere). A value is null when
// it is NaN or ±Inf; the value column then takes Fill.
//
//	out = (t(v) - Center) / Scale, t = signed log1p if Log, else identity
type PrepColumn struct {
	Name    string  `json:"name"`
	Input   int     `json:"input"`
	Missing bool    `json:"missing_indicator,omitempty"`
	Fill    float64 `json:"fill"`
	Log     bool    `json:"log1p,omitempty"`
	Center  float64 `json:"center"`
	Scale   float64 `json:"scale"`
	// Recorded for the reader: the training null fraction and the
	// skewness that decided Log.
	NullFrac float64 `json:"null_frac"`
	Skew     float64 `json:"skew"`
}

// DroppedColumn is an input left out of the model.
type DroppedColumn struct {
	Name   string `json:"name"`
	Reason string `json:"reason"` // "all null" or "constant"
}

// isNull reports whether v counts as a null.
func isNull(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// slog1p is sign(v)·log1p(|v|): the identity's shape near 0, a log's far
// out, and defined for the negative values online rows may bring.
func slog1p(v float64) float64 {
	if v < 0 {
		return -math.Log1p(-v)
	}
	return math.Log1p(v)
}

// value maps a raw value through the column, as both Transform and
// TransformRow do.
func (c *PrepColumn) value(v float64) float64 {
	if c.Missing {
		if isNull(v) {
			v = 1
		} else {
			v = 0
		}
	} else {
		if isNull(v) {
			v = c.Fill
		}
		if c.Log {
			v = slog1p(v)
		}
	}
	return (v - c.Center) / c.Scale
}

// FitPrep fits preprocessing on training columns X (column-major, X[j] named
// names[j]).
func FitPrep(names []string, X [][]float64, opt PrepOptions) (*Prep, error) {
	if len(names) != len(X) {
		return nil, fmt.Errorf("fit prep: %d names for %d columns", len(names), len(X))
	}
	n, _, err := shape(X)
	if err != nil {
		return nil, fmt.Errorf("fit prep: %w", err)
	}
	if n == 0 {
		return nil, errors.New("fit prep: no rows")
	}
	switch opt.Impute {
	case "":
		opt.Impute = "median"
	case "median", "mean":
	default:
		return nil, fmt.Errorf("fit prep: impute %q: want median or mean", opt.Impute)
	}
	if opt.LogSkew == 0 {
		opt.LogSkew = 2
	}
	seen := make(map[string]bool, len(names))
	for _, nm := range names {
		if seen[nm] {
			return nil, fmt.Errorf("fit prep: column %q appears twice", nm)
		}
		seen[nm] = true
	}
	fits := make([]colFit, len(X))
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range min(w, len(X)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf, tbuf []float64
			for j := range jobs {
				fits[j], buf, tbuf = fitColumn(names[j], j, X[j], opt, buf, tbuf)
			}
		}()
	}
	for j := range X {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	p := &Prep{Inputs: slices.Clone(names)}
	for _, f := range fits {
		p.Columns = append(p.Columns, f.cols...)
		if f.dropped != "" {
			p.Dropped = append(p.Dropped, DroppedColumn{Name: names[f.input], Reason: f.dropped})
		}
	}
	if len(p.Columns) == 0 {
		return nil, errors.New("fit prep: every column is null or constant in training")
	}
	return p, nil
}

type colFit struct {
	input   int
	cols    []PrepColumn
	dropped string
}

// fitColumn fits input j; buf and tbuf are scratch space reused across
// columns.
func fitColumn(name string, j int, col []float64, opt PrepOptions, buf, tbuf []float64) (colFit, []float64, []float64) {
	f := colFit{input: j}
	buf = buf[:0]
	for _, v := range col {
		if !isNull(v) {
			buf = append(buf, v)
		}
	}
	n, nn := len(col), len(buf)
	nullFrac := float64(n-nn) / float64(n)
	if nn == 0 {
		f.dropped = "all null"
		return f, buf, tbuf
	}
	// Moments in row order, before the median reorders buf.
	c := PrepColumn{Name: name, Input: j, NullFrac: nullFrac}
	mean := sum(buf) / float64(nn)
	c.Skew = skewness(buf, mean)
	lo, distinct := buf[0], 1
	other := [2]float64{buf[0]}
	for _, v := range buf {
		lo = min(lo, v)
		if distinct < 3 && v != other[0] && (distinct == 1 || v != other[1]) {
			if distinct < 2 {
				other[1] = v
			}
			distinct++
		}
	}
	c.Log = opt.LogSkew > 0 && lo >= 0 && distinct > 2 && c.Skew > opt.LogSkew
	if opt.Impute == "median" {
		c.Fill = median(buf)
	} else {
		c.Fill = mean
	}
	// Standardise the column as Transform will see it: imputed, logged.
	c.Center, c.Scale = 0, 1
	if cap(tbuf) < n {
		tbuf = make([]float64, n)
	}
	tv := tbuf[:n]
	for i, v := range col {
		tv[i] = c.value(v)
	}
	mu := sum(tv) / float64(n)
	ss := 0.0
	for _, v := range tv {
		d := v - mu
		ss += d * d
	}
	sd := math.Sqrt(ss / float64(n))
	if sd > 1e-12*math.Max(1, math.Abs(mu)) {
		c.Center, c.Scale = mu, sd
		f.cols = append(f.cols, c)
	} else {
		f.dropped = "constant"
	}
	if nn < n {
		p := 1 - nullFrac
		f.cols = append(f.cols, PrepColumn{
			Name: name + "_missing", Input: j, Missing: true,
			Center: nullFrac, Scale: math.Sqrt(nullFrac * p), NullFrac: nullFrac,
		})
	}
	return f, buf, tbuf
}

// median returns the median of v (the mean of the middle two for an even
// count, as numpy's), reordering v. Quickselect with a three-way partition:
// linear on average, and columns of counts, mostly one value, partition
// in one pass.
func median(v []float64) float64 {
	n := len(v)
	hi := selectKth(v, n/2)
	if n%2 == 1 {
		return hi
	}
	lo := slices.Max(v[:n/2]) // selectKth left the smaller half in front
	return lo + (hi-lo)/2
}

// selectKth reorders v so v[k] is its k-th smallest value, with no larger
// value before it and no smaller after, and returns v[k]. The pivot is the
// median of three fixed positions, so the result is deterministic.
func selectKth(v []float64, k int) float64 {
	lo, hi := 0, len(v) // the k-th lies in v[lo:hi]
	for hi-lo > 16 {
		a, b, c := v[lo], v[lo+(hi-lo)/2], v[hi-1]
		pivot := max(min(a, b), min(max(a, b), c))
		// v[lo:lt] < pivot, v[lt:i] == pivot, v[gt:hi] > pivot.
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch x := v[i]; {
			case x < pivot:
				v[lt], v[i] = v[i], v[lt]
				lt++
				i++
			case x > pivot:
				gt--
				v[gt], v[i] = v[i], v[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return v[k]
		}
	}
	slices.Sort(v[lo:hi])
	return v[k]
}

// skewness is the population (Fisher–Pearson) skewness of v around mean.
func skewness(v []float64, mean float64) float64 {
	var m2, m3 float64
	for _, x := range v {
		d := x - mean
		m2 += d * d
		m3 += d * d * d
	}
	m2 /= float64(len(v))
	m3 /= float64(len(v))
	if m2 == 0 {
		return 0
	}
	return m3 / math.Pow(m2, 1.5)
}

// Names returns the output column names.
func (p *Prep) Names() []string {
	out := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		out[i] = c.Name
	}
	return out
}

// Transform applies the fitted prep to raw columns in Inputs order.
func (p *Prep) Transform(X [][]float64) ([][]float64, error) {
	if len(X) != len(p.Inputs) {
		return nil, fmt.Errorf("prep: %d columns, fitted on %d", len(X), len(p.Inputs))
	}
	n, _, err := shape(X)
	if err != nil {
		return nil, fmt.Errorf("prep: %w", err)
	}
	out := make([][]float64, len(p.Columns))
	for k := range p.Columns {
		c := &p.Columns[k]
		src, dst := X[c.Input], make([]float64, n)
		for i, v := range src {
			dst[i] = c.value(v)
		}
		out[k] = dst
	}
	return out, nil
}

// TransformRow applies the prep to one raw row in Inputs order; the values
// equal Transform's bit for bit.
func (p *Prep) TransformRow(row []float64) ([]float64, error) {
	if len(row) != len(p.Inputs) {
		return nil, fmt.Errorf("prep: row has %d values, fitted on %d", len(row), len(p.Inputs))
	}
	out := make([]float64, len(p.Columns))
	for k := range p.Columns {
		out[k] = p.Columns[k].value(row[p.Columns[k].Input])
	}
	return out, nil
}

// Select reorders named columns into Inputs order, so callers may pass a
// dataset's columns as they come; extra columns are ignored.
func (p *Prep) Select(names []string, X [][]float64) ([][]float64, error) {
	return SelectColumns(names, X, p.Inputs)
}

// SelectColumns returns the columns want, in that order, from columns X
// named names. A one-hot column ("browser=Opera") the data lacks is a
// value it never takes: all zeros. Any other absent column is an error.
func SelectColumns(names []string, X [][]float64, want []string) ([][]float64, error) {
	if len(names) != len(X) {
		return nil, fmt.Errorf("prep: %d names for %d columns", len(names), len(X))
	}
	at := make(map[string]int, len(names))
	for j, nm := range names {
		at[nm] = j
	}
	rows := 0
	if len(X) > 0 {
		rows = len(X[0])
	}
	out := make([][]float64, len(want))
	var missing []string
	for k, nm := range want {
		if j, ok := at[nm]; ok {
			out[k] = X[j]
		} else if strings.Contains(nm, "=") {
			out[k] = make([]float64, rows)
		} else {
			missing = append(missing, nm)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("prep: input columns absent: %v", missing)
	}
	return out, nil
}
