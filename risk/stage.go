// Package risk is the risk feature store's batch stage: for each day it
// continues the feature engine (risk/features) from the previous day's
// checkpoint, writes a row of point-in-time features per scored event
// (risk_features), the per-entity snapshot (risk_entities) and the next
// checkpoint (risk_state). The training stage (training.go) joins labels
// and audits the rows against raw events.
package risk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// batchRows bounds the Arrow records the stage writes; tests lower it.
var batchRows = 64 * 1024

// FeaturesDataset and TrainingDataset are risk_features and risk_training
// with their feature columns.
var (
	FeaturesDataset = schemas.RiskFeaturesWith(features.Fields())
	TrainingDataset = schemas.RiskTrainingWith(features.Fields())
)

// Stage computes risk_features, risk_entities and risk_state for dt from
// events_clean/dt, labels_clean/dt and risk_state of the day before.
type Stage struct{}

// Name is "risk".
func (Stage) Name() string { return "risk" }

// Plan reads the day's events (required), the day's labels and the
// previous checkpoint (optional: absent before history begins).
func (Stage) Plan(dt time.Time) pipeline.Plan {
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	prev := sinks.Partition{DT: dt.AddDate(0, 0, -1).Format(time.DateOnly)}
	return pipeline.Plan{
		Inputs: []pipeline.Input{
			{Dataset: schemas.EventsClean, Partition: p, Required: true},
			{Dataset: schemas.RiskState, Partition: prev},
			{Dataset: schemas.LabelsClean, Partition: p},
		},
		Outputs: []pipeline.Output{
			{Dataset: schemas.RiskFeatures, Partition: p},
			{Dataset: schemas.RiskEntities, Partition: p},
			{Dataset: schemas.RiskState, Partition: p},
		},
	}
}

// Stats is the risk stage's account: events read, rows written.
type Stats struct {
	pipeline.Stats
	Labels   int64  `json:"labels"`
	Entities int64  `json:"entities"`
	State    int64  `json:"state_rows"`
	From     string `json:"continued_from,omitempty"` // the checkpoint's dt
}

// Run folds the day into the engine and commits the three outputs.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d0 := job.Date.UnixMilli()
	// The checkpoint loads while the day's events are read: two cores.
	type loaded struct {
		g    *features.Engine
		from string
		err  error
	}
	prev := make(chan loaded, 1)
	go func() {
		g, from, err := previous(ctx, job)
		prev <- loaded{g, from, err}
	}()
	src := &daySource{}
	scanErr := job.Warehouse.Scan(ctx, job.Mem, schemas.EventsClean, job.Partition(), func(rec arrow.RecordBatch) error {
		src.add(rec)
		return nil
	}, scanColumns...)
	ld := <-prev
	if scanErr != nil {
		return fmt.Errorf("read %s/dt=%s: %w", schemas.EventsClean.Name, job.DT(), scanErr)
	}
	if ld.err != nil {
		return ld.err
	}
	g, from := ld.g, ld.from
	if err := gapLabels(ctx, job, g, from); err != nil {
		return err
	}
	labels, err := dayLabels(ctx, job, job.Partition())
	if err != nil {
		return err
	}

	fw, err := newFeatureWriter(job, FeaturesDataset, s.Name())
	if err != nil {
		return err
	}
	defer fw.abort()
	if err := g.Run(ctx, d0, src, labels, func(i int, _ *features.Event, row features.Row) error {
		return fw.addEvent(&src.rows[i], row)
	}); err != nil {
		return err
	}
	st := Stats{Labels: int64(len(labels)), From: from}
	st.RecordsIn = src.read
	st.RecordsOut = fw.rows
	st.Transforms = map[string]string{"*": "features of each scored event from events strictly before it (risk/features.Defs; `veil features` prints them)"}
	if err := fw.commit(job, st); err != nil {
		return err
	}

	next := d0 + 86_400_000
	if err := g.StartDay(next); err != nil {
		return err
	}
	// The snapshot and the checkpoint only read the engine: both at once.
	var entErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Entities, entErr = writeEntities(ctx, job, g, next)
	}()
	st.State, err = writeState(job, g)
	<-done
	if err = errors.Join(entErr, err); err != nil {
		return err
	}
	log.Info("risk features committed", "dt", job.DT(), "events", st.RecordsIn, "scored", st.RecordsOut,
		"labels", st.Labels, "entities", st.Entities, "state_rows", st.State, "continued_from", from)
	return nil
}

// previous loads the checkpoint of the day before, or starts empty when
// history has not begun. A gap (events of an earlier day without their
// checkpoint) fails the run naming the day: starting empty would forget
// 30 days of state and every registration and label before them.
func previous(ctx context.Context, job *pipeline.Job) (*features.Engine, string, error) {
	from, err := checkpointDay(job)
	if err != nil {
		return nil, "", err
	}
	if from == "" {
		return features.New(), "", nil
	}
	ld := features.NewLoader()
	if err := job.Warehouse.Scan(ctx, job.Mem, schemas.RiskState, sinks.Partition{DT: from}, ld.Add); err != nil {
		return nil, "", fmt.Errorf("read %s/dt=%s: %w", schemas.RiskState.Name, from, err)
	}
	g, err := ld.Engine()
	if err != nil {
		return nil, "", fmt.Errorf("%s/dt=%s: %w", schemas.RiskState.Name, from, err)
	}
	return g, from, nil
}

// checkpointDay is the day of the checkpoint the job continues from: the
// day before when it is committed, else the latest one before the job's
// day provided no day with events lies between (days without events leave
// no checkpoint), and "" before history begins.
func checkpointDay(job *pipeline.Job) (string, error) {
	prev := sinks.Partition{DT: job.Date.AddDate(0, 0, -1).Format(time.DateOnly)}
	_, err := job.Warehouse.Manifest(schemas.RiskState, prev)
	if err == nil || !errors.Is(err, sinks.ErrNotCommitted) {
		return prev.DT, err
	}
	days, err := job.Warehouse.Partitions(schemas.EventsClean)
	if err != nil {
		return "", err
	}
	states, err := job.Warehouse.Partitions(schemas.RiskState)
	if err != nil {
		return "", err
	}
	var last string
	for _, p := range states {
		if p.DT < job.DT() && p.DT > last {
			last = p.DT
		}
	}
	for _, p := range days {
		if p.DT < job.DT() && p.DT > last {
			return "", fmt.Errorf("%s/dt=%s is missing though %s/dt=%s exists: run the risk stage for %s first, since starting from an empty state would forget the days before: %w",
				schemas.RiskState.Name, p.DT, schemas.EventsClean.Name, p.DT, p.DT, sinks.ErrNotCommitted)
		}
	}
	return last, nil
}
