package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// OptOuts is the consent stage (name "optouts"): landing optouts to
// optouts_clean, and optout_registry/dt=D, the registry of D-1 folded with
// the day's requests, which is what audiences must honour.
type OptOuts struct {
	// Policy is the field policy; nil means the embedded default.
	Policy *policy.File
}

func (OptOuts) Name() string { return "optouts" }

// Plan reads the day's landing partition and, optionally, the previous
// day's registry: optional so that the runner re-runs a day when its
// predecessor appears or changes; Run decides whether its absence is the
// start of history or a gap.
func (OptOuts) Plan(dt time.Time) pipeline.Plan {
	p := plan(schemas.OptOuts, schemas.OptOutsClean, dt)
	prev := sinks.Partition{DT: dt.AddDate(0, 0, -1).Format(time.DateOnly)}
	p.Inputs = append(p.Inputs, pipeline.Input{Dataset: schemas.OptOutRegistry, Partition: prev})
	p.Outputs = append(p.Outputs, pipeline.Output{Dataset: schemas.OptOutRegistry, Partition: sinks.Partition{DT: dt.Format(time.DateOnly)}})
	return p
}

// ConfigFingerprint makes a policy change re-run the stage.
func (s OptOuts) ConfigFingerprint() string { return configFingerprint(s.Policy, schemas.OptOuts) }

// request is one accepted record: a consent change and its scope.
type request struct {
	consent.Change
	scope string
}

// requestKey identifies an exact repeat: the same consumer, time (to the
// millisecond the dataset keeps), scope and action.
type requestKey struct {
	token, scope string
	action       consent.Action
	ms           int64
}

// Run reads the day's requests in input order on one goroutine (the feed
// is small), quarantines what it cannot accept, drops exact repeats, and
// commits quarantine, optouts_clean and, last, the registry: a crash in
// between leaves the registry missing, so the day stays due.
func (s OptOuts) Run(ctx context.Context, job *pipeline.Job) error {
	pol, err := compile(s.Policy, schemas.OptOuts)
	if err != nil {
		return err
	}
	if err := sameUserTokens(s.Policy, pol, "the opt-out registry"); err != nil {
		return err
	}
	tokCol, tsCol := column(pol.Dataset, "user_token"), column(pol.Dataset, "ts")
	scopeCol, actionCol := column(pol.Dataset, "scope"), column(pol.Dataset, "action")
	r, err := openRun(ctx, job, pol)
	if err != nil {
		return err
	}
	defer r.close()
	prev, err := previousRegistry(ctx, job, r.tok.KeyIDs())
	if err != nil {
		return err
	}
	regPW, err := job.Warehouse.Begin(schemas.OptOutRegistry, job.Partition(), job.Stage, job.RunID)
	if err != nil {
		return err
	}
	defer regPW.Abort()
	q, err := newQuarantine(job.Mem, r.qPW, relPaths(r.files))
	if err != nil {
		return err
	}
	defer q.release()

	stats := r.stats()
	seen := map[requestKey]struct{}{}
	var reqs []request
	guard, gw, err := readSmallFeed(ctx, job, pol, r, q, &stats, func(row policy.Row) bool {
		req := request{
			Change: consent.Change{UserToken: row.S[tokCol], TS: time.UnixMilli(row.I[tsCol]).UTC(), Action: consentAction(row.S[actionCol])},
			scope:  consentScope(row.S[scopeCol]),
		}
		k := requestKey{token: req.UserToken, scope: req.scope, action: req.Action, ms: row.I[tsCol]}
		if _, dup := seen[k]; dup {
			return false
		}
		seen[k] = struct{}{}
		reqs = append(reqs, req)
		return true
	})
	if err != nil {
		return err
	}
	if err := q.close(); err != nil {
		return err
	}

	slices.SortStableFunc(reqs, func(a, b request) int {
		return cmp.Or(consent.Compare(a.Change, b.Change), cmp.Compare(a.scope, b.scope))
	})
	if err := writeRequests(job, r.clean, pol.Dataset.Schema, reqs); err != nil {
		return err
	}
	changes := make([]consent.Change, len(reqs))
	for i := range reqs {
		changes[i] = reqs[i].Change
	}
	entries, fold, err := consent.Fold(prev, changes)
	if err != nil {
		return fmt.Errorf("optouts %s: %w", job.DT(), err)
	}
	if err := writeRegistry(job, regPW, entries); err != nil {
		return err
	}

	// Today's tokens are checked by the guard as they are made; carried
	// ones passed the scan of the day that made them, and are checked
	// again here by their grammar, as they are written again.
	var extra []residual.Finding
	if n := malformedTokens(entries); n > 0 {
		extra = append(extra, residual.Finding{Dataset: schemas.OptOutRegistry.Name, Column: "user_token", Kind: residual.MalformedToken, Count: n})
	}
	if err := r.scan(job, guard, []*guardWorker{gw}, &stats, extra...); err != nil {
		return err
	}
	if err := r.commit(job, stats); err != nil {
		return err
	}
	regStats := RegistryStats{Stats: pipeline.Stats{RecordsIn: int64(fold.Carried + fold.Requests), RecordsOut: int64(len(entries))}, Consent: fold}
	if _, err := regPW.Commit(sinks.CommitInfo{KeyIDs: r.tok.KeyIDs(), Inputs: job.Inputs, Stats: regStats}); err != nil {
		return err
	}
	job.Log.Info("optouts committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates,
		"new_opt_outs", fold.NewOptOuts, "withdrawals", fold.Withdrawals, "opted_out", fold.OptedOut, "consumers", fold.Consumers)
	return nil
}

