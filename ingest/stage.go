package ingest

import (
	"context"
	"errors"
	"io/fs"
	"time"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Feeds are the landing feeds the ingest stages read; a policy must cover
// each of them.
var Feeds = []schemas.Input{schemas.Events, schemas.Chats, schemas.OptOuts, schemas.Labels, schemas.Appeals}

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

// run is what the ingesting stages open before reading: the landing
// files, a tokenizer, and the partitions they commit. close aborts
// whatever was not committed.
type run struct {
	pol   *policy.Compiled
	day   time.Time
	files []pipeline.LandingFile
	// arrivals[i] is the arrival day of files[i] if it is in a historical
	// batch; the zero time for the day's own landing files.
	arrivals   []time.Time
	refused    []pipeline.RefusedFile
	tok        *anonymize.Tokenizer
	clean, qPW *sinks.PartitionWriter
}

// openRun lists the landing partition by the policy's files: rules; each
// entry it will not read is logged at warn, and listed in the stats.
func openRun(ctx context.Context, job *pipeline.Job, pol *policy.Compiled) (*run, error) {
	feed := pol.Feed
	l, err := pipeline.ListLanding(job.Landing, feed.Name, job.DT(), pol.Files().Landing())
	hist, herr := historicalFor(job.Landing, pol, job.Date)
	if herr != nil {
		return nil, herr
	}
	if errors.Is(err, fs.ErrNotExist) && len(hist) > 0 {
		err = nil // a day of an extract, with no daily partition
	}
	if err != nil {
		return nil, err
	}
	arrivals := make([]time.Time, len(l.Files), len(l.Files)+len(hist))
	for _, b := range hist {
		l.Files = append(l.Files, b.files...)
		l.Refused = append(l.Refused, b.refused...)
		for range b.files {
			arrivals = append(arrivals, b.arrival)
		}
	}
	for _, rf := range l.Refused {
		job.Log.Warn("landing file refused: not read", "feed", feed.Name, "dt", job.DT(), "path", rf.Path, "reason", rf.Reason)
	}
	set, err := job.Keys(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		return nil, err
	}
	r := &run{pol: pol, day: job.Date, files: l.Files, arrivals: arrivals, refused: l.Refused, tok: tok}
	if r.clean, err = job.Warehouse.Begin(pol.Dataset, job.Partition(), job.Stage, job.RunID); err != nil {
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

// stats starts the run's account: the policy's transforms and the files
// refused.
func (r *run) stats() pipeline.Stats {
	return pipeline.Stats{Transforms: r.pol.Describe(), RefusedFiles: r.refused}
}

// read streams the run's landing files (see readFiles), keeping what a
// damaged file holds before its damage only if the policy says so.
func (r *run) read(ctx context.Context, stats *pipeline.Stats) (<-chan *chunk, <-chan error) {
	mode := damageFails
	if r.pol.Files().QuarantineDamaged() {
		mode = damageQuarantines
	}
	return readPlaced(ctx, r.files, r.arrivals, r.day, r.pol, mode, stats)
}

// readDone completes the account once the reader has finished: the rows
// of historical batches placed on other days were read too.
func readDone(stats *pipeline.Stats) { stats.RecordsIn += stats.OtherPartition }

// warnDamaged logs each damaged file the run quarantined in part: records
// were lost, and an operator must hear of it beyond the stats.
func warnDamaged(job *pipeline.Job, stats *pipeline.Stats) {
	for _, d := range stats.DamagedFiles {
		job.Log.Warn("damaged landing file: records of its verified gzip members kept, the rest quarantined",
			"path", d.Path, "damage", d.Damage, "bytes_lost", d.BytesLost, "unverified_lines", d.UnverifiedLines)
	}
}

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
