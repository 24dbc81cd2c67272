package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"
	"slices"
	"time"

	"github.com/veil-data/veil/sinks"
)

// Outcome is what happened to one stage and date.
type Outcome string

const (
	Ran      Outcome = "ran"
	Failed   Outcome = "failed"
	Panicked Outcome = "panicked"
	NotReady Outcome = "not_ready"
	UpToDate Outcome = "up_to_date"
	Skipped  Outcome = "skipped_overlap"
	// SkippedUpstream: not run because a stage whose output it reads
	// failed (or was itself skipped) for that date.
	SkippedUpstream Outcome = "skipped_upstream"
	// Busy: another process holds the stage and date's lock.
	Busy Outcome = "skipped_locked"
)

// ErrUpstreamFailed reports a stage not run because a stage whose output
// it reads failed.
var ErrUpstreamFailed = errors.New("upstream failed")

// upstreamError is ErrUpstreamFailed naming the failure.
type upstreamError string

func (e upstreamError) Error() string { return string(e) }

func (upstreamError) Unwrap() error { return ErrUpstreamFailed }

// Runner runs stages for dates, deciding from manifests what is due.
type Runner struct {
	Env     *Env
	Stages  []Stage // in dependency order
	Journal *Journal
	Now     func() time.Time
	// LockWait is how long RunOne and Backfill wait for a stage and date
	// that another process is writing before failing with a *BusyError;
	// zero fails at once. The scheduler never waits: it skips the date and
	// the next firing reconsiders it.
	LockWait time.Duration
	// Observer, if set, is told of every stage and date the runner
	// considers (metrics, progress lines).
	Observer Observer
}

// Stage returns the named stage.
func (r *Runner) Stage(name string) (Stage, error) {
	for _, s := range r.Stages {
		if s.Name() == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("unknown stage %q", name)
}

// Configured is a stage whose outputs depend on configuration beyond its
// inputs (a field policy, tag rules): a change of ConfigFingerprint makes
// its outputs due, like a change of input.
type Configured interface {
	ConfigFingerprint() string
}

// Status says whether a stage can run for a date and whether it should.
type Status struct {
	Ready  bool
	Due    bool
	Reason string
	Inputs []sinks.Input
	// Incomplete, for a Reporter that is not due, lists the upstream gaps
	// its output was computed despite, which are still there.
	Incomplete []sinks.Gap
}

// Check compares a stage's outputs for dt with its current inputs: it is
// due when an output is missing, has an older schema version, or was
// computed from inputs that have changed since; a Reporter also when the
// upstream gaps it recorded have changed.
func (r *Runner) Check(s Stage, dt time.Time) (Status, error) {
	plan := s.Plan(dt)
	var st Status
	extra, err := r.extractInputs(s, dt)
	if err != nil {
		return st, err
	}
	for _, in := range plan.Inputs {
		ref, fp, err := r.fingerprint(in)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, sinks.ErrNotCommitted) {
			// A day that historical batches have rows on needs no daily
			// landing partition.
			if in.Required && (in.Feed == "" || len(extra) == 0) {
				st.Reason = ref + " not committed"
				return st, nil
			}
			continue
		}
		if err != nil {
			return st, err
		}
		st.Inputs = append(st.Inputs, sinks.Input{Ref: ref, Fingerprint: fp})
	}
	st.Inputs = append(st.Inputs, extra...)
	if c, ok := s.(Configured); ok {
		st.Inputs = append(st.Inputs, sinks.Input{Ref: "config/" + s.Name(), Fingerprint: c.ConfigFingerprint()})
	}
	st.Ready = true
	var keys map[string]uint32
	var first *sinks.Manifest
	for _, out := range plan.Outputs {
		m, err := r.Env.Warehouse.Manifest(out.Dataset, out.Partition)
		if errors.Is(err, sinks.ErrNotCommitted) {
			st.Due, st.Reason = true, out.Dataset.Name+" missing"
			return st, nil
		}
		if err != nil {
			return st, err
		}
		if m.SchemaVersion != out.Dataset.Version {
			st.Due, st.Reason = true, out.Dataset.Name+" has an older schema version"
			return st, nil
		}
		if !sameInputs(m.Inputs, st.Inputs) {
			st.Due, st.Reason = true, out.Dataset.Name+" is older than its inputs or configuration"
			return st, nil
		}
		if len(m.KeyIDs) > 0 {
			if keys == nil {
				keys = r.primaryKeys(context.Background())
			}
			if d := staleKeys(m.KeyIDs, keys); d != "" {
				st.Due, st.Reason = true, out.Dataset.Name+" was tokenised under rotated keys ("+d+")"
				return st, nil
			}
		}
		if first == nil {
			first = m
		}
	}
	st.Reason = "outputs match inputs"
	if _, ok := s.(Reporter); ok && first != nil {
		gaps, err := r.Gaps(s, dt)
		if err != nil {
			return st, err
		}
		if !sameGaps(first.Incomplete, gaps) {
			st.Due, st.Reason = true, "upstream stages changed since it was computed"
			return st, nil
		}
		if len(gaps) > 0 {
			st.Incomplete, st.Reason = gaps, "incomplete: "+joinGaps(gaps)
		}
	}
	return st, nil
}

