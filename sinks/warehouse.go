// Package sinks writes and reads the warehouse: Hive-style partitioned
// datasets (dataset/dt=YYYY-MM-DD[/key=value]/part-NNNNN.parquet) that are
// committed whole, with a manifest, or not at all.
package sinks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/veil-data/veil/schemas"
)

// ErrNotCommitted reports a partition that has no manifest: it does not
// exist, or a writer has not finished it.
var ErrNotCommitted = errors.New("partition not committed")

// Partition names one partition of a dataset.
type Partition struct {
	DT  string // YYYY-MM-DD
	Sub string // value of the dataset's SubKey, if it has one
}

// Path is the partition's directory relative to its dataset.
func (p Partition) Path(ds schemas.Dataset) string {
	if ds.SubKey == "" {
		return "dt=" + p.DT
	}
	return "dt=" + p.DT + "/" + ds.SubKey + "=" + p.Sub
}

// Warehouse is a warehouse rooted at a local directory. Staging, trash and
// lock directories live beside the datasets under names that start with
// an underscore, which Hive-style readers skip, and on the same file
// system, so a commit is a rename.
type Warehouse struct {
	Root string
	// Now stamps manifests; tests replace it.
	Now func() time.Time

	mu   sync.Mutex
	runs map[string]*runHold // runs this process writes, by run id
}

// Open returns the warehouse at root, creating the directory if needed.
// It does not touch staging: CleanStaging removes what dead writers left.
func Open(root string) (*Warehouse, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("open warehouse: %w", err)
	}
	w := &Warehouse{Root: root, Now: time.Now}
	return w, nil
}

// Dir is the committed directory of a partition.
func (w *Warehouse) Dir(ds schemas.Dataset, p Partition) string {
	return filepath.Join(w.Root, ds.Name, filepath.FromSlash(p.Path(ds)))
}

// Manifest reads the manifest of a committed partition; ErrNotCommitted if
// there is none.
func (w *Warehouse) Manifest(ds schemas.Dataset, p Partition) (*Manifest, error) {
	path := filepath.Join(w.Dir(ds, p), ManifestName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s/%s: %w", ds.Name, p.Path(ds), ErrNotCommitted)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse manifest %s: %w", path, err)
	}
	return &m, nil
}

// Partitions lists the committed partitions of a dataset, sorted.
func (w *Warehouse) Partitions(ds schemas.Dataset) ([]Partition, error) {
	pattern := filepath.Join(w.Root, ds.Name, "dt=*", ManifestName)
	if ds.SubKey != "" {
		pattern = filepath.Join(w.Root, ds.Name, "dt=*", ds.SubKey+"=*", ManifestName)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []Partition
	for _, m := range matches {
		rel, _ := filepath.Rel(filepath.Join(w.Root, ds.Name), filepath.Dir(m))
		var p Partition
		for _, kv := range strings.Split(filepath.ToSlash(rel), "/") {
			k, v, _ := strings.Cut(kv, "=")
			if k == "dt" {
				p.DT = v
			} else {
				p.Sub = v
			}
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DT != out[j].DT {
			return out[i].DT < out[j].DT
		}
		return out[i].Sub < out[j].Sub
	})
	return out, nil
}

// Begin starts writing a partition. Nothing is visible until Commit; Abort
// (or a crash) leaves the committed partition, if any, as it was.
func (w *Warehouse) Begin(ds schemas.Dataset, p Partition, stage, runID string) (*PartitionWriter, error) {
	if _, err := time.Parse(time.DateOnly, p.DT); err != nil {
		return nil, fmt.Errorf("begin %s: bad partition date %q", ds.Name, p.DT)
	}
	if (ds.SubKey == "") != (p.Sub == "") {
		return nil, fmt.Errorf("begin %s: partition %q does not match sub key %q", ds.Name, p.Path(ds), ds.SubKey)
	}
	if err := validRunID(runID); err != nil {
		return nil, fmt.Errorf("begin %s: %w", ds.Name, err)
	}
	// The run's staging lock comes first: a cleaner that finds the
	// directory below cannot take the lock while this writer lives.
	release, err := w.HoldRun(runID)
	if err != nil {
		return nil, fmt.Errorf("begin %s: %w", ds.Name, err)
	}
	staging := filepath.Join(w.stagingDir(runID), ds.Name, filepath.FromSlash(p.Path(ds)))
	if err := os.RemoveAll(staging); err != nil {
		release()
		return nil, fmt.Errorf("begin %s: %w", ds.Name, err)
	}
	if err := os.MkdirAll(staging, 0o755); err != nil {
		release()
		return nil, fmt.Errorf("begin %s: %w", ds.Name, err)
	}
	return &PartitionWriter{
		w: w, ds: ds, part: p, staging: staging, release: release,
		manifest: Manifest{
			Dataset:       ds.Name,
			Partition:     p.Path(ds),
			SchemaVersion: ds.Version,
			Stage:         stage,
			RunID:         runID,
			Columns:       columnNames(ds),
		},
	}, nil
}

// columnNames lists a Parquet dataset's columns in schema order for its
// manifest; nil for other datasets.
func columnNames(ds schemas.Dataset) []string {
	if ds.Schema == nil {
		return nil
	}
	names := make([]string, ds.Schema.NumFields())
	for i, f := range ds.Schema.Fields() {
		names[i] = f.Name
	}
	return names
}
