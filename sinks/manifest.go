package sinks

import (
	"encoding/json"
	"time"
)

// ManifestName is the file that makes a partition committed. It is written
// into the staging directory before the directory is renamed into place, so
// a reader sees either no partition or a whole one with its manifest.
const ManifestName = "_manifest.json"

// Manifest describes one committed partition.
type Manifest struct {
	Dataset       string    `json:"dataset"`
	Partition     string    `json:"partition"` // e.g. dt=2026-11-19 or dt=2026-11-19/source=events
	SchemaVersion int       `json:"schema_version"`
	Stage         string    `json:"stage"`
	RunID         string    `json:"run_id"`
	CommittedAt   time.Time `json:"committed_at"`
	Rows          int64     `json:"rows"`
	Files         []File    `json:"files"`
	// Columns are a Parquet dataset's columns in the order its schema
	// declares them, which is the order of every file's columns: a
	// reader can check the files against it (scripts/duckdb-check.mjs).
	Columns []string `json:"columns,omitempty"`
	// KeyIDs maps keyset name to the primary key id that made this
	// partition's tokens.
	KeyIDs map[string]uint32 `json:"key_ids,omitempty"`
	// Inputs fingerprints what the partition was computed from; the
	// scheduler re-runs a partition when one of them changes.
	Inputs []Input `json:"inputs,omitempty"`
	// Stats is the producing stage's account of the run (pipeline.Stats).
	Stats json.RawMessage `json:"stats,omitempty"`
	// Incomplete lists the upstream stages whose outputs were failed,
	// skipped, waiting or due when this partition was computed (reports
	// are computed despite them, and say so). The runner re-runs the
	// partition when that list changes.
	Incomplete []Gap `json:"incomplete,omitempty"`
}

// Gap is an upstream stage and date whose outputs were not up to date.
type Gap struct {
	Stage string `json:"stage"`
	DT    string `json:"dt"`
	// State is failed, skipped (an upstream of it failed), waiting (its
	// inputs are not committed) or due (not run since its inputs changed).
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}

func (g Gap) String() string {
	s := g.Stage + " " + g.DT + ": " + g.State
	if g.Detail != "" {
		s += ": " + g.Detail
	}
	return s
}

// File is one data file of a partition.
type File struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Input identifies one input of a partition and its state when read.
type Input struct {
	// Ref is "landing/<feed>/<partition>" or "warehouse/<dataset>/<partition>".
	Ref         string `json:"ref"`
	Fingerprint string `json:"fingerprint"`
}

// Fingerprint summarises the partition's content: it changes when any file
// changes and not when an identical re-run commits the same bytes.
func (m *Manifest) Fingerprint() string {
	h := NewFingerprinter()
	for _, f := range m.Files {
		h.Add(f.Name, f.SHA256)
	}
	return h.Sum()
}
