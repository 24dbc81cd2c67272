// Package tagging derives consumer tags (consumer_tags) from pseudonymous
// behaviour events (events_clean) over a trailing window of days, and the
// same tags per merchant under merchant-scoped customer tokens
// (merchant_audiences), which is what merchants may be given.
package tagging

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// batchRows bounds the Arrow records the stage writes; tests lower it.
var batchRows = 64 * 1024

// Stage computes consumer_tags/dt: one row per user_token seen in
// events_clean over Rules.WindowDays days ending with dt, as of the end of
// dt (dt+1d-1ms UTC), from the events with ts <= as_of; and
// merchant_audiences/dt: one row per merchant and consumer with an event
// of that merchant among the same events, carrying the consumer's tags
// under CustomerToken instead of user_token. An event whose merchant_id
// cannot scope a token (see ValidMerchantID) still counts towards the
// consumer's tags but adds no audience row; such events are counted in
// merchant_audiences' stats. The window is the
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
// before it (optional), and writes consumer_tags/dt and
// merchant_audiences/dt.
func (s Stage) Plan(dt time.Time) pipeline.Plan {
	r := s.Rules.WithDefaults()
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	return pipeline.Plan{
		Inputs: pipeline.Window(schemas.EventsClean, dt, max(r.WindowDays, 1)),
		Outputs: []pipeline.Output{
			{Dataset: schemas.ConsumerTags, Partition: p},
			{Dataset: schemas.MerchantAudiences, Partition: p},
		},
	}
}

// Run scans the window, folds it into per-consumer state and commits the
// tags sorted by user_token, then the merchant audiences.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	rules := s.Rules.WithDefaults()
	if err := rules.Validate(); err != nil {
		return fmt.Errorf("tag rules: %w", err)
	}
	if job.Keys == nil {
		return errNoKeys
	}
	set, err := job.Keys(ctx)
	if err != nil {
		return fmt.Errorf("open keys: %w", err)
	}
	// Every customer token is made once, so a memo cache would only cost
	// memory; the Worker still reuses its scratch and per-field inputs.
	tok, err := anonymize.NewTokenizer(set, anonymize.WithCacheSize(0))
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	end := pipeline.EndOfDay(job.Date)
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	agg := newAggregator(rules, end.UnixMilli())
	days, err := job.ScanInputs(ctx, s.Plan(job.Date).Inputs, scanColumns, func(rec arrow.RecordBatch) error {
		agg.add(rec)
		return nil
	})
	if err != nil {
		return err
	}
	agg.finish()
	asOf := arrow.Timestamp(end.UnixMilli())

	// Both are staged before either is committed. If the process dies
	// between the commits, one output is missing and the runner re-runs
	// the partition.
	pw, err := job.Warehouse.Begin(schemas.ConsumerTags, job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	rows, err := agg.write(ctx, job, pw, asOf)
	if err != nil {
		return fmt.Errorf("write %s: %w", schemas.ConsumerTags.Name, err)
	}
	mpw, err := job.Warehouse.Begin(schemas.MerchantAudiences, job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer mpw.Abort()
	pairs, err := agg.writeAudiences(ctx, job, mpw, tok.Worker(), asOf)
	if err != nil {
		return fmt.Errorf("write %s: %w", schemas.MerchantAudiences.Name, err)
	}

	stats := pipeline.Stats{RecordsIn: agg.read, RecordsOut: rows, Transforms: rules.describe()}
	if _, err := pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: stats}); err != nil {
		return err
	}
	mstats := pipeline.Stats{RecordsIn: agg.read, RecordsOut: pairs, Transforms: rules.describeAudiences(agg.merchants.invalid)}
	if _, err := mpw.Commit(sinks.CommitInfo{KeyIDs: tok.KeyIDs(), Inputs: job.Inputs, Stats: mstats}); err != nil {
		return err
	}
	log.Info("consumer tags committed", "days_read", days, "events", agg.read,
		"events_after_as_of", agg.future, "consumers", rows, "strings", agg.strs.Len(),
		"merchants", agg.merchants.ids.Len(), "audience_rows", pairs,
		"invalid_merchant_ids", agg.merchants.invalid)
	return nil
}

// write writes one row per consumer, sorted by user_token, into one Parquet
// file in records of at most batchRows rows.
func (a *aggregator) write(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter, asOf arrow.Timestamp) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
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
	)
	order := a.order()
	for start := 0; start < len(order); start += batchRows {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		batch := order[start:min(start+batchRows, len(order))]
		b.Reserve(len(batch))
		for _, ix := range batch {
			u := &a.users[ix]
			token.Append(a.ids.Name(ix))
			asOfB.Append(asOf)
			for k := range attrB {
				appendOpt(attrB[k], a.attr(u, k))
			}
			appendOpt(interests, a.interestsOf(ix))
			appendOpt(discount, a.discount(u))
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
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return fw.Rows(), nil
}

// appendOpt appends v, or null for "".
func appendOpt(sb *array.StringBuilder, v string) {
	if v == "" {
		sb.AppendNull()
	} else {
		sb.Append(v)
	}
}
