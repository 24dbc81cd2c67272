package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Failure is a stage and date a backfill did not bring up to date.
type Failure struct {
	Stage, DT string
	Outcome   Outcome // failed, panicked, skipped_upstream or skipped_locked
	Err       error
}

// Failures is the error Backfill returns when stages failed or were not
// run, one entry per stage and date, in the order they happened.
type Failures []Failure

func (f Failures) Error() string {
	msgs := make([]string, len(f))
	for i, x := range f {
		msgs[i] = x.Err.Error()
	}
	return strings.Join(msgs, "\n")
}

func (f Failures) Unwrap() []error {
	errs := make([]error, len(f))
	for i, x := range f {
		errs[i] = x.Err
	}
	return errs
}

// Backfill runs every stage, in order, for each date in [from, to]; with
// force it recomputes partitions that are up to date. A failure does not
// stop the backfill: the stages that read the failed stage's outputs are
// skipped for that date (and journaled as such), the report of the date
// is committed saying what is missing, and other stages and dates go on.
// It returns Failures listing every failed and skipped stage and date.
func (r *Runner) Backfill(ctx context.Context, from, to time.Time, force bool) error {
	if to.Before(from) {
		return fmt.Errorf("backfill: --to %s is before --from %s", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	var fails Failures
	passes := 1
	if r.looksAhead(from) {
		// A stage that reads later dates (training reads the labels of
		// the 30 days after its date) is due again once the backfill has
		// reached them, and so is what reads its output: a second pass
		// runs whatever is due, and only that.
		passes = 2
	}
	for pass := 0; pass < passes; pass++ {
		if pass > 0 {
			force = false
		}
		fails = r.backfillPass(ctx, from, to, force, fails[:0])
		if err := ctx.Err(); err != nil {
			if len(fails) == 0 {
				return err
			}
			return errors.Join(fails, err)
		}
	}
	if len(fails) > 0 {
		return fails
	}
	return nil
}

// looksAhead reports whether some stage's plan for dt reads a partition
// of a later date.
func (r *Runner) looksAhead(dt time.Time) bool {
	day := dt.Format(time.DateOnly)
	for _, s := range r.Stages {
		for _, in := range s.Plan(dt).Inputs {
			if in.Partition.DT > day {
				return true
			}
		}
	}
	return false
}

// backfillPass runs every due stage for each date in order and returns
// the failures appended to fails.
func (r *Runner) backfillPass(ctx context.Context, from, to time.Time, force bool, fails Failures) Failures {
	for dt := from; !dt.After(to); dt = dt.AddDate(0, 0, 1) {
		for _, s := range r.Stages {
			if ctx.Err() != nil {
				return fails
			}
			out, err := r.RunOne(ctx, s, dt, force)
			if err != nil {
				if out == UpToDate || out == Ran || out == NotReady {
					out = Failed
				}
				fails = append(fails, Failure{Stage: s.Name(), DT: dt.Format(time.DateOnly), Outcome: out, Err: err})
			}
			r.Env.Log.Debug("backfill", "stage", s.Name(), "dt", dt.Format(time.DateOnly), "outcome", out)
		}
	}
	return fails
}
