// Package risk derives point-in-time risk features (risk_features) from
// pseudonymous behaviour events (events_clean).
package risk

import (
	"context"
	"log/slog"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// windowDays is how many events_clean partitions, ending with dt, cover
// the longest feature window.
const windowDays = 7

// batchRows bounds the Arrow records the stage writes; tests lower it.
var batchRows = 64 * 1024

// Stage computes risk_features/dt: one row per user_token with at least one
// event in the 7-day window, as of the end of dt (dt+1d-1ms UTC). Features
// are computed strictly from what was known at as_of: an event counts in
// the 24h window when its ts is in (as_of-24h, as_of] and in the 7d window
// when it is in (as_of-7d, as_of]. Events after as_of, and events that
// landed in the window's partitions with an earlier ts, are skipped.
//
//   - logins, failed_logins, failed_payments, purchases: counts of events of
//     type login, login_failed, payment_failed and purchase;
//   - distinct_devices_7d: distinct non-empty device_tokens of the user;
//   - max_accounts_per_device_7d: over those devices, the most distinct
//     user_tokens seen on one device (the user included), the coupon-abuse
//     signal: five accounts sharing a phone each get 5.
//
// events_clean/dt is required and the six days before it are read when
// committed, as the tags stage does.
type Stage struct{}

// Name is "risk".
func (Stage) Name() string { return "risk" }

// Plan reads events_clean for dt (required) and the six days before it
// (optional), and writes risk_features/dt.
func (Stage) Plan(dt time.Time) pipeline.Plan {
	return pipeline.Plan{
		Inputs:  pipeline.Window(schemas.EventsClean, dt, windowDays),
		Outputs: []pipeline.Output{{Dataset: schemas.RiskFeatures, Partition: sinks.Partition{DT: dt.Format(time.DateOnly)}}},
	}
}

var transforms = map[string]string{
	"user_token":                 "grouping key, copied from events_clean",
	"as_of":                      "end of dt (dt+1d-1ms UTC); events_clean dt-6..dt with ts <= as_of only",
	"logins_24h":                 "count of login events with ts in (as_of-24h, as_of]",
	"logins_7d":                  "count of login events with ts in (as_of-7d, as_of]",
	"failed_logins_24h":          "count of login_failed events with ts in (as_of-24h, as_of]",
	"failed_logins_7d":           "count of login_failed events with ts in (as_of-7d, as_of]",
	"failed_payments_24h":        "count of payment_failed events with ts in (as_of-24h, as_of]",
	"failed_payments_7d":         "count of payment_failed events with ts in (as_of-7d, as_of]",
	"purchases_24h":              "count of purchase events with ts in (as_of-24h, as_of]",
	"purchases_7d":               "count of purchase events with ts in (as_of-7d, as_of]",
	"distinct_devices_7d":        "distinct device_token of the user in (as_of-7d, as_of]",
	"max_accounts_per_device_7d": "max over the user's devices of distinct user_token on the device in (as_of-7d, as_of]",
}

// Run scans the window, folds it into per-user counters and commits the
// features sorted by user_token.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	end := pipeline.EndOfDay(job.Date)
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	agg := newAggregator(end.UnixMilli())
	days, err := job.ScanInputs(ctx, s.Plan(job.Date).Inputs, scanColumns, func(rec arrow.RecordBatch) error {
		agg.add(rec)
		return nil
	})
	if err != nil {
		return err
	}
	agg.finish()

	pw, err := job.Warehouse.Begin(schemas.RiskFeatures, job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	rows, err := agg.write(ctx, job, pw, arrow.Timestamp(end.UnixMilli()))
	if err != nil {
		return err
	}
	stats := pipeline.Stats{RecordsIn: agg.read, RecordsOut: rows, Transforms: transforms}
	if _, err := pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: stats}); err != nil {
		return err
	}
	log.Info("risk features committed", "days_read", days, "events", agg.read,
		"events_after_as_of", agg.future, "events_before_window", agg.before,
		"users", rows, "devices", agg.devices.Len())
	return nil
}

// write writes one row per user, sorted by user_token, into one Parquet
// file in records of at most batchRows rows.
func (a *aggregator) write(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter, asOf arrow.Timestamp) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	b := array.NewRecordBuilder(job.Mem, schemas.RiskFeatures.Schema)
	defer b.Release()
	col := func(name string) array.Builder { return b.Field(schemas.RiskFeatures.Schema.FieldIndices(name)[0]) }
	token := col("user_token").(*array.StringBuilder)
	asOfB := col("as_of").(*array.TimestampBuilder)
	var n24, n7 [nKinds]*array.Int64Builder
	for k, name := range kindColumns {
		n24[k] = col(name + "_24h").(*array.Int64Builder)
		n7[k] = col(name + "_7d").(*array.Int64Builder)
	}
	devices := col("distinct_devices_7d").(*array.Int64Builder)
	maxAcct := col("max_accounts_per_device_7d").(*array.Int64Builder)

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
			for k := range nKinds {
				n24[k].Append(int64(u.n24[k]))
				n7[k].Append(int64(u.n7[k]))
			}
			devices.Append(int64(u.devices))
			maxAcct.Append(int64(u.maxAcct))
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
