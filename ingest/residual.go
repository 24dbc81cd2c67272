package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// ErrLeak is returned by an ingest run whose residual scan found a raw
// value or a PII pattern in what it was about to commit. Nothing of the
// run is committed.
var ErrLeak = errors.New("residual scan found raw values in the output")

// The residual scan proves, before an ingest run commits, that no raw
// identifier or PII value of the run's input reached its output. Workers
// collect the run's protected raw values (every field the policy does not
// keep, in the forms given and normalised; the PII spans of chat text) as
// needles, and check what they can per row; the run then checks each
// column's distinct values against all needles:
//
//	token columns        every cell token-shaped, and every token made
//	                     well-formed (r_/o_ + base64url): it carries only
//	                     ciphertext or PRF output. A raw value that is itself
//	                     token-shaped fails the scan, since it could hide there.
//	generalised columns  exact, substring and PII patterns
//	kept labels          substring and PII patterns (equality with a raw
//	                     value is a collision: category ids are numbers too)
//	text (redacted chat) exact, substring and PII patterns
//	kept id columns      per row: none holds the row's own protected values
//
// Columns get their class from residual.PolicyClasses, as in the report's
// scan. Kept id columns are not matched against other rows' values: Taobao
// numbers users and items from one range, so equal strings there are
// coincidences, not leaks.
type guard struct {
	pol       *policy.Compiled
	protected []bool // by input field
	tokenized []bool // by input field: the token worker reports its values
	classes   []residual.Class
	cols      []string // column names
	tokenCols []int
	fullCols  []int // checked against all needles at the end
	keptCols  []int // checked per row
	rows      *residual.Scanner
	more      []extraColumn // outputs other than the dataset's (chat_pairs)
	// spill holds the run's needles within VEIL_RESIDUAL_MEMORY; workers
	// gather needles in their own sets and move them there past
	// spillAt bytes, so no set grows with the day.
	spill    *residual.Spill
	spillAt  int64
	spillErr error // an invalid budget, reported by finish
}

// extraColumn is a text column of another output the stage writes,
// checked like the dataset's free text.
type extraColumn struct {
	dataset, column string
	values          []string
}

// also adds the values of a further output's free-text column to the
// end-of-run check.
func (g *guard) also(dataset, column string, values []string) {
	g.more = append(g.more, extraColumn{dataset, column, values})
}

func newGuard(pol *policy.Compiled) *guard {
	g := &guard{pol: pol, rows: residual.NewScanner(nil)}
	budget, err := residual.BudgetFromEnv()
	g.spill, g.spillErr = residual.NewSpill(budget, ""), err
	// A sixteenth each: a few workers' sets stay well within the budget.
	g.spillAt = max(g.spill.Budget()/16, 1)
	for i := range pol.Feed.Fields {
		g.protected = append(g.protected, pol.Protected(i))
		g.tokenized = append(g.tokenized, pol.Tokenized(i))
	}
	classes := residual.PolicyClasses(pol)
	written := pol.Classes()
	for i, f := range pol.Dataset.Schema.Fields() {
		c := classes[f.Name]
		g.cols = append(g.cols, f.Name)
		g.classes = append(g.classes, c)
		if f.Type.ID() != arrow.STRING || written[f.Name] == policy.ClassUnwritten {
			continue
		}
		switch c {
		case residual.Token:
			g.tokenCols = append(g.tokenCols, i)
		case residual.Kept:
			g.keptCols = append(g.keptCols, i)
		default:
			g.fullCols = append(g.fullCols, i)
		}
	}
	return g
}

// guardWorker is one parse worker's part of the scan; not safe for
// concurrent use.
type guardWorker struct {
	g         *guard
	needles   *residual.Needles
	distinct  []map[string]struct{} // by position in g.fullCols
	recent    []recentSet           // by position in g.fullCols
	malformed map[int]int64
	keptCols  []string
	kept      []string
	prot      []string
	cells     int64 // string cells checked per row
	badTokens int64 // tokens made that are not well-formed
	err       error // moving needles to the spill
}

// maybeSpill moves the worker's needles to the guard's Spill once they
// outgrow their share of the budget.
func (w *guardWorker) maybeSpill() {
	if w.err != nil || w.needles.Size() < w.g.spillAt {
		return
	}
	w.err = w.g.spill.Merge(w.needles)
	w.needles = residual.NewNeedles(residual.DefaultMinLen)
}

