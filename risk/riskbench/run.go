package riskbench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/cputime"
	"github.com/veil-data/veil/internal/heappeak"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Job returns the job a runner would start for the risk stage on dt, with
// the inputs committed now.
func Job(wh *sinks.Warehouse, mem memory.Allocator, dt time.Time) (*pipeline.Job, error) {
	s := risk.Stage{}
	var in []sinks.Input
	for _, i := range s.Plan(dt).Inputs {
		m, err := wh.Manifest(i.Dataset, i.Partition)
		if errors.Is(err, sinks.ErrNotCommitted) {
			continue
		}
		if err != nil {
			return nil, err
		}
		in = append(in, sinks.Input{Ref: "warehouse/" + i.Dataset.Name + "/" + i.Partition.Path(i.Dataset), Fingerprint: m.Fingerprint()})
	}
	env := &pipeline.Env{Warehouse: wh, Mem: mem, Log: slog.New(slog.DiscardHandler)}
	return &pipeline.Job{Env: env, Stage: s.Name(), Date: dt, RunID: "riskbench-" + dt.Format(time.DateOnly), Inputs: in}, nil
}

// RunStage runs the risk stage on dt.
func RunStage(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, dt time.Time) error {
	job, err := Job(wh, mem, dt)
	if err != nil {
		return err
	}
	if err := (risk.Stage{}).Run(ctx, job); err != nil {
		return fmt.Errorf("risk stage dt=%s: %w", dt.Format(time.DateOnly), err)
	}
	return nil
}

// Setup folds days 0..Days-2 of c with the risk stage, so that the
// checkpoint of the day before the timed one exists. progress is called
// after each day.
func Setup(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, c Config, progress func(day int, took time.Duration)) error {
	for d := range c.Days - 1 {
		t0 := time.Now()
		if err := RunStage(ctx, wh, mem, c.Day(d)); err != nil {
			return err
		}
		if progress != nil {
			progress(d, time.Since(t0))
		}
	}
	return nil
}

// Result is one timed run of the risk stage.
type Result struct {
	DT          string  `json:"dt"`
	Events      int64   `json:"events"`        // events_clean rows of the day
	Scored      int64   `json:"scored"`        // risk_features rows
	Entities    int64   `json:"entities"`      // risk_entities rows
	StateRows   int64   `json:"state_rows"`    // risk_state rows written
	StateBefore int64   `json:"state_before"`  // risk_state rows of the day before
	History     int64   `json:"history"`       // events_clean rows of the 29 days before
	Seconds     float64 `json:"seconds"`       // wall clock of the stage
	CPUSeconds  float64 `json:"cpu_seconds"`   // process CPU time during it
	EventsPerS  float64 `json:"events_per_s"`  // Events / Seconds
	PeakRSSMiB  float64 `json:"peak_rss_mib"`  // the process's peak resident set, 0 where unknown
	PeakHeapMiB float64 `json:"peak_heap_mib"` // Go heap objects, sampled
	Cores       int     `json:"cores"`
}

// Measure times the risk stage on the last day of c; the day before must
// have its checkpoint (Setup).
func Measure(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, c Config) (Result, error) {
	dt := c.Last
	r := Result{DT: dt.Format(time.DateOnly)}
	for d := range c.Days - 1 {
		m, err := wh.Manifest(schemas.EventsClean, sinks.Partition{DT: c.Day(d).Format(time.DateOnly)})
		if err != nil {
			return r, err
		}
		r.History += m.Rows
	}
	if m, err := wh.Manifest(schemas.RiskState, sinks.Partition{DT: c.Day(c.Days - 2).Format(time.DateOnly)}); err == nil {
		r.StateBefore = m.Rows
	} else if c.Days > 1 {
		return r, fmt.Errorf("the checkpoint before the timed day: %w (run setup first)", err)
	}
	hp := heappeak.Start()
	cpu0 := cputime.Used()
	t0 := time.Now()
	err := RunStage(ctx, wh, mem, dt)
	r.Seconds = time.Since(t0).Seconds()
	r.CPUSeconds = (cputime.Used() - cpu0).Seconds()
	r.PeakHeapMiB, _ = hp.Stop()
	r.PeakRSSMiB = float64(cputime.PeakRSS()) / (1 << 20)
	if err != nil {
		return r, err
	}
	p := sinks.Partition{DT: r.DT}
	for _, x := range []struct {
		ds schemas.Dataset
		n  *int64
	}{{schemas.EventsClean, &r.Events}, {schemas.RiskFeatures, &r.Scored}, {schemas.RiskEntities, &r.Entities}, {schemas.RiskState, &r.StateRows}} {
		m, err := wh.Manifest(x.ds, p)
		if err != nil {
			return r, err
		}
		*x.n = m.Rows
	}
	r.EventsPerS = float64(r.Events) / r.Seconds
	return r, nil
}
