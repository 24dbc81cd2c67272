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
)

// Runner runs stages for dates, deciding from manifests what is due.
type Runner struct {
	Env     *Env
	Stages  []Stage // in dependency order
	Journal *Journal
	Now     func() time.Time
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
}

// Check compares a stage's outputs for dt with its current inputs: it is
// due when an output is missing, has an older schema version, or was
// computed from inputs that have changed since.
func (r *Runner) Check(s Stage, dt time.Time) (Status, error) {
	plan := s.Plan(dt)
	var st Status
	for _, in := range plan.Inputs {
		ref, fp, err := r.fingerprint(in)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, sinks.ErrNotCommitted) {
			if in.Required {
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
	if c, ok := s.(Configured); ok {
		st.Inputs = append(st.Inputs, sinks.Input{Ref: "config/" + s.Name(), Fingerprint: c.ConfigFingerprint()})
	}
	st.Ready = true
	var keys map[string]uint32
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
	}
	st.Reason = "outputs match inputs"
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
// always when force is set. A panic in the stage is recovered and reported
// as Panicked; the stage's deferred aborts have removed its staging by then.
func (r *Runner) RunOne(ctx context.Context, s Stage, dt time.Time, force bool) (out Outcome, err error) {
	st, err := r.Check(s, dt)
	if err != nil {
		return Failed, fmt.Errorf("%s %s: check: %w", s.Name(), dt.Format(time.DateOnly), err)
	}
	if !st.Ready {
		r.record(Record{Stage: s.Name(), DT: dt.Format(time.DateOnly), Outcome: NotReady, Reason: st.Reason})
		return NotReady, nil
	}
	if !st.Due && !force {
		return UpToDate, nil
	}
	job := &Job{Env: r.Env, Stage: s.Name(), Date: dt, RunID: NewRunID(r.now()), Inputs: st.Inputs}
	log := r.Env.Log.With("stage", s.Name(), "dt", job.DT(), "run_id", job.RunID)
	log.Info("stage started", "reason", st.Reason)
	start := r.now()
	defer func() {
		rec := Record{Stage: s.Name(), DT: job.DT(), RunID: job.RunID, Outcome: out, Reason: st.Reason, DurationMS: r.now().Sub(start).Milliseconds()}
		if p := recover(); p != nil {
			out = Panicked
			err = fmt.Errorf("%s %s: panic: %v", s.Name(), job.DT(), p)
			rec.Outcome = out
			log.Error("stage panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
		if err != nil {
			rec.Error = err.Error()
			log.Error("stage failed", "err", err)
		} else {
			log.Info("stage finished", "duration_ms", rec.DurationMS)
		}
		r.record(rec)
	}()
	if err := s.Run(ctx, job); err != nil {
		return Failed, fmt.Errorf("%s %s: %w", s.Name(), job.DT(), err)
	}
	return Ran, nil
}

// LandingDates lists the dates that have a partition in any landing feed
// a stage of r reads: the dates the scheduler and status consider.
func (r *Runner) LandingDates() ([]time.Time, error) {
	var feeds []string
	for _, s := range r.Stages {
		for _, in := range s.Plan(time.Time{}).Inputs {
			if in.Feed != "" && !slices.Contains(feeds, in.Feed) {
				feeds = append(feeds, in.Feed)
			}
		}
	}
	return LandingDates(r.Env.Landing, feeds...)
}

// RunDue runs stage s for every landing date where it is ready and due.
func (r *Runner) RunDue(ctx context.Context, s Stage) error {
	dates, err := r.LandingDates()
	if err != nil {
		return err
	}
	var errs []error
	for _, dt := range dates {
		if ctx.Err() != nil {
			break
		}
		if _, err := r.RunOne(ctx, s, dt, false); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Backfill runs every stage, in order, for each date in [from, to]; with
// force it recomputes partitions that are up to date. A failure does not
// stop the backfill: later stages of that date find their inputs missing
// and are recorded as not ready, and other dates go on. It returns every
// failure.
func (r *Runner) Backfill(ctx context.Context, from, to time.Time, force bool) error {
	if to.Before(from) {
		return fmt.Errorf("backfill: --to %s is before --from %s", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	var errs []error
	for dt := from; !dt.After(to); dt = dt.AddDate(0, 0, 1) {
		for _, s := range r.Stages {
			if err := ctx.Err(); err != nil {
				return errors.Join(append(errs, err)...)
			}
			out, err := r.RunOne(ctx, s, dt, force)
			if err != nil {
				errs = append(errs, err)
			}
			r.Env.Log.Debug("backfill", "stage", s.Name(), "dt", dt.Format(time.DateOnly), "outcome", out)
		}
	}
	return errors.Join(errs...)
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
