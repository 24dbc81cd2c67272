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
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

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
	// One goroutine folds while the scan decodes the next row group; it
	// takes the records in scan order, so the state is what one loop
	// would make. After a panic it keeps draining, so the scan never
	// blocks on it.
	recs := make(chan arrow.RecordBatch, 2)
	fold := spawn(func() {
		defer func() {
			for rec := range recs {
				rec.Release()
			}
		}()
		for rec := range recs {
			agg.add(rec)
			rec.Release()
		}
	})
	days, err := job.ScanInputs(ctx, plan.Inputs[:len(plan.Inputs)-1], scanColumns, func(rec arrow.RecordBatch) error {
		rec.Retain()
		recs <- rec
		return nil
	})
	close(recs)
	if p := fold(); p != nil {
		panic(p)
	}
	if err != nil {
		return err
	}
	agg.finish()
	w := &writer{agg: agg, spec: spec, asOf: arrow.Timestamp(end.UnixMilli()), out: optedOut(agg.ids, reg), order: agg.ids.Sorted()}

	// Both are staged before either is committed. If the process dies
	// between the commits, one output is missing and the runner re-runs
	// the partition. They are written at once, each on its own goroutine
	// (they only read the aggregator); a failure of one stops the other.
	pw, err := job.Warehouse.Begin(spec.ConsumerTags(), job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	mpw, err := job.Warehouse.Begin(spec.ConsumerMerchantTags(), job.Partition(), s.Name(), job.RunID)
	if err != nil {
		return err
	}
	defer mpw.Abort()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		rows, pairs int64
		mu          sync.Mutex
		failed      error // the first failure; the other is usually its cancellation
	)
	fail := func(ds string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if failed == nil {
			failed = fmt.Errorf("write %s: %w", ds, err)
		}
		cancel()
	}
	wc := spawn(func() {
		var err error
		if rows, err = w.consumers(wctx, job, pw); err != nil {
			fail(schemas.ConsumerTags.Name, err)
		}
	})
	wm := spawn(func() {
		var err error
		if pairs, err = w.merchantPairs(wctx, job, mpw); err != nil {
			fail(schemas.ConsumerMerchantTags.Name, err)
		}
	})
	if pc, pm := wc(), wm(); pc != nil || pm != nil {
		panic(cmp.Or(pc, pm))
	}
	if failed != nil {
		return failed
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

// spawn runs f on a new goroutine. The returned wait blocks until f has
// returned and gives what f panicked with, nil if it did not, for the
// caller to panic with on the stage's goroutine, where the runner recovers
// a stage's panics.
func spawn(f func()) (wait func() any) {
	done := make(chan struct{})
	var p any
	go func() {
		defer close(done)
		defer func() { p = recover() }()
		f()
	}()
	return func() any {
		<-done
		return p
	}
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
