package risklist

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Review builds risk_review/dt from risk_decisions/dt: what was flagged
// and blocked, by reason, for the day and per live session, with amounts
// at stake, the day's appeals, and false positives against the fraud
// labels known by the cutoff, the end of dt + LabelDays. Like
// risk_training, a partition built before the labels of the days after dt
// have landed is due again when they land.
type Review struct {
	LabelDays int // default 30
	// Appeals returns the appeal cases as of asOf (ms); nil: none.
	Appeals func(ctx context.Context, asOf int64) ([]appeals.Case, error)
}

// Name is "review".
func (Review) Name() string { return "review" }

func (s Review) labelDays() int { return cmp.Or(s.LabelDays, 30) }

// Plan reads the day's decisions, its risk_state (the labels known by its
// end) and labels_clean of the days up to the cutoff.
func (s Review) Plan(dt time.Time) pipeline.Plan {
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	in := []pipeline.Input{
		{Dataset: schemas.RiskDecisions, Partition: p, Required: true},
		{Dataset: schemas.RiskState, Partition: p, Required: true},
	}
	for d := 1; d <= s.labelDays(); d++ {
		in = append(in, pipeline.Input{Dataset: schemas.LabelsClean, Partition: sinks.Partition{DT: dt.AddDate(0, 0, d).Format(time.DateOnly)}})
	}
	return pipeline.Plan{Inputs: in, Outputs: []pipeline.Output{{Dataset: schemas.RiskReview, Partition: p}}}
}

// ReviewStats is the review's account and the day's totals the report
// shows.
type ReviewStats struct {
	pipeline.Stats
	Cutoff        time.Time   `json:"label_cutoff"`
	LabelsThrough string      `json:"labels_through,omitempty"`
	Day           ReviewRow   `json:"day"` // the day's row for all reasons
	ByReason      []ReviewRow `json:"by_reason"`
	Sessions      int         `json:"live_sessions_flagged"`
	Overdue       int         `json:"appeals_overdue,omitempty"`
}

// ReviewRow is one risk_review row.
type ReviewRow struct {
	Scope          string   `json:"scope"`
	Session        string   `json:"live_session_id,omitempty"`
	Reason         string   `json:"reason"`
	Events         int64    `json:"events"`
	Users          int64    `json:"users"`
	UsersFraud     int64    `json:"users_fraud"`
	Reviewed       int64    `json:"reviewed"`
	Blocked        int64    `json:"blocked"`
	AmountReviewed float64  `json:"amount_reviewed"`
	AmountBlocked  float64  `json:"amount_blocked"`
	Flagged        int64    `json:"flagged_users"`
	FlaggedFraud   int64    `json:"flagged_users_fraud"`
	FPR            *float64 `json:"false_positive_rate,omitempty"` // nil: no unlabelled user
	AppealsOpened  int64    `json:"appeals_opened"`
	AppealsLifted  int64    `json:"appeals_lifted"`
}

// scope gathers one scope's counts per reason ("*" for all).
type scope struct {
	events    int64
	users     map[string]bool
	perReason map[string]*reasonAcc
}

type reasonAcc struct {
	reviewed, blocked             int64
	amountReviewed, amountBlocked float64
	flagged                       map[string]bool
}

func newScope() *scope { return &scope{users: map[string]bool{}, perReason: map[string]*reasonAcc{}} }

// add counts one decision; the strings may be views into a record, and
// are copied when kept.
func (sc *scope) add(user, action string, reasons []string, amount float64) {
	sc.events++
	if !sc.users[user] {
		sc.users[strings.Clone(user)] = true
	}
	if action == "allow" {
		return
	}
	sc.count("*", user, action, amount)
	for _, r := range reasons {
		sc.count(r, user, action, amount)
	}
}

// count adds a flagged event to reason r's tally.
func (sc *scope) count(r, user, action string, amount float64) {
	a := sc.perReason[r]
	if a == nil {
		a = &reasonAcc{flagged: map[string]bool{}}
		sc.perReason[strings.Clone(r)] = a
	}
	if !a.flagged[user] {
		a.flagged[strings.Clone(user)] = true
	}
	if action == "block" {
		a.blocked++
		a.amountBlocked += amount
	} else {
		a.reviewed++
		a.amountReviewed += amount
	}
}

func (sc *scope) rows(kind, session string, fraud map[string]int64, cutoff int64) []ReviewRow {
	var usersFraud int64
	for u := range sc.users {
		if t, ok := fraud[u]; ok && t <= cutoff {
			usersFraud++
		}
	}
	reasons := make([]string, 0, len(sc.perReason)+1)
	for r := range sc.perReason {
		reasons = append(reasons, r)
	}
	if sc.perReason["*"] == nil {
		reasons = append(reasons, "*")
	}
	slices.Sort(reasons)
	var out []ReviewRow
	for _, r := range reasons {
		row := ReviewRow{Scope: kind, Session: session, Reason: r, Events: sc.events, Users: int64(len(sc.users)), UsersFraud: usersFraud}
		if a := sc.perReason[r]; a != nil {
			row.Reviewed, row.Blocked, row.AmountReviewed, row.AmountBlocked = a.reviewed, a.blocked, a.amountReviewed, a.amountBlocked
			row.Flagged = int64(len(a.flagged))
			for u := range a.flagged {
				if t, ok := fraud[u]; ok && t <= cutoff {
					row.FlaggedFraud++
				}
			}
		}
		if legit := row.Users - row.UsersFraud; legit > 0 {
			fpr := float64(row.Flagged-row.FlaggedFraud) / float64(legit)
			row.FPR = &fpr
		}
		out = append(out, row)
	}
	return out
}

