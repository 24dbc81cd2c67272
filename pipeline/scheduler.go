package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Scheduler fires stages on their cron schedules. A firing processes every
// date whose inputs are committed and whose outputs are missing or stale.
// A firing that overlaps a running one of the same stage is skipped and
// journaled, and so is a date another process (a veil once) is writing;
// a panic is recovered and journaled. Each firing first removes the
// staging of runs whose process is gone.
type Scheduler struct {
	Runner    *Runner
	Schedules map[string]string

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// Run schedules every stage and blocks until ctx is cancelled, then waits
// for running firings, which see the cancellation and abort what they
// staged.
func (s *Scheduler) Run(ctx context.Context) error {
	c := cron.New(cron.WithLocation(time.UTC))
	for name, spec := range s.Schedules {
		st, err := s.Runner.Stage(name)
		if err != nil {
			return err
		}
		if _, err := c.AddFunc(spec, func() { s.Fire(ctx, st) }); err != nil {
			return fmt.Errorf("schedule %s: %w", name, err)
		}
	}
	c.Start()
	s.Runner.Env.Log.Info("scheduler started", "stages", len(s.Schedules))
	<-ctx.Done()
	s.Runner.Env.Log.Info("scheduler stopping; waiting for running stages")
	<-c.Stop().Done()
	return nil
}

// Fire runs one firing of stage st now.
func (s *Scheduler) Fire(ctx context.Context, st Stage) {
	lock := s.lock(st.Name())
	if !lock.TryLock() {
		s.Runner.record(Record{Stage: st.Name(), Outcome: Skipped, Reason: "previous firing still running"})
		s.Runner.Env.Log.Warn("firing skipped: previous still running", "stage", st.Name())
		return
	}
	defer lock.Unlock()
	defer func() {
		if p := recover(); p != nil {
			s.Runner.record(Record{Stage: st.Name(), Outcome: Panicked, Error: fmt.Sprint(p)})
			s.Runner.Env.Log.Error("firing panicked", "stage", st.Name(), "panic", fmt.Sprint(p))
		}
	}()
	if err := CleanStaging(s.Runner.Env.Warehouse, s.Runner.Env.Log); err != nil {
		s.Runner.Env.Log.Error("staging clean-up failed", "err", err)
	}
	// Each failure was logged once by runDue; this is the firing's outcome,
	// at info so that a daemon at the default level is not silent.
	start := time.Now()
	n, err := s.Runner.runDue(ctx, st)
	attrs := []any{"stage", st.Name(), "duration_ms", time.Since(start).Milliseconds()}
	for _, o := range []Outcome{Ran, UpToDate, NotReady, Failed, Panicked, SkippedUpstream, Busy} {
		if n[o] > 0 || o == Ran || o == Failed {
			attrs = append(attrs, string(o), n[o])
		}
	}
	if err != nil && n[Failed]+n[Panicked]+n[SkippedUpstream]+n[Busy] == 0 {
		// Failed before any date was tried (listing the landing zone).
		s.Runner.Env.Log.Error("firing failed", append(attrs, "err", err)...)
		return
	}
	s.Runner.Env.Log.Info("firing done", attrs...)
}

func (s *Scheduler) lock(name string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks == nil {
		s.locks = make(map[string]*sync.Mutex)
	}
	if s.locks[name] == nil {
		s.locks[name] = new(sync.Mutex)
	}
	return s.locks[name]
}

// countDue counts the dates where s is ready and due; a date it cannot
// check counts as due, since the firing will try it.
func (r *Runner) countDue(s Stage, dates []time.Time) int {
	n := 0
	for _, dt := range dates {
		st, err := r.Check(s, dt)
		if err != nil || (st.Ready && st.Due) {
			n++
		}
	}
	return n
}

// logFailure logs, once, a stage and date the scheduler could not bring
// up to date; a panic's stack goes with it.
func (r *Runner) logFailure(stage string, dt time.Time, out Outcome, err error) {
	attrs := []any{"stage", stage, "dt", dt.Format(time.DateOnly), "outcome", out, "err", err}
	var p *PanicError
	if errors.As(err, &p) {
		attrs = append(attrs, "stack", string(p.Stack))
	}
	if out == SkippedUpstream {
		r.Env.Log.Warn("stage skipped: an upstream stage failed", attrs...)
		return
	}
	r.Env.Log.Error("stage failed", attrs...)
}
