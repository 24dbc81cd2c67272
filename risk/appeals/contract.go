// Package appeals turns the appeals feed into cases and records each
// decision on a case in an append-only log, MACed and chained and anchored
// like the re-identification log (audit/chain).
package appeals

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/sinks"
)

// CONTRACT: the lead and other helpers code against these names. The
// appeals helper implements them (replacing this file) and keeps the
// signatures.

// Decision values.
const (
	Uphold = "uphold"
	Lift   = "lift"
)

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

// Files are where the decision log lives and the keys that guard it.
type Files struct {
	Log    string // <warehouse>/_appeals/decisions.jsonl
	Anchor string // <keys>/appeals-anchor.json
}

var errStub = errors.New("appeals: not implemented yet")

// Log is the opened, verified decision log.
type Log struct{}

// Cases reads every appeals_clean partition up to asOf (ms) and joins the
// log's decisions made before asOf.
func Cases(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, log *Log, asOf int64) ([]Case, error) {
	return nil, errStub
}

// Lifts are the log's lift decisions made before asOf, in time order, as
// blacklist lifts of the appellant's user token.
func (l *Log) Lifts(asOf int64) []blacklist.Lift { return nil }