func (g *guard) worker() *guardWorker {
	w := &guardWorker{g: g, needles: residual.NewNeedles(residual.DefaultMinLen),
		distinct: make([]map[string]struct{}, len(g.fullCols)), recent: make([]recentSet, len(g.fullCols)), malformed: map[int]int64{}}
	for k := range g.fullCols {
		w.distinct[k] = map[string]struct{}{}
	}
	return w
}

// raw notes a field's raw value (and its normal form) as a needle if the
// policy protects the field. Chat text is PII in its spans, not whole. The
// normal form of a tokenised field reaches the needles through the token
// worker's miss hook (see watch), once per distinct value, rather than by
// a lookup per row here.
func (w *guardWorker) raw(field int, check schemas.Check, given, norm string) {
	if !w.g.protected[field] {
		return
	}
	tok := w.g.tokenized[field]
	rawForms(check, given, norm, func(v string, tokenForm bool) {
		w.prot = append(w.prot, v)
		if !tok || !tokenForm {
			w.needles.Add(v)
		}
	})
}

// watch makes tok report every value it tokenises for the first time to
// the worker's needles, and checks each new token's full grammar; cells
// then need only the cheap shape check of tokenShape, since a token
// column holds copies of tokens made here.
func (w *guardWorker) watch(tok *anonymize.Worker) {
	tok.OnMiss(func(value, token string) {
		w.needles.Add(value)
		if !residual.WellFormedToken(token) {
			w.badTokens++
		}
	})
}

// tokenShape is the per-cell check of a token column: a token prefix and
// at least a token's length. A raw value would have to look like this to
// pass, and new tokens get the full grammar check in watch.
func tokenShape(v string) bool {
	return len(v) >= 2+residual.MinTokenBody && v[1] == '_' && (v[0] == 'r' || v[0] == 'o')
}

// row checks one accepted row: its tokens' grammar, its kept values
// against its own protected values; it remembers the distinct values of
// the other columns for the end of the run. It resets the row's needles.
func (w *guardWorker) row(r policy.Row) {
	g := w.g
	for _, c := range g.tokenCols {
		if r.Valid[c] {
			w.cells++
			if !tokenShape(r.S[c]) {
				w.malformed[c]++
			}
		}
	}
	w.kept, w.keptCols = w.kept[:0], w.keptCols[:0]
	for _, c := range g.keptCols {
		if r.Valid[c] {
			w.kept = append(w.kept, r.S[c])
			w.keptCols = append(w.keptCols, g.cols[c])
		}
	}
	if len(w.prot) > 0 && len(w.kept) > 0 {
		g.rows.RowCheck(g.pol.Dataset.Name, w.keptCols, w.kept, w.prot)
	}
	w.prot = w.prot[:0]
	w.maybeSpill()
	w.cells += int64(len(w.kept))
	for k, c := range g.fullCols {
		if !r.Valid[c] {
			continue
		}
		w.cells++
		v := r.S[c]
		if len(v) < residual.DefaultMinLen {
			// Too short to hold a needle or a PII pattern: a currency, a
			// country code, a gender.
			continue
		}
		rs := &w.recent[k]
		if rs.has(v) {
			continue
		}
		if _, ok := w.distinct[k][v]; !ok {
			v = strings.Clone(v)
			w.distinct[k][v] = struct{}{}
			rs.put(v)
		}
	}
}

// recentSet is a small direct-mapped cache in front of a column's
// distinct-value map: most columns it guards have a few dozen values
// (bands, regions, countries), so a string compare replaces a map lookup.
// It holds only strings the map owns.
type recentSet struct{ slots [64]string }

func recentSlot(v string) int {
	if v == "" {
		return 0
	}
	return (len(v)*131 + int(v[0])*31 + int(v[len(v)/2])*7 + int(v[len(v)-1])) & 63
}

func (r *recentSet) has(v string) bool { return r.slots[recentSlot(v)] == v }
func (r *recentSet) put(v string)      { r.slots[recentSlot(v)] = v }

// text remembers a redacted text (written by the stage after the policy
// applied the rest of the row) for the end-of-run check.
func (w *guardWorker) text(col int, v string) {
	w.cells++
	for k, c := range w.g.fullCols {
		if c == col {
			w.distinct[k][v] = struct{}{}
		}
	}
}