func (r *Runner) fingerprint(in Input) (ref, fp string, err error) {
	if in.Feed != "" {
		ref = "landing/" + in.Feed + "/dt=" + in.Partition.DT
		fp, err = landingFingerprint(r.Env.Landing, in.Feed, in.Partition.DT)
		return ref, fp, err
	}
	ref = "warehouse/" + in.Dataset.Name + "/" + in.Partition.Path(in.Dataset)
	m, err := r.Env.Warehouse.Manifest(in.Dataset, in.Partition)
	if err != nil {
		return ref, "", err
	}
	return ref, m.Fingerprint(), nil
}

func sameInputs(a, b []sinks.Input) bool {
	if len(a) != len(b) {
		return false
	}
	seen := make(map[sinks.Input]bool, len(a))
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
}

// RunOne runs stage s for dt if its inputs are ready and it is due, or
// always when force is set; it waits up to r.LockWait for another process
// writing the same stage and date. A stage whose upstream failed is not
// run (ErrUpstreamFailed), unless it is a Reporter. A panic in the stage
// is recovered and reported as Panicked; the stage's deferred aborts have
// removed its staging by then, and whatever the run left is removed before
// RunOne returns.
func (r *Runner) RunOne(ctx context.Context, s Stage, dt time.Time, force bool) (Outcome, error) {
	return r.run(ctx, s, dt, force, r.LockWait, false)
}

// run attempts s for dt and tells the observer what came of it. It logs
// no failure it returns: its caller reports each once (RunDue in the log,
// the command line on stderr).
func (r *Runner) run(ctx context.Context, s Stage, dt time.Time, force bool, wait time.Duration, skipBusy bool) (Outcome, error) {
	res := RunResult{Stage: s.Name(), DT: dt.Format(time.DateOnly)}
	out, err := r.attempt(ctx, s, dt, force, wait, skipBusy, &res)
	res.Outcome, res.Err = out, err
	r.observe(s, dt, res)
	return out, err
}

func (r *Runner) attempt(ctx context.Context, s Stage, dt time.Time, force bool, wait time.Duration, skipBusy bool, res *RunResult) (out Outcome, err error) {
	name, day := s.Name(), dt.Format(time.DateOnly)
	runID := NewRunID(r.now())
	// A failure to decide is a failure of the stage: journaled, so that
	// the stages downstream know.
	failed := func(err error) (Outcome, error) {
		r.record(Record{Stage: name, DT: day, RunID: runID, Outcome: Failed, Error: err.Error()})
		return Failed, err
	}
	// Decide under the lock: what another process commits meanwhile
	// changes what is due.
	lock, err := r.lockPartition(ctx, name, day, runID, wait)
	if err != nil {
		var busy *BusyError
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return Failed, err // stopped while waiting: nothing was attempted
		}
		if !errors.As(err, &busy) {
			return failed(err)
		}
		r.record(Record{Stage: name, DT: day, Outcome: Busy, Reason: busy.Error()})
		if skipBusy {
			r.Env.Log.Info("stage skipped: another process is writing it", "stage", name, "dt", day, "holder", busy.Holder.String())
			return Busy, nil
		}
		return Busy, err
	}
	defer lock.Unlock()

	st, err := r.Check(s, dt)
	if err != nil {
		return failed(fmt.Errorf("%s %s: check: %w", name, day, err))
	}
	if _, reporter := s.(Reporter); !reporter && (!st.Ready || st.Due || force) {
		up, err := r.failedUpstream(s, dt, 0)
		if err != nil {
			return failed(fmt.Errorf("%s %s: check upstream: %w", name, day, err))
		}
		if up != nil {
			reason := "skipped: " + upstreamCause(up)
			r.record(Record{Stage: name, DT: day, Outcome: SkippedUpstream, Reason: reason})
			r.Env.Log.Debug("stage skipped: an upstream stage failed", "stage", name, "dt", day, "upstream", up.Stage, "upstream_dt", up.DT)
			return SkippedUpstream, fmt.Errorf("%s %s: skipped: %w", name, day, upstreamError(upstreamCause(up)))
		}
	}
	if !st.Ready {
		r.record(Record{Stage: name, DT: day, Outcome: NotReady, Reason: st.Reason})
		return NotReady, nil
	}
	if !st.Due && !force {
		return UpToDate, nil
	}
	job := &Job{Env: r.Env, Stage: name, Date: dt, RunID: runID, Inputs: st.Inputs}
	if _, ok := s.(Reporter); ok {
		if job.Incomplete, err = r.Gaps(s, dt); err != nil {
			return failed(fmt.Errorf("%s %s: check upstream: %w", name, day, err))
		}
	}
	// Hold the run's staging for the whole job; ending the run removes
	// whatever the stage left behind, whether it failed, panicked, was
	// cancelled or forgot to abort a writer, before the partition lock is
	// released.
	if _, err := r.Env.Warehouse.HoldRun(runID); err != nil {
		return failed(fmt.Errorf("%s %s: %w", name, day, err))
	}
	defer r.Env.Warehouse.EndRun(runID)
	log := r.Env.Log.With("stage", name, "dt", day, "run_id", runID)
	log.Info("stage started", "reason", st.Reason)
	start := r.now()
	res.RunID, res.Started = runID, true
	defer func() {
		d := r.now().Sub(start)
		res.Duration = d
		rec := Record{Stage: name, DT: day, RunID: runID, Outcome: out, Reason: st.Reason, DurationMS: d.Milliseconds()}
		if p := recover(); p != nil {
			out = Panicked
			err = &PanicError{Stage: name, DT: day, Value: p, Stack: debug.Stack()}
			rec.Outcome = out
		}
		if err != nil {
			rec.Error = err.Error()
			log.Debug("stage failed", "err", err)
		} else {
			log.Info("stage finished", "duration_ms", rec.DurationMS)
		}
		r.record(rec)
	}()
	if err := s.Run(ctx, job); err != nil {
		return Failed, fmt.Errorf("%s %s: %w", name, day, err)
	}
	return Ran, nil
}