// RegistryStats is the account in optout_registry's manifests: the
// aggregate counts of pipeline.Stats (entries carried plus requests in,
// entries out) and what the fold did.
type RegistryStats struct {
	pipeline.Stats
	Consent consent.FoldStats `json:"consent"`
}

// consentAction and consentScope return the package's constants for
// values the feed's checks have accepted, so that rows do not hold on to
// the landing lines.
func consentAction(v string) consent.Action {
	if v == schemas.ActionWithdraw {
		return consent.Withdraw
	}
	if v == schemas.ActionOptOut {
		return consent.OptOut
	}
	return consent.Action(v) // Fold refuses it
}

func consentScope(v string) string {
	if i := slices.Index(schemas.ConsentScopes, v); i >= 0 {
		return schemas.ConsentScopes[i]
	}
	return v
}

// sameUserTokens refuses a policy under which the feed's user_id would not
// get the token events give it: the feed's rows would then match nobody
// (every opted-out consumer would reach merchants; no label would join
// its events). what names the output that must join.
func sameUserTokens(f *policy.File, c *policy.Compiled, what string) error {
	events, err := compile(f, schemas.Events)
	if err != nil {
		return err
	}
	want, got := events.Describe()["user_id"], c.Describe()["user_id"]
	if got != want {
		return fmt.Errorf("policy: feed %s treats user_id as %q and feed events as %q; %s must carry the events' user_token", c.Feed.Name, got, want, what)
	}
	return nil
}

// previousRegistry returns the registry as of the end of the day before
// the job's. Its absence is allowed only before the feed's history
// begins: default deny, a gap must never reset opt-outs to nobody.
func previousRegistry(ctx context.Context, job *pipeline.Job, keyIDs map[string]uint32) ([]consent.Entry, error) {
	prev := job.Date.AddDate(0, 0, -1).Format(time.DateOnly)
	m, err := job.Warehouse.Manifest(schemas.OptOutRegistry, sinks.Partition{DT: prev})
	if errors.Is(err, sinks.ErrNotCommitted) {
		dates, lerr := pipeline.LandingDates(job.Landing, schemas.OptOuts.Name)
		if lerr != nil {
			return nil, lerr
		}
		if len(dates) > 0 && dates[0].Before(job.Date) {
			return nil, fmt.Errorf("%s/dt=%s is missing, and landing %s holds partitions from %s on: commit the optouts stage for %s first, since starting from an empty registry would forget earlier opt-outs: %w",
				schemas.OptOutRegistry.Name, prev, schemas.OptOuts.Name, dates[0].Format(time.DateOnly), prev, sinks.ErrNotCommitted)
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for name, id := range keyIDs {
		if old, ok := m.KeyIDs[name]; ok && old != id {
			return nil, fmt.Errorf("%s/dt=%s was tokenised under %s key %d, the current one is %d: re-run the optouts stage for %s first (its tokens would not match today's)",
				schemas.OptOutRegistry.Name, prev, name, old, id, prev)
		}
	}
	return consent.ReadEntries(ctx, job.Warehouse, job.Mem, prev)
}

// writeRequests writes the day's requests, in fold order, to optouts_clean.
func writeRequests(job *pipeline.Job, pw *sinks.PartitionWriter, schema *arrow.Schema, reqs []request) error {
	w, err := pw.Parquet(job.Mem)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(job.Mem, schema)
	defer b.Release()
	tok := b.Field(column(schemas.OptOutsClean, "user_token")).(*array.StringBuilder)
	ts := b.Field(column(schemas.OptOutsClean, "ts")).(*array.TimestampBuilder)
	scope := b.Field(column(schemas.OptOutsClean, "scope")).(*array.StringBuilder)
	action := b.Field(column(schemas.OptOutsClean, "action")).(*array.StringBuilder)
	return writeRows(w, b, len(reqs), func(i int) {
		r := &reqs[i]
		tok.Append(r.UserToken)
		ts.Append(arrow.Timestamp(r.TS.UnixMilli()))
		scope.Append(r.scope)
		action.Append(string(r.Action))
	})
}

// writeRegistry writes the folded registry.
func writeRegistry(job *pipeline.Job, pw *sinks.PartitionWriter, entries []consent.Entry) error {
	w, err := pw.Parquet(job.Mem)
	if err != nil {
		return err
	}
	for start := 0; start < len(entries); start += flushRows {
		rec := consent.NewRecord(job.Mem, entries[start:min(start+flushRows, len(entries))])
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return w.Close()
}

// malformedTokens counts registry tokens that are not well-formed.
func malformedTokens(entries []consent.Entry) int64 {
	var n int64
	for _, e := range entries {
		if !residual.WellFormedToken(e.UserToken) {
			n++
		}
	}
	return n
}