// skip forgets the needles' per-row list after a rejected record (its
// raw values stay needles: a rejected record's values must not appear
// either).
func (w *guardWorker) skip() {
	w.prot = w.prot[:0]
	w.maybeSpill()
}

// finish merges the workers and checks every remembered value against
// every needle. extra are further values with their column and class
// (quarantine's file paths).
func (g *guard) finish(ws []*guardWorker, extra map[string][]string) (residual.Result, error) {
	if g.spillErr != nil {
		return residual.Result{}, g.spillErr
	}
	for _, w := range ws {
		if w.err != nil {
			return residual.Result{}, w.err
		}
		if err := g.spill.Merge(w.needles); err != nil {
			return residual.Result{}, err
		}
		w.needles = residual.NewNeedles(residual.DefaultMinLen)
	}
	ds := g.pol.Dataset.Name
	// Once per shard of the needles (once unless they outgrew the budget).
	res, err := g.spill.Scan(func(sc *residual.Scanner) error {
		for _, w := range ws {
			for k, vals := range w.distinct {
				c := g.fullCols[k]
				for v := range vals {
					sc.Check(ds, g.cols[c], g.classes[c], v)
				}
			}
		}
		for _, x := range g.more {
			for _, v := range x.values {
				sc.Check(x.dataset, x.column, residual.Text, v)
			}
		}
		for name, vals := range extra {
			for _, v := range vals {
				sc.Check(schemas.Quarantine.Name, name, residual.Generalised, v)
			}
		}
		return nil
	})
	if err != nil {
		return residual.Result{}, err
	}
	res.Findings = append(res.Findings, g.rows.Result().Findings...)
	res.Cells = 0 // the end-of-run checks revisit cells counted below
	for _, w := range ws {
		res.Cells += w.cells
	}
	malformed := map[int]int64{}
	for _, w := range ws {
		for c, n := range w.malformed {
			malformed[c] += n
		}
	}
	for c, n := range malformed {
		res.Findings = append(res.Findings, residual.Finding{Dataset: ds, Column: g.cols[c], Kind: residual.MalformedToken, Count: n})
	}
	var bad int64
	for _, w := range ws {
		bad += w.badTokens
	}
	if bad > 0 {
		res.Findings = append(res.Findings, residual.Finding{Dataset: ds, Column: "(tokens made)", Kind: residual.MalformedToken, Count: bad})
	}
	if n := g.spill.TokenShaped(); n > 0 {
		// Token columns are checked by shape, not against needles.
		res.Findings = append(res.Findings, residual.Finding{Dataset: ds, Column: "(raw values)", Kind: residual.MalformedToken, Count: int64(n)})
	}
	res.Passed = len(res.Findings) == 0
	return res, nil
}

// leakError describes findings without any value.
func leakError(res residual.Result) error {
	var parts []string
	for _, f := range res.Findings {
		parts = append(parts, fmt.Sprintf("%s.%s: %s x%d", f.Dataset, f.Column, f.Kind, f.Count))
	}
	return fmt.Errorf("%w (%s); nothing committed", ErrLeak, strings.Join(parts, ", "))
}

// residualStats is the scan's summary for the manifest's stats.
func residualStats(stats *pipeline.Stats, res residual.Result) {
	b, err := json.Marshal(res)
	if err == nil {
		stats.Residual = b
	}
}

// scan runs the residual scan of the run's output before anything is
// committed; a finding fails the run, and r.close aborts its staging.
// extra are findings the stage made in outputs the guard does not see.
func (r *run) scan(job *pipeline.Job, g *guard, ws []*guardWorker, stats *pipeline.Stats, extra ...residual.Finding) error {
	defer g.spill.Close()
	res, err := g.finish(ws, map[string][]string{"file": relPaths(r.files)})
	if err != nil {
		return fmt.Errorf("residual scan: %w", err)
	}
	if len(extra) > 0 {
		res.Findings = append(res.Findings, extra...)
		res.Passed = false
	}
	residualStats(stats, res)
	if !res.Passed {
		job.Log.Error("residual scan failed; nothing committed", "findings", len(res.Findings))
		return leakError(res)
	}
	job.Log.Info("residual scan passed", "needles", res.Needles, "cells", res.Cells, "collisions", len(res.Collisions))
	return nil
}
