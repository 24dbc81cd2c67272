package ingest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Appeals is the appeals stage (name "appeals"): landing appeals to
// appeals_clean/dt=D, each the counter-statement that opens a case, with
// the appellant tokenised as in events_clean (so a case matches the
// blacklist's entries on that user without anyone holding a key) and the
// statement desensitised as chat text is. Decisions are not made here:
// `veil appeals decide` records them in the decision log (risk/appeals).
type Appeals struct {
	// Policy is the field policy; nil means the embedded default.
	Policy *policy.File
}

func (Appeals) Name() string { return "appeals" }

func (Appeals) Plan(dt time.Time) pipeline.Plan {
	return plan(schemas.Appeals, schemas.AppealsClean, dt)
}

// ConfigFingerprint makes a policy change re-run the stage.
func (s Appeals) ConfigFingerprint() string { return configFingerprint(s.Policy, schemas.Appeals) }

// appeal is one accepted appeal; statement is raw until desensitised.
type appeal struct {
	id, token, statement string
	ms                   int64 // ts, Unix milliseconds
	pii                  int32
}

// Run reads the day's appeals in input order on one goroutine (the feed is
// a handful of records a day), quarantines what it cannot accept, drops
// repeats of an appeal_id (the first wins: a resubmitted form is the same
// case), desensitises each statement on its own (placeholders numbered
// within the statement), scans the output for residual raw values, and
// commits quarantine, then appeals_clean.
func (s Appeals) Run(ctx context.Context, job *pipeline.Job) error {
	pol, err := compile(s.Policy, schemas.Appeals)
	if err != nil {
		return err
	}
	if err := sameUserTokens(s.Policy, pol, schemas.AppealsClean.Name); err != nil {
		return err
	}
	ds := pol.Dataset
	idCol, tokCol, tsCol := column(ds, "appeal_id"), column(ds, "user_token"), column(ds, "ts")
	stmtCol := column(ds, "statement")
	text := pol.External // -1 when the policy does not redact the statement
	r, err := openRun(ctx, job, pol)
	if err != nil {
		return err
	}
	defer r.close()
	q, err := newQuarantine(job.Mem, r.qPW, relPaths(r.files))
	if err != nil {
		return err
	}
	defer q.release()

	stats := r.stats()
	seen := map[string]struct{}{}
	var appeals []appeal
	guard, gw, err := readSmallFeedRaw(ctx, job, pol, r, q, &stats, func(row policy.Row, rec *policy.Record) bool {
		id := row.S[idCol]
		if _, dup := seen[id]; dup {
			return false
		}
		// Rows and records are reused: keep copies.
		a := appeal{id: strings.Clone(id), token: strings.Clone(row.S[tokCol]), ms: row.I[tsCol]}
		if text >= 0 {
			a.statement = strings.Clone(rec.Vals[text])
		}
		seen[a.id] = struct{}{}
		appeals = append(appeals, a)
		return true
	})
	if err != nil {
		return err
	}
	if err := q.close(); err != nil {
		return err
	}
	if text >= 0 {
		for i := range appeals {
			a := &appeals[i]
			a.statement, a.pii = redactStatement(a.statement, &stats)
			gw.text(stmtCol, a.statement)
		}
	} else {
		// A policy that drops the statement: the column stays empty, never raw.
		for i := range appeals {
			appeals[i].statement = ""
		}
	}
	slices.SortFunc(appeals, func(a, b appeal) int { return cmp.Or(cmp.Compare(a.ms, b.ms), cmp.Compare(a.id, b.id)) })
	if err := writeAppeals(job, r.clean, ds.Schema, appeals); err != nil {
		return err
	}
	if err := r.scan(job, guard, []*guardWorker{gw}, &stats); err != nil {
		return err
	}
	if err := r.commit(job, stats); err != nil {
		return err
	}
	job.Log.Info("appeals committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates)
	return nil
}

// redactStatement replaces the PII of one statement with typed
// placeholders (the chat machinery: Learn, then Redact, so a name given
// late in the text is masked early too) and counts what it found.
func redactStatement(raw string, stats *pipeline.Stats) (string, int32) {
	c := pii.NewConversation()
	c.Learn(raw)
	redacted, found := c.Redact(raw)
	var n int32
	for _, typ := range pii.Types {
		if k := found.Get(typ); k > 0 {
			stats.AddPII(string(typ), int64(k))
			n += int32(k)
		}
	}
	return redacted, n
}

// writeAppeals writes the day's appeals to appeals_clean.
func writeAppeals(job *pipeline.Job, pw *sinks.PartitionWriter, schema *arrow.Schema, appeals []appeal) error {
	w, err := pw.Parquet(job.Mem)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(job.Mem, schema)
	defer b.Release()
	ds := schemas.AppealsClean
	id := b.Field(column(ds, "appeal_id")).(*array.StringBuilder)
	tok := b.Field(column(ds, "user_token")).(*array.StringBuilder)
	at := b.Field(column(ds, "ts")).(*array.TimestampBuilder)
	stmt := b.Field(column(ds, "statement")).(*array.StringBuilder)
	found := b.Field(column(ds, "pii_found")).(*array.Int32Builder)
	return writeRows(w, b, len(appeals), func(i int) {
		a := &appeals[i]
		id.Append(a.id)
		tok.Append(a.token)
		at.Append(arrow.Timestamp(a.ms))
		stmt.Append(a.statement)
		found.Append(a.pii)
	})
}
