// Package tagging derives consumer tags from pseudonymous behaviour events
// (events_clean) over a trailing window of days. The tags are defined in a
// tag file (configs/tags.yaml): named CEL expressions over aggregates veil
// computes per consumer (consumer_tags) and per consumer and merchant
// (consumer_merchant_tags). Both datasets are internal: they are keyed by
// the platform-wide user_token, and merchants only ever receive audiences
// computed from them (package audience). Consumers opted out of marketing
// as of the end of the day are not tagged.
package tagging

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// batchRows bounds the Arrow records the stage writes; tests lower it.
var batchRows = 64 * 1024

var stringsType = reflect.TypeOf([]string(nil))

// Stage computes, for dt, consumer_tags/dt (one row per consumer seen in
// events_clean over the window, sorted by user_token) and
// consumer_merchant_tags/dt (one row per merchant and consumer with an
// event of that merchant among the same events, sorted by merchant_id then
// user_token), as of the end of dt (dt+1d-1ms UTC), from the events with
// ts <= as_of. The window is the partitions, not event times: an event
// committed in a window partition counts even if its ts is earlier; one
// committed after dt never does.
//
// events_clean/dt and optout_registry/dt are required; the earlier days of
// events_clean are read when committed, so the first days of a deployment
// get tags over a shorter window. A consumer the registry says is opted out
// at the end of dt gets no row in either dataset.
type Stage struct {
	// Spec is the compiled tag file; nil means the embedded default.
	Spec *Spec
}

// Name is "tags".
func (Stage) Name() string { return "tags" }

func (s Stage) spec() *Spec {
	if s.Spec != nil {
		return s.Spec
	}
	return DefaultSpec()
}

// ConfigFingerprint makes a tag-file change re-run the stage.
func (s Stage) ConfigFingerprint() string { return s.spec().Fingerprint() }

// Plan reads events_clean for dt (required) and the WindowDays-1 days
// before it (optional), and the opt-out registry of dt (required).
func (s Stage) Plan(dt time.Time) pipeline.Plan {
	spec := s.spec()
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	in := pipeline.Window(schemas.EventsClean, dt, spec.WindowDays)
	in = append(in, pipeline.Input{Dataset: schemas.OptOutRegistry, Partition: p, Required: true})
	return pipeline.Plan{
		Inputs: in,
		Outputs: []pipeline.Output{
			{Dataset: spec.ConsumerTags(), Partition: p},
			{Dataset: spec.ConsumerMerchantTags(), Partition: p},
		},
	}
}

// Run scans the window, folds it into per-consumer state, evaluates the
// tags and commits both datasets.
func (s Stage) Run(ctx context.Context, job *pipeline.Job) error {
	spec := s.spec()
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg, err := consent.Load(ctx, job.Warehouse, job.Mem, job.DT())
	if err != nil {
		return fmt.Errorf("opt-out registry: %w", err)
	}
	if err := sameKeys(job, reg); err != nil {
		return err
	}
	end := pipeline.EndOfDay(job.Date)
	agg := newAggregator(spec, end.UnixMilli())
	plan := s.Plan(job.Date)
	days, err := job.ScanInputs(ctx, plan.Inputs[:len(plan.Inputs)-1], scanColumns, func(rec arrow.RecordBatch) error {
		agg.add(rec)
		return nil
	})
	if err != nil {
		return err
	}
	agg.finish()
	w := &writer{agg: agg, spec: spec, asOf: arrow.Timestamp(end.UnixMilli()), optedOut: reg.OptedOut, order: agg.ids.Sorted()}

	// Both are staged before either is committed. If the process dies
	// between the commits, one output is missing and the runner re-runs
	// the partition.
	pw, err := job.Warehouse.Begin(spec.ConsumerTags(), job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	rows, err := w.consumers(ctx, job, pw)
	if err != nil {
		return fmt.Errorf("write %s: %w", schemas.ConsumerTags.Name, err)
	}
	mpw, err := job.Warehouse.Begin(spec.ConsumerMerchantTags(), job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer mpw.Abort()
	pairs, err := w.merchantPairs(ctx, job, mpw)
	if err != nil {
		return fmt.Errorf("write %s: %w", schemas.ConsumerMerchantTags.Name, err)
	}

	stats := pipeline.Stats{RecordsIn: agg.read, RecordsOut: rows, Transforms: describe(spec, spec.Consumer, agg), OptOutsHonoured: w.honoured}
	if _, err := pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: stats}); err != nil {
		return err
	}
	mstats := pipeline.Stats{RecordsIn: agg.read, RecordsOut: pairs, Transforms: describe(spec, spec.Merchant, agg), OptOutsHonoured: w.honoured}
	if _, err := mpw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: mstats}); err != nil {
		return err
	}
	retireMerchantAudiences(job, log)
	evals, hits := w.evalCounts()
	log.Info("consumer tags committed", "days_read", days, "events", agg.read,
		"events_after_as_of", agg.future, "events_too_old", agg.old, "consumers", rows,
		"merchant_pairs", pairs, "optouts_honoured", w.honoured, "optout_registry", reg.Len(),
		"invalid_merchant_ids", agg.invalidMerchant, "cel_evaluations", evals, "memo_hits", hits)
	return nil
}

