// Package tagging derives consumer tags (consumer_tags) from pseudonymous
// behaviour events (events_clean) over a trailing window of days.
package tagging

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// batchRows bounds the Arrow records the stage writes; tests lower it.
var batchRows = 64 * 1024

// Stage computes consumer_tags/dt: one row per user_token seen in
// events_clean over Rules.WindowDays days ending with dt, as of the end of
// dt (dt+1d-1ms UTC), from the events with ts <= as_of. The window is the
// partitions, not event times: an event committed in a window partition
// counts even if its ts is earlier; one committed after dt never does.
//
// events_clean/dt is required; the earlier days are read when committed,
// so the first days of a deployment get tags over a shorter window. Which
// days were read is recorded in the manifest's inputs (job.Inputs), and the
// runner re-runs the partition when one of them appears or changes.
//
// Interests joins category names with commas as they are; a category
// containing a comma would make the tag ambiguous, so ingest should keep
// commas out of category labels.
//
// The zero Stage uses DefaultRules.
type Stage struct {
	Rules Rules
}

// Name is "tags".
func (Stage) Name() string { return "tags" }

// Plan reads events_clean for dt (required) and the WindowDays-1 days
// before it (optional), and writes consumer_tags/dt.
func (s Stage) Plan(dt time.Time) pipeline.Plan {
	r := s.Rules.WithDefaults()
	return pipeline.Plan{
		Inputs:  windowInputs(dt, max(r.WindowDays, 1)),
		Outputs: []pipeline.Output{{Dataset: schemas.ConsumerTags, Partition: sinks.Partition{DT: dt.Format(time.DateOnly)}}},
	}
}

// windowInputs lists events_clean for dt-days+1..dt, oldest first.
func windowInputs(dt time.Time, days int) []pipeline.Input {
	in := make([]pipeline.Input, 0, days)
	for i := days - 1; i >= 0; i-- {
		in = append(in, pipeline.Input{
			Dataset:   schemas.EventsClean,
			Partition: sinks.Partition{DT: dt.AddDate(0, 0, -i).Format(time.DateOnly)},
			Required:  i == 0,
		})
	}
	return in
}

// asOf is the last millisecond of dt in UTC.
func asOf(dt string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, dt)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad date %q: %w", dt, err)
	}
	return d.Add(24*time.Hour - time.Millisecond), nil
}

// Run scans the window, folds it into per-consumer state and commits the
// tags sorted by user_token.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	rules := s.Rules.WithDefaults()
	if err := rules.Validate(); err != nil {
		return fmt.Errorf("tag rules: %w", err)
	}
	end, err := asOf(job.DT())
	if err != nil {
		return err
	}
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	agg := newAggregator(rules, end.UnixMilli())
	var days []string
	for _, in := range s.Plan(job.Date).Inputs {
		err := job.Warehouse.Scan(ctx, job.Mem, in.Dataset, in.Partition, func(rec arrow.RecordBatch) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			agg.add(rec)
			return nil
		}, scanColumns...)
		if errors.Is(err, sinks.ErrNotCommitted) && !in.Required {
			continue
		}
		if err != nil {
			return fmt.Errorf("read events_clean/dt=%s: %w", in.Partition.DT, err)
		}
		days = append(days, in.Partition.DT)
	}

	pw, err := job.Warehouse.Begin(schemas.ConsumerTags, job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	rows, err := agg.write(ctx, job, pw, arrow.Timestamp(end.UnixMilli()))
	if err != nil {
		return err
	}
	stats := pipeline.Stats{RecordsIn: agg.read, RecordsOut: rows, Transforms: rules.describe()}
	if _, err := pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: stats}); err != nil {
		return err
	}
	log.Info("consumer tags committed", "days_read", len(days), "events", agg.read,
		"events_after_as_of", agg.future, "consumers", rows, "categories", len(agg.strs.names))
	return nil
}

// write writes one row per consumer, sorted by user_token, into one Parquet
// file in records of at most batchRows rows.
func (a *aggregator) write(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter, asOf arrow.Timestamp) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	closed := false
	defer func() {
		if !closed {
			_ = fw.Close() // releases the file; the partition is aborted
		}
	}()
	b := array.NewRecordBuilder(job.Mem, schemas.ConsumerTags.Schema)
	defer b.Release()
	var (
		token     = b.Field(0).(*array.StringBuilder)
		asOfB     = b.Field(1).(*array.TimestampBuilder)
		attrB     = [nAttrs]*array.StringBuilder{b.Field(2).(*array.StringBuilder), b.Field(3).(*array.StringBuilder), b.Field(4).(*array.StringBuilder)}
		interests = b.Field(5).(*array.StringBuilder)
		discount  = b.Field(6).(*array.StringBuilder)
		events    = b.Field(7).(*array.Int64Builder)
		purchases = b.Field(8).(*array.Int64Builder)
		sb        strings.Builder
	)
	opt := func(sb *array.StringBuilder, v string) {
		if v == "" {
			sb.AppendNull()
		} else {
			sb.Append(v)
		}
	}
	order := a.order()
	for start := 0; start < len(order); start += batchRows {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		batch := order[start:min(start+batchRows, len(order))]
		b.Reserve(len(batch))
		for _, ix := range batch {
			u := &a.users[ix]
			token.Append(a.tokens[ix])
			asOfB.Append(asOf)
			for k := range attrB {
				opt(attrB[k], a.attr(u, k))
			}
			opt(interests, a.interests(u, &sb))
			opt(discount, a.discount(u))
			events.Append(int64(u.events))
			purchases.Append(int64(u.purchases))
		}
		rec := b.NewRecordBatch()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			return 0, err
		}
	}
	closed = true
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return fw.Rows(), nil
}
