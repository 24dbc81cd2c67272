package audience

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// PublishReleases rebuilds audience_releases/dt from the ledger: every
// entry about dt's tags, in ledger order. The partition is replaced whole,
// so it always holds the day's whole history; the report of dt re-runs
// because its input changed.
func PublishReleases(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, ledger LedgerFiles, dt string) (int64, error) {
	l, err := OpenLedger(ledger)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	ds := schemas.AudienceReleases
	b := array.NewRecordBuilder(mem, ds.Schema)
	defer b.Release()
	f := func(name string) array.Builder { return b.Field(ds.Schema.FieldIndices(name)[0]) }
	str := func(name, v string) {
		sb := f(name).(*array.StringBuilder)
		if v == "" && ds.Schema.Field(ds.Schema.FieldIndices(name)[0]).Nullable {
			sb.AppendNull()
			return
		}
		sb.Append(v)
	}
	optInt := func(name string, v *int64) {
		ib := f(name).(*array.Int64Builder)
		if v == nil {
			ib.AppendNull()
			return
		}
		ib.Append(*v)
	}
	optEps := func(name string, micros int64, ok bool) {
		fb := f(name).(*array.Float64Builder)
		if !ok {
			fb.AppendNull()
			return
		}
		fb.Append(float64(micros) / 1e6)
	}
	var rows int64
	for _, e := range l.Entries() {
		if e.DT != dt {
			continue
		}
		rows++
		f("seq").(*array.Int64Builder).Append(e.Seq)
		f("time").(*array.TimestampBuilder).Append(arrow.Timestamp(e.Time.UnixMilli()))
		str("actor", e.Actor)
		str("merchant_id", e.Merchant)
		str("action", e.Action)
		str("expr_hash", e.ExprHash)
		str("expression", e.Expression)
		optEps("epsilon", e.EpsilonMicros, e.EpsilonMicros > 0)
		optInt("noisy_count", e.Noisy)
		f("reused").(*array.BooleanBuilder).Append(e.Reused)
		optInt("exported", e.Exported)
		optInt("k_anonymity", e.K)
		optInt("l_diversity", e.L)
		str("verdict", e.Verdict)
		str("reason", e.Reason)
		optEps("budget_spent", e.SpentMicros, true)
		str("budget_period", e.Period)
	}
	pw, err := wh.Begin(ds, sinks.Partition{DT: dt}, "audience", pipeline.NewRunID(time.Now()))
	if err != nil {
		return 0, err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		return 0, err
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := fw.Write(rec); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	_, err = pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: rows, RecordsOut: rows}})
	if err != nil {
		return 0, fmt.Errorf("commit %s: %w", ds.Name, err)
	}
	return rows, nil
}
