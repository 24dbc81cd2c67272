package sinks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ErrLocked reports a lock file held by a live process.
var ErrLocked = errors.New("locked")

// Holder is who holds a lock file. The holder writes it into the file
// after taking the lock, so that a process that finds the lock taken can
// say by whom, and one that finds a file nobody holds can say whose stale
// lock it takes over.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	RunID   string    `json:"run_id,omitempty"`
	// What the lock guards, e.g. "ingest dt=2026-11-19" or "staging".
	What string `json:"what,omitempty"`
}

// Self is a Holder for this process, started now.
func Self(runID, what string) Holder {
	host, _ := os.Hostname()
	return Holder{PID: os.Getpid(), Host: host, Started: time.Now().UTC(), RunID: runID, What: what}
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another process (holder not yet recorded)"
	}
	s := fmt.Sprintf("pid %d", h.PID)
	if h.Host != "" {
		s += " on " + h.Host
	}
	s += " since " + h.Started.UTC().Format(time.RFC3339)
	if h.RunID != "" {
		s += " (run " + h.RunID + ")"
	}
	return s
}

// LockedError is a lock held by a live process.
type LockedError struct {
	Path   string
	Holder Holder
}

func (e *LockedError) Error() string { return "held by " + e.Holder.String() }

func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock is a held lock file.
//
// Locks are advisory flock(2) locks, which the kernel drops when the
// holder's process dies, however it dies: a lock file that can be locked
// has no live holder, whatever its content says, and pid reuse cannot make
// a dead holder look alive. The file is deleted on Unlock while still
// locked; TryLock re-checks that the path still names the file it locked,
// so a process that opened the file before the delete cannot believe it
// holds a lock on a file that is gone.
type Lock struct {
	f    *os.File
	path string
}

// TryLock takes the lock file at path without waiting, creating it and its
// directory if needed, and records h in it. If the file held the record
// of an earlier holder that is gone (killed, crashed), that record is
// returned as stale. A lock held by a live process returns a
// *LockedError naming its holder.
func TryLock(path string, h Holder) (l *Lock, stale *Holder, err error) {
	for range 100 {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, nil, fmt.Errorf("lock %s: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the directory was removed as it emptied; make it again
		}
		if err != nil {
			return nil, nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := flock(f); err != nil {
			prev, _ := readHolder(f)
			f.Close()
			if errors.Is(err, errBusy) {
				return nil, nil, &LockedError{Path: path, Holder: prev}
			}
			return nil, nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !samePath(f, path) {
			f.Close() // locked a file its holder deleted on unlock; retry
			continue
		}
		prev, _ := readHolder(f)
		if err := writeHolder(f, h); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if prev.PID != 0 || !prev.Started.IsZero() {
			stale = &prev
		}
		return &Lock{f: f, path: path}, stale, nil
	}
	return nil, nil, fmt.Errorf("lock %s: the file keeps being replaced", path)
}

// ReadHolder reads the record in a lock file without taking the lock.
func ReadHolder(path string) (Holder, error) {
	f, err := os.Open(path)
	if err != nil {
		return Holder{}, err
	}
	defer f.Close()
	return readHolder(f)
}

// Unlock deletes the lock file and releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	rmErr := os.Remove(l.path)
	if errors.Is(rmErr, fs.ErrNotExist) {
		rmErr = nil
	}
	err := l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
	return errors.Join(rmErr, err)
}

func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

func readHolder(f *os.File) (Holder, error) {
	var h Holder
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err != nil || len(b) == 0 {
		return h, err
	}
	return h, json.Unmarshal(b, &h)
}

func writeHolder(f *os.File, h Holder) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err = f.WriteAt(append(b, '\n'), 0)
	return err
}