// Run reads the decisions, joins the labels and appeals, and commits.
func (s Review) Run(ctx context.Context, job *pipeline.Job) error {
	log := job.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cutoff := job.Date.AddDate(0, 0, s.labelDays()+1).Add(-time.Millisecond)
	known, through, err := risk.KnownLabels(ctx, job, s.labelDays())
	if err != nil {
		return err
	}
	st := ReviewStats{Cutoff: cutoff.UTC(), LabelsThrough: through}
	day := newScope()
	sessions := map[string]*scope{}
	var rs []string
	err = job.Warehouse.Scan(ctx, job.Mem, schemas.RiskDecisions, job.Partition(), func(rec arrow.RecordBatch) error {
		col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
		users, live := col("user_token").(*array.String), col("live_session_id").(*array.String)
		amounts, actions := col("amount").(*array.Float64), col("action").(*array.String)
		reasons := col("reasons").(*array.List)
		rvals := reasons.ListValues().(*array.String)
		offs := reasons.Offsets()
		for j := range int(rec.NumRows()) {
			// Views into the record: scopes copy what they keep.
			u, a := users.Value(j), actions.Value(j)
			amt := 0.0
			if amounts.IsValid(j) {
				amt = amounts.Value(j)
			}
			rs = rs[:0]
			for k := offs[j]; k < offs[j+1]; k++ {
				rs = append(rs, rvals.Value(int(k)))
			}
			day.add(u, a, rs, amt)
			if live.IsValid(j) {
				id := live.Value(j)
				sc := sessions[id]
				if sc == nil {
					sc = newScope()
					sessions[strings.Clone(id)] = sc
				}
				sc.add(u, a, rs, amt)
			}
			st.RecordsIn++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %s/dt=%s: %w", schemas.RiskDecisions.Name, job.DT(), err)
	}
	rows := day.rows("day", "", known, cutoff.UnixMilli())
	if s.Appeals != nil {
		cases, err := s.Appeals(ctx, cutoff.UnixMilli())
		if err != nil {
			return fmt.Errorf("review: appeals: %w", err)
		}
		start, end := job.Date.UnixMilli(), pipeline.EndOfDay(job.Date).UnixMilli()
		for i := range rows {
			if rows[i].Reason != "*" {
				continue
			}
			for _, c := range cases {
				if c.OpenedAt >= start && c.OpenedAt <= end {
					rows[i].AppealsOpened++
				}
				if c.Decision == appeals.Lift && c.DecidedAt >= start && c.DecidedAt <= end {
					rows[i].AppealsLifted++
				}
			}
		}
	}
	for _, r := range rows {
		if r.Reason == "*" {
			st.Day = r
		} else {
			st.ByReason = append(st.ByReason, r)
		}
	}
	ids := make([]string, 0, len(sessions))
	for id, sc := range sessions {
		if sc.perReason["*"] != nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	st.Sessions = len(ids)
	for _, id := range ids {
		rows = append(rows, sessions[id].rows("live_session", id, known, cutoff.UnixMilli())...)
	}
	if err := writeReview(job, rows, &st); err != nil {
		return err
	}
	log.Info("risk review committed", "dt", job.DT(), "decisions", st.RecordsIn, "rows", len(rows),
		"reviewed", st.Day.Reviewed, "blocked", st.Day.Blocked, "cutoff", cutoff.UTC(), "labels_through", through)
	return nil
}

func writeReview(job *pipeline.Job, rows []ReviewRow, st *ReviewStats) error {
	b := array.NewRecordBuilder(job.Mem, schemas.RiskReview.Schema)
	defer b.Release()
	f := b.Fields()
	for _, r := range rows {
		f[0].(*array.StringBuilder).Append(r.Scope)
		appendStr(f[1], r.Session)
		f[2].(*array.StringBuilder).Append(r.Reason)
		for i, v := range []int64{r.Events, r.Users, r.UsersFraud, r.Reviewed, r.Blocked} {
			f[3+i].(*array.Int64Builder).Append(v)
		}
		f[8].(*array.Float64Builder).Append(r.AmountReviewed)
		f[9].(*array.Float64Builder).Append(r.AmountBlocked)
		f[10].(*array.Int64Builder).Append(r.Flagged)
		f[11].(*array.Int64Builder).Append(r.FlaggedFraud)
		if r.FPR == nil {
			f[12].AppendNull()
		} else {
			f[12].(*array.Float64Builder).Append(*r.FPR)
		}
		f[13].(*array.Int64Builder).Append(r.AppealsOpened)
		f[14].(*array.Int64Builder).Append(r.AppealsLifted)
	}
	st.RecordsOut = st.RecordsIn
	return commitBuilt(job, schemas.RiskReview, "review", b, st)
}
