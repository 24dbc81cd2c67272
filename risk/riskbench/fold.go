package riskbench

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// foldColumns are the events_clean columns the engine reads (those of
// risk/source.go without source and browser, which feed no feature).
var foldColumns = []string{"event_id", "ts", "type", "user_token", "device_token", "ip_token", "ip_prefix",
	"card_token", "live_session_id", "amount", "signup_ts"}

// Fold builds the checkpoint the risk stage would leave on the day before
// the timed one, in one engine and one process: days 0..Days-2 folded in
// order, then the state moved to the timed day and written as
// risk_state of the day before. The engine's checkpoint is canonical (the
// same rows whether folded from scratch or continued day by day, which
// risk/features tests), so this equals running the stage 29 times
// (TestFoldEqualsStage checks it on a small world) at a third of the cost:
// the stage also reloads and rewrites the state and writes features every
// day.
func Fold(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, c Config, progress func(day int, took time.Duration)) error {
	g := features.New()
	for d := range c.Days - 1 {
		t0 := time.Now()
		if err := foldDay(ctx, wh, mem, g, c.Day(d)); err != nil {
			return err
		}
		if progress != nil {
			progress(d, time.Since(t0))
		}
	}
	if err := g.StartDay(c.Last.UnixMilli()); err != nil {
		return err
	}
	dt := c.Day(c.Days - 2).Format(time.DateOnly)
	pw, err := wh.Begin(schemas.RiskState, sinks.Partition{DT: dt}, "risk", "riskbench-fold-"+dt)
	if err != nil {
		return err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		return err
	}
	if err := g.Checkpoint(mem, batchRows, fw.Write); err != nil {
		return fmt.Errorf("risk_state/dt=%s: %w", dt, err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("risk_state/dt=%s: %w", dt, err)
	}
	rows := fw.Rows()
	_, err = pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: rows, RecordsOut: rows}})
	return err
}

// foldDay runs the engine over one day's events, read from events_clean;
// the events' strings point into the scanned records, retained until the
// day is folded (the engine copies what it keeps).
func foldDay(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, g *features.Engine, day time.Time) error {
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	var evs features.Events
	p := sinks.Partition{DT: day.Format(time.DateOnly)}
	if err := wh.Scan(ctx, mem, schemas.EventsClean, p, func(rec arrow.RecordBatch) error {
		rec.Retain()
		recs = append(recs, rec)
		evs = appendEvents(evs, rec)
		return nil
	}, foldColumns...); err != nil {
		return fmt.Errorf("read events_clean/dt=%s: %w", p.DT, err)
	}
	if err := g.Run(ctx, day.UnixMilli(), evs, nil, func(int, *features.Event, features.Row) error { return nil }); err != nil {
		return fmt.Errorf("fold dt=%s: %w", p.DT, err)
	}
	return nil
}

// appendEvents reads rec's rows as the risk stage does (risk/source.go).
func appendEvents(evs features.Events, rec arrow.RecordBatch) features.Events {
	// Scan returns the columns in dataset order, not in foldColumns'.
	ix := func(name string) int { return rec.Schema().FieldIndices(name)[0] }
	col := func(name string) *array.String { return rec.Column(ix(name)).(*array.String) }
	opt := func(a *array.String, j int) string {
		if a.IsNull(j) {
			return ""
		}
		return a.Value(j)
	}
	id, typ, live := col("event_id"), col("type"), col("live_session_id")
	keys := [features.NEntities]*array.String{col("user_token"), col("device_token"), col("ip_token"), col("ip_prefix"), col("card_token")}
	ts := rec.Column(ix("ts")).(*array.Timestamp)
	amount := rec.Column(ix("amount")).(*array.Float64)
	signup := rec.Column(ix("signup_ts")).(*array.Timestamp)
	for j := range int(rec.NumRows()) {
		e := features.Event{ID: id.Value(j), TS: int64(ts.Value(j)), Type: opt(typ, j), Live: opt(live, j)}
		for k, a := range keys {
			e.Keys[k] = opt(a, j)
		}
		if amount.IsValid(j) {
			e.Amount4, e.HasAmount = risk.Amount4(amount.Value(j)), true
		}
		if signup.IsValid(j) {
			e.Signup = int64(signup.Value(j))
		}
		evs = append(evs, e)
	}
	return evs
}
