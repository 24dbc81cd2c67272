package sinks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// A run's staging is <root>/_staging/<run>/ and the old partitions its
// commits retire go to <root>/_trash/<run>/. Both belong to whoever holds
// <root>/_staging/<run>.lock: a writer takes it before it creates either
// directory and releases it after removing what is left of them, so a
// directory whose lock nobody holds was left by a dead process and any
// process may remove it.

// runHold counts this process's holds on one run's staging lock.
type runHold struct {
	n    int
	lock *Lock
}

// StaleRun is a run whose staging CleanStaging removed: its holder was gone.
type StaleRun struct {
	RunID string
	// Holder is the dead holder's record; nil when the staging had none
	// (left by a veil from before staging locks).
	Holder *Holder
	Bytes  int64 // staged and trashed bytes removed
}

func (w *Warehouse) stagingDir(runID string) string {
	return filepath.Join(w.Root, "_staging", runID)
}

func (w *Warehouse) trashDir(runID string) string { return filepath.Join(w.Root, "_trash", runID) }

func (w *Warehouse) runLockPath(runID string) string {
	return filepath.Join(w.Root, "_staging", runID+".lock")
}

// validRunID refuses run ids that are not one path element: they name
// directories under _staging and _trash.
func validRunID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, `/\`) || strings.HasSuffix(id, ".lock") {
		return fmt.Errorf("bad run id %q", id)
	}
	return nil
}

// HoldRun holds the run's staging lock for this process until release is
// called; holds nest (each Begin takes one, and the runner one for the
// whole job). The last release removes whatever the run left in staging
// and trash, then the lock, so a run cleans up after itself whether its
// stage committed, failed, was cancelled or forgot to abort.
func (w *Warehouse) HoldRun(runID string) (release func(), err error) {
	if err := validRunID(runID); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.runs[runID]
	if h == nil {
		l, err := lockWaiting(w.runLockPath(runID), Self(runID, "staging"), 5*time.Second)
		if err != nil {
			return nil, fmt.Errorf("staging of run %s: %w", runID, err)
		}
		h = &runHold{lock: l}
		if w.runs == nil {
			w.runs = make(map[string]*runHold)
		}
		w.runs[runID] = h
	}
	h.n++
	var once sync.Once
	return func() { once.Do(func() { w.releaseRun(runID) }) }, nil
}

func (w *Warehouse) releaseRun(runID string) { w.endRun(runID, false) }

// EndRun ends the run in this process: whatever holds writers that were
// never committed or aborted still have, the run's staging and trash are
// removed and its lock released. The runner calls it when a job returns.
func (w *Warehouse) EndRun(runID string) { w.endRun(runID, true) }

func (w *Warehouse) endRun(runID string, all bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.runs[runID]
	if h == nil {
		return
	}
	if h.n--; h.n > 0 && !all {
		return
	}
	delete(w.runs, runID)
	// Best effort: what cannot be removed now is removed by the next
	// CleanStaging, once the lock is free.
	_ = os.RemoveAll(w.stagingDir(runID))
	_ = os.RemoveAll(w.trashDir(runID))
	_ = h.lock.Unlock()
	w.removeEmptyRoots()
}

// lockWaiting retries TryLock for up to wait: a cleaner holds a free run's
// lock only while it removes that run's leftovers.
func lockWaiting(path string, h Holder, wait time.Duration) (*Lock, error) {
	deadline := time.Now().Add(wait)
	for {
		l, _, err := TryLock(path, h)
		if err == nil || !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			return l, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CleanStaging removes the staging and trash of every run whose holder is
// gone (a killed or crashed process) and returns those runs. Staging of
// live runs, in this process or another, is left alone, so it is safe to
// call at any time; every command calls it when it starts.
func (w *Warehouse) CleanStaging() ([]StaleRun, error) {
	ids := map[string]bool{}
	for _, d := range []string{"_staging", "_trash"} {
		ents, err := os.ReadDir(filepath.Join(w.Root, d))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("clean staging: %w", err)
		}
		for _, e := range ents {
			ids[strings.TrimSuffix(e.Name(), ".lock")] = true
		}
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	var out []StaleRun
	var errs []error
	for _, id := range sorted {
		if validRunID(id) != nil {
			continue
		}
		w.mu.Lock()
		mine := w.runs[id] != nil
		w.mu.Unlock()
		if mine {
			continue
		}
		l, prev, err := TryLock(w.runLockPath(id), Self("", "staging clean-up"))
		if errors.Is(err, ErrLocked) {
			continue // a live writer
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("clean staging: %w", err))
			continue
		}
		n := diskUsage(w.stagingDir(id)) + diskUsage(w.trashDir(id))
		if err := errors.Join(os.RemoveAll(w.stagingDir(id)), os.RemoveAll(w.trashDir(id))); err != nil {
			errs = append(errs, fmt.Errorf("clean staging of run %s: %w", id, err))
		}
		if err := l.Unlock(); err != nil {
			errs = append(errs, fmt.Errorf("clean staging of run %s: %w", id, err))
		}
		out = append(out, StaleRun{RunID: id, Holder: prev, Bytes: n})
	}
	w.removeEmptyRoots()
	return out, errors.Join(errs...)
}

// removeEmptyRoots removes _staging and _trash when they are empty;
// os.Remove refuses a directory that is not.
func (w *Warehouse) removeEmptyRoots() {
	for _, d := range []string{"_staging", "_trash"} {
		_ = os.Remove(filepath.Join(w.Root, d))
	}
}

func diskUsage(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
