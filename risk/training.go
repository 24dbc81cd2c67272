package risk

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Training builds risk_training/dt: risk_features/dt with each row's
// label as known by the declared cutoff, the end of dt + LabelDays. A row
// is labelled 1 when its user has a fraud label known at or before the
// cutoff; label_known_at is the earliest such label. Labels known by the
// end of dt come from risk_state/dt, later ones from labels_clean of the
// days after dt up to the cutoff; a partition built before those days
// land is due again when they do (they are inputs), and its manifest
// records the cutoff and the last labels day it read.
//
// Every build runs the leakage audit (audit.go) and fails, committing
// nothing, when a sampled row differs from its recomputation from raw
// events or a label known after the cutoff is present.
type Training struct {
	LabelDays   int // default 30
	AuditSample int // rows recomputed per build; default 256
}

// Name is "training".
func (Training) Name() string { return "training" }

func (s Training) labelDays() int { return cmp.Or(s.LabelDays, 30) }

// Plan reads risk_features and risk_state of dt, labels_clean of the days
// up to the cutoff, and the raw events the audit recomputes from.
func (s Training) Plan(dt time.Time) pipeline.Plan {
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	in := []pipeline.Input{
		{Dataset: schemas.RiskFeatures, Partition: p, Required: true},
		{Dataset: schemas.RiskState, Partition: p, Required: true},
	}
	for d := 1; d <= s.labelDays(); d++ {
		in = append(in, pipeline.Input{Dataset: schemas.LabelsClean, Partition: sinks.Partition{DT: dt.AddDate(0, 0, d).Format(time.DateOnly)}})
	}
	in = append(in, pipeline.Input{Dataset: schemas.Blacklist, Partition: p})
	in = append(in, pipeline.Window(schemas.EventsClean, dt, auditDays)...)
	return pipeline.Plan{Inputs: in, Outputs: []pipeline.Output{{Dataset: schemas.RiskTraining, Partition: p}}}
}

// TrainingStats is the training stage's account, with the cutoff.
type TrainingStats struct {
	pipeline.Stats
	Cutoff        time.Time `json:"label_cutoff"`
	LabelsThrough string    `json:"labels_through,omitempty"` // last labels_clean day read
	Positive      int64     `json:"labelled_fraud"`
	Audit         Audit     `json:"leakage_audit"`
}

