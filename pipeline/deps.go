package pipeline

import (
	"strings"
	"time"

	"github.com/veil-data/veil/sinks"
)

// Reporter is a stage that reports on the other stages' outputs (the
// report). It runs even when one of them failed, with the gaps in
// Job.Incomplete, so that a day with a failed stage gets a report that
// says so rather than one that looks whole; and it is due again when those
// gaps change (see Check).
type Reporter interface {
	Stage
	ReportsGaps()
}

// Gap states.
const (
	GapFailed  = "failed"
	GapSkipped = "skipped"
	GapWaiting = "waiting"
	GapDue     = "due"
)

// maxSkipChain bounds how far Gaps follows a chain of stages skipped
// because of an upstream failure (opt-out registries chain day by day).
const maxSkipChain = 64

// dep is a stage and date whose outputs another stage reads.
type dep struct {
	stage Stage
	dt    time.Time
}

// deps lists the stages and dates whose outputs s reads for dt, from the
// plans: an input partition that a stage's plan outputs, whether another
// stage's for that date or s's own for an earlier date (a registry folded
// onto yesterday's).
func (r *Runner) deps(s Stage, dt time.Time) []dep {
	plans := map[string]Plan{}
	plan := func(u Stage, d time.Time) Plan {
		k := u.Name() + " " + d.Format(time.DateOnly)
		p, ok := plans[k]
		if !ok {
			p = u.Plan(d)
			plans[k] = p
		}
		return p
	}
	var out []dep
	seen := map[string]bool{}
	for _, in := range s.Plan(dt).Inputs {
		if in.Feed != "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, in.Partition.DT)
		if err != nil {
			continue
		}
		for _, u := range r.Stages {
			if u.Name() == s.Name() && d.Equal(dt) {
				continue
			}
			k := u.Name() + " " + in.Partition.DT
			if seen[k] || !produces(plan(u, d), in) {
				continue
			}
			seen[k] = true
			out = append(out, dep{stage: u, dt: d})
		}
	}
	return out
}

func produces(p Plan, in Input) bool {
	for _, o := range p.Outputs {
		if o.Dataset.Name == in.Dataset.Name && o.Partition == in.Partition {
			return true
		}
	}
	return false
}

// Gaps lists, for each stage whose outputs s reads for dt and that is not
// up to date, why: failed (its latest attempt failed), skipped (its
// upstream failed), waiting (its inputs are not committed) or due.
func (r *Runner) Gaps(s Stage, dt time.Time) ([]sinks.Gap, error) {
	var out []sinks.Gap
	for _, d := range r.deps(s, dt) {
		g, err := r.gap(d.stage, d.dt, 0)
		if err != nil {
			return nil, err
		}
		if g != nil {
			out = append(out, *g)
		}
	}
	return out, nil
}

// gap says why u's outputs for dt are not up to date; nil when they are.
// A failure counts only while the outputs are not up to date: a forced
// re-run that failed leaves the previous, still valid, outputs in place.
func (r *Runner) gap(u Stage, dt time.Time, depth int) (*sinks.Gap, error) {
	day := dt.Format(time.DateOnly)
	st, err := r.Check(u, dt)
	if err != nil {
		return nil, err
	}
	if st.Ready && !st.Due {
		return nil, nil
	}
	g := &sinks.Gap{Stage: u.Name(), DT: day}
	rec, ok, err := r.latest(u.Name(), day)
	if err != nil {
		return nil, err
	}
	switch {
	case ok && (rec.Outcome == Failed || rec.Outcome == Panicked):
		g.State, g.Detail = GapFailed, strings.TrimPrefix(rec.Error, u.Name()+" "+day+": ")
		return g, nil
	case ok && rec.Outcome == SkippedUpstream && depth < maxSkipChain:
		// Skipped then; still so only while its upstream is still failed.
		up, err := r.failedUpstream(u, dt, depth+1)
		if err != nil {
			return nil, err
		}
		if up != nil {
			g.State, g.Detail = GapSkipped, upstreamCause(up)
			return g, nil
		}
	}
	g.State, g.Detail = GapDue, st.Reason
	if !st.Ready {
		g.State = GapWaiting
	}
	return g, nil
}

// failedUpstream returns the first stage and date s reads for dt that
// failed or was skipped because of a failure further up; nil if none.
func (r *Runner) failedUpstream(s Stage, dt time.Time, depth int) (*sinks.Gap, error) {
	for _, d := range r.deps(s, dt) {
		g, err := r.gap(d.stage, d.dt, depth)
		if err != nil {
			return nil, err
		}
		if g != nil && (g.State == GapFailed || g.State == GapSkipped) {
			return g, nil
		}
	}
	return nil, nil
}

// upstreamCause names the failure behind g: "upstream ingest 2026-11-19
// failed", through any chain of skips.
func upstreamCause(g *sinks.Gap) string {
	if g.State == GapSkipped {
		return g.Detail
	}
	return "upstream " + g.Stage + " " + g.DT + " failed"
}

func (r *Runner) latest(stage, dt string) (Record, bool, error) {
	if r.Journal == nil {
		return Record{}, false, nil
	}
	return r.Journal.Latest(stage, dt)
}

// sameGaps compares gaps by stage, date and state; the detail (an error
// message) may differ between two failures of the same kind.
func sameGaps(a, b []sinks.Gap) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(g sinks.Gap) string { return g.Stage + " " + g.DT + " " + g.State }
	seen := map[string]int{}
	for _, g := range a {
		seen[key(g)]++
	}
	for _, g := range b {
		if seen[key(g)]--; seen[key(g)] < 0 {
			return false
		}
	}
	return true
}

func joinGaps(gaps []sinks.Gap) string {
	s := make([]string, len(gaps))
	for i, g := range gaps {
		s[i] = g.String()
	}
	return strings.Join(s, "; ")
}

// Describe says, for veil status, what state a stage and date is in:
// "up to date", "incomplete" (a Reporter computed despite upstream gaps),
// "failed", "skipped" (an upstream stage failed), "waiting" or "due",
// and why.
func (r *Runner) Describe(s Stage, dt time.Time) (state, why string, err error) {
	st, err := r.Check(s, dt)
	if err != nil {
		return "", "", err
	}
	if st.Ready && !st.Due {
		if len(st.Incomplete) > 0 {
			return "incomplete", joinGaps(st.Incomplete), nil
		}
		return "up to date", st.Reason, nil
	}
	g, err := r.gap(s, dt, 0)
	if err != nil || g == nil {
		return "up to date", st.Reason, err
	}
	if _, ok := s.(Reporter); !ok && (g.State == GapWaiting || g.State == GapDue) {
		// Not attempted since its upstream failed: say what it waits for.
		up, err := r.failedUpstream(s, dt, 0)
		if err != nil {
			return "", "", err
		}
		if up != nil {
			return GapSkipped, upstreamCause(up), nil
		}
	}
	return g.State, g.Detail, nil
}