// retireMerchantAudiences removes the day's merchant_audiences partition,
// which earlier versions wrote: one row of quasi-identifier tags per
// consumer under a merchant token, the table merchants must no longer get.
// A warehouse upgraded in place would otherwise keep serving it.
func retireMerchantAudiences(job *pipeline.Job, log *slog.Logger) {
	dir := filepath.Join(job.Warehouse.Root, "merchant_audiences", "dt="+job.DT())
	if _, err := os.Stat(dir); err != nil {
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		log.Warn("could not remove the retired merchant_audiences partition", "dt", job.DT(), "err", err)
		return
	}
	log.Warn("removed the retired merchant_audiences partition (per-consumer rows merchants must not receive)", "dt", job.DT())
}

// sameKeys refuses a registry tokenised under other keys than the day's
// events: its tokens would match nobody, and every opted-out consumer
// would be tagged.
func sameKeys(job *pipeline.Job, reg *consent.Registry) error {
	m, err := job.Warehouse.Manifest(schemas.EventsClean, job.Partition())
	if err != nil {
		return err
	}
	for name, id := range reg.KeyIDs() {
		if other, ok := m.KeyIDs[name]; ok && other != id {
			return fmt.Errorf("optout_registry/dt=%s and events_clean/dt=%s were tokenised under different %s keys (%d, %d): re-run ingest and optouts for the day", job.DT(), job.DT(), name, id, other)
		}
	}
	return nil
}

// describe is the Transforms entry of each column of a tag dataset.
func describe(spec *Spec, tags []*Tag, agg *aggregator) map[string]string {
	window := fmt.Sprintf("events_clean dt-%d..dt with ts <= as_of", spec.WindowDays-1)
	d := map[string]string{
		"user_token": "grouping key, copied from events_clean; consumers opted out of marketing as of as_of are left out",
		"as_of":      "end of dt (dt+1d-1ms UTC); " + window,
	}
	for _, t := range tags {
		d[t.Name] = fmt.Sprintf("tag (%s, %s scope): %s", t.kind, t.Scope, collapse(t.Expr))
	}
	if len(tags) > 0 && tags[0].Scope == ScopeMerchant {
		d["merchant_id"] = fmt.Sprintf("copied from events_clean; one row per merchant and consumer with an event of that merchant; %d events with a merchant_id that cannot scope a token (empty, '/' or NUL) added none", agg.invalidMerchant)
	}
	return d
}

// collapse puts a multi-line expression on one line.
func collapse(s string) string {
	out := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' || c == '\t' || c == ' ' || c == '\r' {
			space = len(out) > 0
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, c)
	}
	return string(out)
}

// writer writes the tag datasets from a finished aggregator.
type writer struct {
	agg      *aggregator
	spec     *Spec
	asOf     arrow.Timestamp
	optedOut func(userToken string) bool
	order    []uint32 // user indices by user_token
	honoured int64    // opted-out consumers left out of consumer_tags
	evs      []*evaluator
}

func (w *writer) evalCounts() (evals, hits int64) {
	for _, e := range w.evs {
		evals += e.evals
		hits += e.hits
	}
	return evals, hits
}

// columns appends tag values to a record builder's tag fields, which
// start at field offset.
type columns struct {
	evs  []*evaluator
	apps []func(any)
}

func (w *writer) newColumns(b *array.RecordBuilder, offset int, tags []*Tag) *columns {
	c := &columns{}
	for i, t := range tags {
		e := newEvaluator(t)
		w.evs = append(w.evs, e)
		c.evs = append(c.evs, e)
		c.apps = append(c.apps, appender(b.Field(offset+i), t.kind))
	}
	return c
}

func (c *columns) append(v *view) error {
	for i, e := range c.evs {
		r, err := e.eval(v)
		if err != nil {
			return err
		}
		c.apps[i](r)
	}
	return nil
}

