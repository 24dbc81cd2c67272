package ingest

import (
	"context"
	"time"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Feeds are the landing feeds the ingest stages read; a policy must cover
// each of them.
var Feeds = []schemas.Input{schemas.Events, schemas.Chats, schemas.OptOuts}

// plan is the plan of a stage that reads one landing feed and writes a
// clean dataset plus its own quarantine partition.
func plan(feed schemas.Input, clean schemas.Dataset, dt time.Time) pipeline.Plan {
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	return pipeline.Plan{
		Inputs: []pipeline.Input{{Feed: feed.Name, Partition: p, Required: true}},
		Outputs: []pipeline.Output{
			{Dataset: clean, Partition: p},
			{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: p.DT, Sub: feed.Name}},
		},
	}
}

// run is what both ingesting stages open before reading: the landing
// files, a tokenizer, and the two partitions they commit. close aborts
// whatever was not committed.
type run struct {
	files      []string
	tok        *anonymize.Tokenizer
	clean, qPW *sinks.PartitionWriter
}

func openRun(ctx context.Context, job *pipeline.Job, feed schemas.Input, clean schemas.Dataset) (*run, error) {
	files, err := pipeline.LandingFiles(job.Landing, feed.Name, job.DT())
	if err != nil {
		return nil, err
	}
	set, err := job.Keys(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		return nil, err
	}
	r := &run{files: files, tok: tok}
	if r.clean, err = job.Warehouse.Begin(clean, job.Partition(), job.Stage, job.RunID); err != nil {
		return nil, err
	}
	if r.qPW, err = job.Warehouse.Begin(schemas.Quarantine, sinks.Partition{DT: job.DT(), Sub: feed.Name}, job.Stage, job.RunID); err != nil {
		r.clean.Abort()
		return nil, err
	}
	return r, nil
}

// compile checks f (nil: the embedded default) against feed.
func compile(f *policy.File, feed schemas.Input) (*policy.Compiled, error) {
	if f == nil {
		f = policy.Default()
	}
	return f.Compile(feed)
}

// configFingerprint is the fingerprint of the feed's effective policy, or
// "invalid" (the run will fail and say why).
func configFingerprint(f *policy.File, feed schemas.Input) string {
	c, err := compile(f, feed)
	if err != nil {
		return "invalid"
	}
	return c.Fingerprint()
}

// ConfigFingerprint makes a policy change re-run the stage.
func (s Events) ConfigFingerprint() string { return configFingerprint(s.Policy, schemas.Events) }

// ConfigFingerprint makes a policy change re-run the stage.
func (s Chats) ConfigFingerprint() string { return configFingerprint(s.Policy, schemas.Chats) }

func (r *run) close() {
	r.clean.Abort()
	r.qPW.Abort()
}

// commit commits quarantine first: if the process dies between the two
// commits, the clean dataset is missing and the scheduler re-runs both.
func (r *run) commit(job *pipeline.Job, stats pipeline.Stats) error {
	info := sinks.CommitInfo{KeyIDs: r.tok.KeyIDs(), Inputs: job.Inputs, Stats: stats}
	if _, err := r.qPW.Commit(info); err != nil {
		return err
	}
	_, err := r.clean.Commit(info)
	return err
}
