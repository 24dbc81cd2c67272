package serve

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// decisionLog appends each decision as a JSON line, tokens only, to
// <warehouse>/_decisions/dt=<event day>/<run>.jsonl. Lines are buffered;
// the server flushes on a timer and at shutdown, so a crash loses at most
// one interval of lines, never a request's latency to a disk write.
type decisionLog struct {
	dir, run string
	mu       sync.Mutex
	files    map[string]*logFile // by dt
	err      error               // the first write error, reported by flush
}

type logFile struct {
	f *os.File
	w *bufio.Writer
}

// logLine is one decision as logged: what was decided and on which tokens.
// It has no field that could hold a raw value.
type logLine struct {
	At       string   `json:"at"` // decision time, RFC 3339 UTC
	Key      string   `json:"key"`
	EventID  string   `json:"event_id"`
	TS       int64    `json:"ts"`
	Type     string   `json:"type"`
	Tokens   Tokens   `json:"tokens"`
	Decision string   `json:"decision"`
	Reasons  []string `json:"reasons"`
	Score    *float64 `json:"score"`
	Rules    []string `json:"rules,omitempty"`
	Late     bool     `json:"late,omitempty"`
	Folded   bool     `json:"folded"`
	Scored   bool     `json:"scored"`
}

func newDecisionLog(warehouse, run string) *decisionLog {
	return &decisionLog{dir: filepath.Join(warehouse, "_decisions"), run: run, files: map[string]*logFile{}}
}

func (l *decisionLog) write(ln *logLine) {
	b, err := json.Marshal(ln)
	if err != nil {
		return // a logLine always encodes
	}
	dt := time.UnixMilli(ln.TS).UTC().Format(time.DateOnly)
	l.mu.Lock()
	defer l.mu.Unlock()
	lf, err := l.file(dt)
	if err == nil {
		_, err = lf.w.Write(append(b, '\n'))
	}
	if err != nil && l.err == nil {
		l.err = err
	}
}

func (l *decisionLog) file(dt string) (*logFile, error) {
	if lf := l.files[dt]; lf != nil {
		return lf, nil
	}
	dir := filepath.Join(l.dir, "dt="+dt)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("decision log: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, l.run+".jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("decision log: %w", err)
	}
	lf := &logFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	l.files[dt] = lf
	return lf, nil
}

// flush writes the buffered lines out and returns the first error since
// the last flush.
func (l *decisionLog) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.err
	l.err = nil
	for _, lf := range l.files {
		err = errors.Join(err, lf.w.Flush())
	}
	return err
}

// close flushes and closes every file.
func (l *decisionLog) close() error {
	err := l.flush()
	l.mu.Lock()
	defer l.mu.Unlock()
	for dt, lf := range l.files {
		err = errors.Join(err, lf.f.Close())
		delete(l.files, dt)
	}
	return err
}
