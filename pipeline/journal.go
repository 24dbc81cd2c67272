package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Record is one line of the run journal: what the runner or scheduler did
// with a stage and date, including skipped overlaps and recovered panics.
type Record struct {
	Time       time.Time `json:"time"`
	Stage      string    `json:"stage"`
	DT         string    `json:"dt,omitempty"`
	RunID      string    `json:"run_id,omitempty"`
	Outcome    Outcome   `json:"outcome"`
	Reason     string    `json:"reason,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms,omitempty"`
}

// Journal appends records to a JSON Lines file.
type Journal struct {
	mu   sync.Mutex
	path string

	// The latest attempt per stage and date, read incrementally from the
	// file so that appends by other processes are seen.
	idx    map[string]Record
	offset int64
}

// OpenJournal returns the journal at path, creating its directory.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &Journal{path: path}, nil
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Append writes one record.
func (j *Journal) Append(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := os.OpenFile(j.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// attempt reports whether an outcome is an attempt at a stage and date's
// outputs, the outcomes Latest remembers; waits and locks are not.
func (o Outcome) attempt() bool {
	return o == Ran || o == Failed || o == Panicked || o == SkippedUpstream
}

// Latest returns the newest attempt (ran, failed, panicked or skipped for
// an upstream failure) at stage for dt, by any process.
func (j *Journal) Latest(stage, dt string) (Record, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.refresh(); err != nil {
		return Record{}, false, err
	}
	r, ok := j.idx[stage+" "+dt]
	return r, ok, nil
}

// refresh reads the lines appended since the last refresh; a line still
// being written (no newline yet) waits for the next one.
func (j *Journal) refresh() error {
	f, err := os.Open(j.path)
	if os.IsNotExist(err) {
		j.idx, j.offset = nil, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if st.Size() < j.offset || j.idx == nil { // replaced or truncated: start over
		j.idx, j.offset = map[string]Record{}, 0
	}
	if st.Size() == j.offset {
		return nil
	}
	b := make([]byte, st.Size()-j.offset)
	if _, err := f.ReadAt(b, j.offset); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	end := bytes.LastIndexByte(b, '\n') + 1
	for _, line := range bytes.Split(b[:end], []byte{'\n'}) {
		var r Record
		if len(line) == 0 || json.Unmarshal(line, &r) != nil {
			continue // a damaged line does not hide the others
		}
		if r.DT != "" && r.Outcome.attempt() {
			j.idx[r.Stage+" "+r.DT] = r
		}
	}
	j.offset += int64(end)
	return nil
}

// Records reads every record, oldest first.
func (j *Journal) Records() ([]Record, error) {
	b, err := os.ReadFile(j.path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var r Record
		if err := dec.Decode(&r); err != nil {
			return out, fmt.Errorf("journal %s: %w", j.path, err)
		}
		out = append(out, r)
	}
	return out, nil
}
