package ingest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Labels is the labels stage (name "labels"): landing labels to
// labels_clean/dt=D, the labels that became known on D with the user
// tokenised as in events_clean, so that the risk stage joins them to
// events without anyone holding a key. A daily partition's known_at must
// fall on D; a historical batch (the Fraud_Data extract's class column)
// places each label on its known_at day.
type Labels struct {
	// Policy is the field policy; nil means the embedded default.
	Policy *policy.File
}

func (Labels) Name() string { return "labels" }

func (Labels) Plan(dt time.Time) pipeline.Plan {
	return plan(schemas.Labels, schemas.LabelsClean, dt)
}

// ConfigFingerprint makes a policy change re-run the stage.
func (s Labels) ConfigFingerprint() string { return configFingerprint(s.Policy, schemas.Labels) }

// ExtractInputs names the historical label batches with rows on dt.
func (s Labels) ExtractInputs(landing string, dt time.Time) ([]sinks.Input, error) {
	return extractInputs(s.Policy, schemas.Labels, landing, dt)
}

// ExtractDates lists the days historical label batches have rows on.
func (s Labels) ExtractDates(landing string) ([]time.Time, error) {
	return extractDates(s.Policy, schemas.Labels, landing)
}

// label is one accepted label.
type label struct {
	token, value, source string
	hasSource            bool
	ms                   int64 // known_at, Unix milliseconds
}

// labelKey identifies an exact repeat: the same user, label and known_at
// (to the millisecond the dataset keeps); the first one's source wins.
type labelKey struct {
	token, value string
	ms           int64
}

// Run reads the day's labels in input order on one goroutine (the feed is
// small), quarantines what it cannot accept, drops exact repeats, scans
// the output for residual raw values, and commits quarantine, then
// labels_clean.
func (s Labels) Run(ctx context.Context, job *pipeline.Job) error {
	pol, err := compile(s.Policy, schemas.Labels)
	if err != nil {
		return err
	}
	if err := sameUserTokens(s.Policy, pol, schemas.LabelsClean.Name); err != nil {
		return err
	}
	ds := pol.Dataset
	tokCol, valCol, atCol, srcCol := column(ds, "user_token"), column(ds, "label"), column(ds, "known_at"), column(ds, "source")
	r, err := openRun(ctx, job, pol)
	if err != nil {
		return err
	}
	defer r.close()
	q, err := newQuarantine(job.Mem, r.qPW, relPaths(r.files))
	if err != nil {
		return err
	}
	defer q.release()

	stats := r.stats()
	seen := map[labelKey]struct{}{}
	var labels []label
	guard, gw, err := readSmallFeed(ctx, job, pol, r, q, &stats, func(row policy.Row) bool {
		lb := label{token: row.S[tokCol], value: labelValue(row.S[valCol]), ms: row.I[atCol],
			source: strings.Clone(row.S[srcCol]), hasSource: row.Valid[srcCol]}
		k := labelKey{token: lb.token, value: lb.value, ms: lb.ms}
		if _, dup := seen[k]; dup {
			return false
		}
		seen[k] = struct{}{}
		labels = append(labels, lb)
		return true
	})
	if err != nil {
		return err
	}
	if err := q.close(); err != nil {
		return err
	}
	// Input order is deterministic already; sorted, a reader can merge
	// labels by time without sorting them again.
	slices.SortFunc(labels, func(a, b label) int {
		return cmp.Or(cmp.Compare(a.ms, b.ms), cmp.Compare(a.token, b.token), cmp.Compare(a.value, b.value))
	})
	if err := writeLabels(job, r.clean, ds.Schema, labels); err != nil {
		return err
	}
	if err := r.scan(job, guard, []*guardWorker{gw}, &stats); err != nil {
		return err
	}
	if err := r.commit(job, stats); err != nil {
		return err
	}
	job.Log.Info("labels committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates, policy.ReasonOtherPartition, stats.OtherPartition)
	return nil
}

// labelValue returns the package's constant for a value the feed's check
// accepted, so that rows do not hold on to the landing lines.
func labelValue(v string) string {
	if i := slices.Index(schemas.LabelValues, v); i >= 0 {
		return schemas.LabelValues[i]
	}
	return v
}

// writeLabels writes the day's labels to labels_clean.
func writeLabels(job *pipeline.Job, pw *sinks.PartitionWriter, schema *arrow.Schema, labels []label) error {
	w, err := pw.Parquet(job.Mem)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(job.Mem, schema)
	defer b.Release()
	ds := schemas.LabelsClean
	tok := b.Field(column(ds, "user_token")).(*array.StringBuilder)
	val := b.Field(column(ds, "label")).(*array.StringBuilder)
	at := b.Field(column(ds, "known_at")).(*array.TimestampBuilder)
	src := b.Field(column(ds, "source")).(*array.StringBuilder)
	return writeRows(w, b, len(labels), func(i int) {
		l := &labels[i]
		tok.Append(l.token)
		val.Append(l.value)
		at.Append(arrow.Timestamp(l.ms))
		if l.hasSource {
			src.Append(l.source)
		} else {
			src.AppendNull()
		}
	})
}