// Run joins the labels, audits a sample and commits.
func (s Training) Run(ctx context.Context, job *pipeline.Job) error {
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cutoff := job.Date.AddDate(0, 0, s.labelDays()+1).Add(-time.Millisecond)
	known, regs, err := readState(ctx, job, job.Partition())
	if err != nil {
		return err
	}
	st := TrainingStats{Cutoff: cutoff.UTC()}
	if st.LabelsThrough, err = laterLabels(ctx, job, s.labelDays(), known); err != nil {
		return err
	}

	bl, err := dayBlacklist(ctx, job)
	if err != nil {
		return err
	}
	fw, err := newFeatureWriter(job, TrainingDataset, s.Name())
	if err != nil {
		return err
	}
	defer fw.abort()
	sample := newSampler(cmp.Or(s.AuditSample, 256))
	row := make(features.Row, len(features.Defs))
	err = job.Warehouse.Scan(ctx, job.Mem, FeaturesDataset, job.Partition(), func(rec arrow.RecordBatch) error {
		users := rec.Column(rec.Schema().FieldIndices("user_token")[0]).(*array.String)
		ids := rec.Column(0).(*array.String)
		fc := featureColumnsOf(rec)
		cols := keyColumnsOf(rec.Schema())
		for j := range int(rec.NumRows()) {
			fc.read(j, row)
			lab := label{blacklisted: bl.before(rec, &cols, j)}
			if t, ok := known[users.Value(j)]; ok && t <= cutoff.UnixMilli() {
				lab.ok, lab.knownAt = true, t
				st.Positive++
			}
			if lab.ok && lab.knownAt > cutoff.UnixMilli() {
				st.Audit.LabelsAfterCutoff++
			}
			sample.offer(ids.Value(j), row)
			if err := fw.add(rec, &cols, j, row, &lab); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s/dt=%s: %w", FeaturesDataset.Name, job.DT(), err)
	}
	after := st.Audit.LabelsAfterCutoff
	st.Audit, err = audit(ctx, job, sample.rows(), known, regs)
	if err != nil {
		return err
	}
	st.Audit.LabelsAfterCutoff = after
	if err := st.Audit.err(); err != nil {
		return err
	}
	st.RecordsIn, st.RecordsOut = fw.rows, fw.rows
	st.Transforms = map[string]string{
		"label":              fmt.Sprintf("1 when the user has a fraud label known by %s (the end of dt + %d days), else 0", cutoff.UTC().Format(time.RFC3339), s.labelDays()),
		"label_known_at":     "known_at of that label; null when label is 0",
		"blacklisted_before": "1 when the event's user, device, IP or card had a blacklist entry in force strictly before it (blacklist/dt), 0 if none, null without a blacklist",
	}
	if err := fw.commit(job, st); err != nil {
		return err
	}
	log.Info("risk training committed", "dt", job.DT(), "rows", fw.rows, "labelled_fraud", st.Positive,
		"cutoff", cutoff.UTC(), "labels_through", st.LabelsThrough, "audited", st.Audit.Rows)
	return nil
}

// laterLabels adds to known the fraud labels of labels_clean of the days
// after job's, up to days later, keeping each user's earliest, and returns
// the last day read.
func laterLabels(ctx context.Context, job *pipeline.Job, days int, known map[string]int64) (through string, err error) {
	for d := 1; d <= days; d++ {
		p := sinks.Partition{DT: job.Date.AddDate(0, 0, d).Format(time.DateOnly)}
		ls, err := dayLabels(ctx, job, p)
		if err != nil {
			return "", err
		}
		if ls != nil {
			through = p.DT
		}
		for _, l := range ls {
			if t, ok := known[l.User]; !ok || l.KnownAt < t {
				known[l.User] = l.KnownAt
			}
		}
	}
	return through, nil
}

// KnownLabels are the fraud labels known by the end of job's day plus
// days (risk_state of the day, labels_clean of the days after): user
// token to the earliest known_at, and the last labels day read.
func KnownLabels(ctx context.Context, job *pipeline.Job, days int) (map[string]int64, string, error) {
	known, _, err := readState(ctx, job, job.Partition())
	if err != nil {
		return nil, "", err
	}
	through, err := laterLabels(ctx, job, days, known)
	return known, through, err
}

// featureColumns are a record's feature columns, typed once per record.
type featureColumns []arrow.Array

func featureColumnsOf(rec arrow.RecordBatch) featureColumns {
	feat0 := rec.Schema().FieldIndices(features.Defs[0].Name)[0]
	return featureColumns(rec.Columns()[feat0 : feat0+len(features.Defs)])
}

// read reads row j's features.
func (fc featureColumns) read(j int, row features.Row) {
	for i, col := range fc {
		switch c := col.(type) {
		case *array.Int64:
			if c.IsNull(j) {
				row[i] = features.Null
			} else {
				row[i] = float64(c.Value(j))
			}
		case *array.Float64:
			if c.IsNull(j) {
				row[i] = features.Null
			} else {
				row[i] = c.Value(j)
			}
		}
	}
}

// sampler keeps the rows whose event_id hashes lowest: a sample that is
// the same on every re-run and spread over the day.
type sampler struct {
	n    int
	kept []sampled
}

type sampled struct {
	hash uint64
	id   string
	row  features.Row
}

func newSampler(n int) *sampler { return &sampler{n: n} }

func (s *sampler) offer(id string, row features.Row) {
	h := fnv.New64a()
	h.Write([]byte(id))
	x := h.Sum64()
	if len(s.kept) >= s.n && x >= s.kept[len(s.kept)-1].hash {
		return
	}
	i, _ := slices.BinarySearchFunc(s.kept, x, func(a sampled, x uint64) int { return cmp.Compare(a.hash, x) })
	s.kept = slices.Insert(s.kept, i, sampled{x, id, slices.Clone(row)})
	if len(s.kept) > s.n {
		s.kept = s.kept[:s.n]
	}
}

func (s *sampler) rows() []sampled { return s.kept }
