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
}

// OpenJournal returns the journal at path, creating its directory.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return &Journal{path: path}, nil
}

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