// appender appends a tag value of kind k; "" and empty lists are null.
func appender(b array.Builder, k kind) func(any) {
	switch k {
	case kindString:
		sb := b.(*array.StringBuilder)
		return func(v any) {
			if s := v.(string); s != "" {
				sb.Append(s)
			} else {
				sb.AppendNull()
			}
		}
	case kindInt:
		ib := b.(*array.Int64Builder)
		return func(v any) { ib.Append(v.(int64)) }
	case kindDouble:
		fb := b.(*array.Float64Builder)
		return func(v any) { fb.Append(v.(float64)) }
	case kindBool:
		bb := b.(*array.BooleanBuilder)
		return func(v any) { bb.Append(v.(bool)) }
	default:
		lb := b.(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		return func(v any) {
			l := v.([]string)
			if len(l) == 0 {
				lb.AppendNull()
				return
			}
			lb.Append(true)
			for _, s := range l {
				vb.Append(s)
			}
		}
	}
}

// batcher writes a record builder's rows out every batchRows rows.
type batcher struct {
	b       *array.RecordBuilder
	fw      *sinks.ParquetWriter
	pending int
}

func (bt *batcher) row() error {
	if bt.pending++; bt.pending == batchRows {
		return bt.flush()
	}
	return nil
}

func (bt *batcher) flush() error {
	if bt.pending == 0 {
		return nil
	}
	rec := bt.b.NewRecordBatch()
	defer rec.Release()
	bt.pending = 0
	return bt.fw.Write(rec)
}

// consumers writes one consumer_tags row per consumer not opted out,
// sorted by user_token.
func (w *writer) consumers(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	b := array.NewRecordBuilder(job.Mem, w.spec.ConsumerTags().Schema)
	defer b.Release()
	token := b.Field(0).(*array.StringBuilder)
	asOf := b.Field(1).(*array.TimestampBuilder)
	cols := w.newColumns(b, 2, w.spec.Consumer)
	bt := &batcher{b: b, fw: fw}
	a := w.agg
	v := view{a: a}
	for n, ix := range w.order {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		tok := a.ids.Name(ix)
		if w.optedOut(tok) {
			w.honoured++
			continue
		}
		v.ix, v.u, v.p = ix, &a.users[ix], nil
		v.cats = a.topCategories(v.cats[:0], v.u)
		token.Append(tok)
		asOf.Append(w.asOf)
		if err := cols.append(&v); err != nil {
			return 0, err
		}
		if err := bt.row(); err != nil {
			return 0, err
		}
	}
	if err := bt.flush(); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return fw.Rows(), nil
}

// merchantPairs writes one consumer_merchant_tags row per merchant and
// consumer not opted out, sorted by merchant_id then user_token.
func (w *writer) merchantPairs(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	a := w.agg
	// Invert the pairs: each merchant's pair indices, in user_token order.
	byMerchant := make([][]int32, a.merchants.Len())
	for _, ix := range w.order {
		if w.optedOut(a.ids.Name(ix)) {
			continue
		}
		for j := a.users[ix].pairs; j >= 0; j = a.pairs[j].next {
			m := a.pairs[j].merchant
			byMerchant[m] = append(byMerchant[m], j)
		}
	}
	owner := make([]uint32, len(a.pairs))
	for ix := range a.users {
		for j := a.users[ix].pairs; j >= 0; j = a.pairs[j].next {
			owner[j] = uint32(ix)
		}
	}
	b := array.NewRecordBuilder(job.Mem, w.spec.ConsumerMerchantTags().Schema)
	defer b.Release()
	merchant := b.Field(0).(*array.StringBuilder)
	token := b.Field(1).(*array.StringBuilder)
	asOf := b.Field(2).(*array.TimestampBuilder)
	cols := w.newColumns(b, 3, w.spec.Merchant)
	bt := &batcher{b: b, fw: fw}
	v := view{a: a}
	for _, mid := range a.merchants.Sorted() {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		id := a.merchants.Name(mid)
		for _, j := range byMerchant[mid] {
			ix := owner[j]
			v.ix, v.u, v.p = ix, &a.users[ix], &a.pairs[j]
			v.cats = a.topCategories(v.cats[:0], v.u)
			merchant.Append(id)
			token.Append(a.ids.Name(ix))
			asOf.Append(w.asOf)
			if err := cols.append(&v); err != nil {
				return 0, err
			}
			if err := bt.row(); err != nil {
				return 0, err
			}
		}
		byMerchant[mid] = nil
	}
	if err := bt.flush(); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return fw.Rows(), nil
}
