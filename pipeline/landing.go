package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// LandingDir is the directory of one landing feed partition.
func LandingDir(landing, feed, dt string) string {
	return filepath.Join(landing, feed, "dt="+dt)
}

// LandingFiles lists the data files of a landing partition in name order,
// or fs.ErrNotExist if the producer has not written its _SUCCESS marker.
func LandingFiles(landing, feed, dt string) ([]string, error) {
	dir := LandingDir(landing, feed, dt)
	if _, err := os.Stat(filepath.Join(dir, schemas.SuccessMarker)); err != nil {
		return nil, fmt.Errorf("landing %s/dt=%s not ready: %w", feed, dt, fs.ErrNotExist)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("landing %s/dt=%s: %w", feed, dt, err)
	}
	var files []string
	for _, e := range ents {
		n := e.Name()
		if e.Type().IsRegular() && isLandingFile(n) {
			files = append(files, filepath.Join(dir, n))
		}
	}
	sort.Strings(files)
	return files, nil
}

// landingFingerprint changes when a file of the partition is added, removed
// or rewritten. It uses sizes and modification times, not content, so that
// the scheduler can poll cheaply; stages record content checksums.
func landingFingerprint(landing, feed, dt string) (string, error) {
	files, err := LandingFiles(landing, feed, dt)
	if err != nil {
		return "", err
	}
	h := sinks.NewFingerprinter()
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		h.Add(filepath.Base(f), fmt.Sprint(st.Size()), st.ModTime().UTC().Format(time.RFC3339Nano))
	}
	return h.Sum(), nil
}

// LandingDates lists the dates that have a partition in any of the feeds.
func LandingDates(landing string, feeds ...string) ([]time.Time, error) {
	seen := map[string]bool{}
	for _, feed := range feeds {
		ents, err := os.ReadDir(filepath.Join(landing, feed))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list landing %s: %w", feed, err)
		}
		for _, e := range ents {
			if d, ok := strings.CutPrefix(e.Name(), "dt="); ok && e.IsDir() {
				if _, err := time.Parse(time.DateOnly, d); err == nil {
					seen[d] = true
				}
			}
		}
	}
	var out []time.Time
	for d := range seen {
		t, _ := time.Parse(time.DateOnly, d)
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out, nil
}

// isLandingFile reports whether a file name is a landing data file: JSON
// Lines or CSV (read through a format the policy declares), optionally
// gzip-compressed.
func isLandingFile(name string) bool {
	name = strings.TrimSuffix(name, ".gz")
	return strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".csv")
}