// LandingDates lists the dates that have a partition in any landing feed
// a stage of r reads, and the days historical batches have rows on
// (Extracts): the dates the scheduler and status consider.
func (r *Runner) LandingDates() ([]time.Time, error) {
	var feeds []string
	for _, s := range r.Stages {
		for _, in := range s.Plan(time.Time{}).Inputs {
			if in.Feed != "" && !slices.Contains(feeds, in.Feed) {
				feeds = append(feeds, in.Feed)
			}
		}
	}
	return datesWithExtracts(r.Env.Landing, feeds, r.Stages)
}

// stageDates are the dates RunDue considers for s: for a stage that
// requires a landing feed, that feed's dates and the days of its
// historical batches; otherwise every date of r. A firing of chats thus
// does not journal "not ready" for each day of an events extract.
func (r *Runner) stageDates(s Stage) ([]time.Time, error) {
	var feeds []string
	for _, in := range s.Plan(time.Time{}).Inputs {
		if in.Feed != "" && in.Required {
			feeds = append(feeds, in.Feed)
		}
	}
	if len(feeds) == 0 {
		return r.LandingDates()
	}
	return datesWithExtracts(r.Env.Landing, feeds, []Stage{s})
}

// datesWithExtracts lists the dates of the feeds' landing partitions and
// the days the historical batches of stages (Extracts) have rows on.
func datesWithExtracts(landing string, feeds []string, stages []Stage) ([]time.Time, error) {
	dates, err := LandingDates(landing, feeds...)
	if err != nil {
		return nil, err
	}
	for _, s := range stages {
		if x, ok := s.(Extracts); ok {
			more, err := x.ExtractDates(landing)
			if err != nil {
				return nil, err
			}
			dates = mergeDates(dates, more)
		}
	}
	return dates, nil
}

// RunDue runs stage s for every landing date where it is ready and due.
// A date another process is writing is skipped (and journaled): the next
// firing reconsiders it.
func (r *Runner) RunDue(ctx context.Context, s Stage) error {
	_, err := r.runDue(ctx, s)
	return err
}

// runDue is RunDue counting the dates by outcome.
func (r *Runner) runDue(ctx context.Context, s Stage) (map[Outcome]int, error) {
	n := map[Outcome]int{}
	dates, err := r.stageDates(s)
	if err != nil {
		return n, err
	}
	if r.Observer != nil {
		r.Observer.Due(s.Name(), r.countDue(s, dates))
	}
	var errs []error
	for _, dt := range dates {
		if ctx.Err() != nil {
			break
		}
		out, err := r.run(ctx, s, dt, false, 0, true)
		n[out]++
		if err != nil {
			r.logFailure(s.Name(), dt, out, err)
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

func (r *Runner) record(rec Record) {
	if r.Journal == nil {
		return
	}
	rec.Time = r.now().UTC()
	if err := r.Journal.Append(rec); err != nil {
		r.Env.Log.Error("journal append failed", "err", err)
	}
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// NewRunID returns a sortable, unique run id.
func NewRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405.000Z") + "-" + hex.EncodeToString(b[:])
}
