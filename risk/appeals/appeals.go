// Package appeals turns the appeals feed into cases and records each
// decision on a case in an append-only log, MACed and chained and anchored
// like the re-identification log (audit/chain).
//
// A case is an appeals_clean row: the appellant by the reversible user
// token events_clean carries, so a case matches the blacklist's entries on
// that user and nobody deciding it needs a raw identifier (those come only
// through `veil reidentify`, audited). A decision is final: one per case,
// uphold or lift; a lift becomes a blacklist.Lift from the moment it was
// made (Log.Lifts), which the blacklist folds in.
package appeals

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Decision values.
const (
	Uphold = "uphold"
	Lift   = "lift"
)

// DefaultOverdueDays is how long an appeal may wait for a decision before
// it is flagged, where configuration does not say.
const DefaultOverdueDays = 14

// Case is one appeal and what was decided on it.
type Case struct {
	ID        string // the feed's appeal_id
	UserToken string // the appellant, as tokenised in events_clean
	OpenedAt  int64  // the appeal's ts, ms
	Statement string // desensitised
	Decision  string // "" while open, Uphold or Lift
	DecidedAt int64
	DecidedBy string
	Reason    string
}

// Open reports whether the case awaits a decision.
func (c Case) Open() bool { return c.Decision == "" }

// Files are where the decision log lives and the keys that guard it.
type Files struct {
	Log    string // <warehouse>/_appeals/decisions.jsonl
	Anchor string // <keys>/appeals-anchor.json
}

// Cases reads every appeals_clean partition up to asOf (ms) and joins the
// log's decisions made before asOf. A case filed twice (the same
// appeal_id on two days) is the first filing. log may be nil: no
// decisions; a log that failed verification is refused.
func Cases(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, log *Log, asOf int64) ([]Case, error) {
	var decided []Entry
	if log != nil {
		var err error
		if decided, err = log.Entries(); err != nil {
			return nil, err
		}
	}
	parts, err := w.Partitions(schemas.AppealsClean)
	if err != nil {
		return nil, fmt.Errorf("appeals: list %s: %w", schemas.AppealsClean.Name, err)
	}
	last := time.UnixMilli(asOf).UTC().Format(time.DateOnly)
	var cases []Case
	for _, p := range parts {
		if p.DT > last {
			break
		}
		err := w.Scan(ctx, mem, schemas.AppealsClean, p, func(rec arrow.RecordBatch) error {
			return appendCases(&cases, rec, asOf)
		})
		if err != nil {
			return nil, fmt.Errorf("appeals: read %s/dt=%s: %w", schemas.AppealsClean.Name, p.DT, err)
		}
	}
	slices.SortStableFunc(cases, func(a, b Case) int { return cmp.Or(cmp.Compare(a.OpenedAt, b.OpenedAt), cmp.Compare(a.ID, b.ID)) })
	byID := make(map[string]int, len(cases))
	out := make([]Case, 0, len(cases))
	for _, c := range cases {
		if _, dup := byID[c.ID]; !dup {
			byID[c.ID] = len(out)
			out = append(out, c)
		}
	}
	for _, e := range decided {
		i, ok := byID[e.Case]
		if at := e.DecidedAt.UnixMilli(); ok && at < asOf {
			c := &out[i]
			c.Decision, c.DecidedAt, c.DecidedBy, c.Reason = e.Decision, at, e.By, e.Reason
		}
	}
	return out, nil
}

// appendCases adds rec's appeals filed before asOf.
func appendCases(cases *[]Case, rec arrow.RecordBatch, asOf int64) error {
	col := func(name string) (arrow.Array, error) {
		i := rec.Schema().FieldIndices(name)
		if len(i) != 1 {
			return nil, fmt.Errorf("no column %q", name)
		}
		return rec.Column(i[0]), nil
	}
	var cols [4]arrow.Array
	for k, name := range []string{"appeal_id", "user_token", "ts", "statement"} {
		c, err := col(name)
		if err != nil {
			return err
		}
		cols[k] = c
	}
	id, ok0 := cols[0].(*array.String)
	tok, ok1 := cols[1].(*array.String)
	ts, ok2 := cols[2].(*array.Timestamp)
	st, ok3 := cols[3].(*array.String)
	if !ok0 || !ok1 || !ok2 || !ok3 {
		return errors.New("unexpected column types")
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		at := int64(ts.Value(i))
		if at >= asOf {
			continue
		}
		// Clones: the values point into rec's buffers.
		*cases = append(*cases, Case{ID: strings.Clone(id.Value(i)), UserToken: strings.Clone(tok.Value(i)),
			OpenedAt: at, Statement: strings.Clone(st.Value(i))})
	}
	return nil
}

// Find returns the case with the given id.
func Find(cases []Case, id string) (Case, bool) {
	i := slices.IndexFunc(cases, func(c Case) bool { return c.ID == id })
	if i < 0 {
		return Case{}, false
	}
	return cases[i], true
}

// Overdue returns the open cases filed at least days days before now (ms),
// oldest first: appeals that have waited too long for an answer.
func Overdue(cases []Case, now int64, days int) []Case {
	limit := now - int64(days)*86_400_000
	var out []Case
	for _, c := range cases {
		if c.Open() && c.OpenedAt <= limit {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Case) int { return cmp.Compare(a.OpenedAt, b.OpenedAt) })
	return out
}

// Summary is what a day's report says of the appeals: how many cases,
// how decided, and which open ones are overdue (by case id; never a user).
type Summary struct {
	Cases       int      `json:"cases"`
	Open        int      `json:"open"`
	Upheld      int      `json:"upheld"`
	Lifted      int      `json:"lifted"`
	OverdueDays int      `json:"overdue_days"`
	Overdue     []string `json:"overdue,omitempty"` // case ids, oldest first
}

// Summarize counts cases (Cases as of now) and flags the open ones filed
// at least days days before now.
func Summarize(cases []Case, now int64, days int) Summary {
	s := Summary{Cases: len(cases), OverdueDays: days}
	for _, c := range cases {
		switch c.Decision {
		case "":
			s.Open++
		case Uphold:
			s.Upheld++
		case Lift:
			s.Lifted++
		}
	}
	for _, c := range Overdue(cases, now, days) {
		s.Overdue = append(s.Overdue, c.ID)
	}
	return s
}

// RedactReason replaces the PII in a decision's reason (a phone number
// the reviewer typed in, say) with typed placeholders, as chat text is:
// the log is kept for years and read by auditors who need the why, not
// the appellant's contact details. It returns the count replaced.
func RedactReason(reason string) (string, int) {
	c := pii.NewConversation()
	c.Learn(reason)
	out, found := c.Redact(reason)
	return out, found.Total()
}
