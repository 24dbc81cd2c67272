// Package pipeline owns the stage contract, the runner that decides which
// partitions are due, and the cron scheduler that fires it.
package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Stage computes the outputs of one dt partition from its inputs.
//
// Rules for implementations:
//   - Plan is cheap and pure: it names inputs and outputs, it reads nothing.
//   - Run commits each output partition whole or not at all; on error or
//     cancellation it aborts what it staged and leaves committed partitions
//     as they were.
//   - Run is deterministic: the same inputs give the same rows, so a re-run
//     or a backfill is safe.
//   - A bad record is quarantined with a reason and counted in Stats; it
//     does not fail the run. Run fails only when it cannot account for
//     every record.
//   - Nothing Run logs or returns contains a raw identifier or key material.
type Stage interface {
	Name() string
	Plan(dt time.Time) Plan
	Run(ctx context.Context, job *Job) error
}

// Plan names what a stage reads and writes for one date.
type Plan struct {
	Inputs  []Input
	Outputs []Output
}

// Input is a landing feed partition or a warehouse partition a stage reads.
type Input struct {
	// Feed names a landing feed (schemas.Input.Name); empty for a
	// warehouse input.
	Feed      string
	Dataset   schemas.Dataset
	Partition sinks.Partition
	// Required inputs must be committed before the stage may run; optional
	// ones (e.g. earlier days of a window) are used when present.
	Required bool
}

// Output is a warehouse partition a stage commits.
type Output struct {
	Dataset   schemas.Dataset
	Partition sinks.Partition
}

// Env is what stages share: where data lives and how to reach keys.
type Env struct {
	Landing   string
	Warehouse *sinks.Warehouse
	Mem       memory.Allocator
	Log       *slog.Logger
	// Keys opens the keysets; stages that tokenise call it once per run.
	Keys KeyOpener
}

// Job is one run of one stage for one date.
type Job struct {
	*Env
	Stage string
	Date  time.Time
	RunID string
	// Inputs are the fingerprints of the inputs present when the job
	// started; stages record them in their manifests.
	Inputs []sinks.Input
	// Incomplete, for a Reporter, lists the upstream stages whose outputs
	// were not up to date when the job started (failed, skipped, waiting
	// or due); it records them in its output and its manifest.
	Incomplete []sinks.Gap
}

// DT is the job's partition date as YYYY-MM-DD.
func (j *Job) DT() string { return j.Date.Format(time.DateOnly) }

// Partition is the job's partition of a dataset without a sub key.
func (j *Job) Partition() sinks.Partition { return sinks.Partition{DT: j.DT()} }

// KeyOpener opens the keysets (decrypting them under the KEK).
type KeyOpener func(ctx context.Context) (*keys.Set, error)
