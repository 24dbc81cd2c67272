package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/veil-data/veil/sinks"
)

// A job holds <warehouse>/_locks/<stage>/dt=<date>.lock from before it
// decides whether the stage is due until its run has committed or
// aborted, so two processes never write one stage's partitions of one
// date at once (every output partition has exactly one producing stage).
// The lock is a flock(2) on the file, which the kernel releases when the
// holder dies; the file holds the holder's pid, host, start time and run
// id (sinks.Holder) for the messages below. A file that can be locked but
// still holds a record is a dead holder's: it is taken over, with a
// warning naming the dead holder.

// ErrBusy reports a stage and date being written by another process.
var ErrBusy = errors.New("partition is being written")

// BusyError names the live holder of a stage and date's lock.
type BusyError struct {
	Stage, DT string
	Holder    sinks.Holder
	Waited    time.Duration
}

func (e *BusyError) Error() string {
	s := fmt.Sprintf("%s %s: partition is being written by %s", e.Stage, e.DT, e.Holder)
	if e.Waited > 0 {
		s += fmt.Sprintf("; gave up after waiting %s", e.Waited.Round(time.Second))
	}
	return s
}

func (e *BusyError) Unwrap() error { return ErrBusy }

// LockPath is the lock file of a stage and date.
func LockPath(wh *sinks.Warehouse, stage, dt string) string {
	return filepath.Join(wh.Root, "_locks", stage, "dt="+dt+".lock")
}

// lockPartition takes the lock of stage and dt, waiting up to wait for a
// live holder to finish (zero: not at all) and giving up when ctx ends.
func (r *Runner) lockPartition(ctx context.Context, stage, dt, runID string, wait time.Duration) (*sinks.Lock, error) {
	path := LockPath(r.Env.Warehouse, stage, dt)
	self := sinks.Self(runID, stage+" dt="+dt)
	start := time.Now()
	logged := false
	for {
		l, stale, err := sinks.TryLock(path, self)
		if err == nil {
			if stale != nil {
				r.Env.Log.Warn("took over a stale partition lock: its holder is gone",
					"stage", stage, "dt", dt, "lock", path, "holder_pid", stale.PID, "holder_host", stale.Host,
					"holder_since", stale.Started, "holder_run_id", stale.RunID)
			}
			return l, nil
		}
		var le *sinks.LockedError
		if !errors.As(err, &le) {
			return nil, fmt.Errorf("%s %s: %w", stage, dt, err)
		}
		waited := time.Since(start)
		if waited >= wait {
			return nil, &BusyError{Stage: stage, DT: dt, Holder: le.Holder, Waited: waited.Truncate(time.Millisecond * 100)}
		}
		if !logged {
			r.Env.Log.Info("waiting for a partition lock", "stage", stage, "dt", dt, "holder", le.Holder.String(), "max_wait", wait.String())
			logged = true
		}
		t := time.NewTimer(min(200*time.Millisecond, wait-waited))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%s %s: waiting for %s: %w", stage, dt, le.Holder, ctx.Err())
		case <-t.C:
		}
	}
}

// CleanStaging removes the staging and trash of runs whose process is gone
// (sinks.Warehouse.CleanStaging), logging each at warn with its dead
// holder. Every command calls it when it opens the warehouse, and the
// scheduler at every firing, so a killed run's leftovers do not pile up.
func CleanStaging(wh *sinks.Warehouse, log *slog.Logger) error {
	stale, err := wh.CleanStaging()
	for _, s := range stale {
		attrs := []any{"run_id", s.RunID, "bytes", s.Bytes}
		if s.Holder != nil {
			attrs = append(attrs, "holder_pid", s.Holder.PID, "holder_host", s.Holder.Host, "holder_since", s.Holder.Started)
		}
		log.Warn("removed the staging of a run whose process is gone", attrs...)
	}
	return err
}
