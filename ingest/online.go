package ingest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// EventParser turns one landing event line into its events_clean row by
// the ingest stage's own code: the same strict JSON decoding, checks,
// normalisation and compiled policy, so a token the decision service
// makes is the token events_clean holds. It differs in two ways a single
// request needs: any day is accepted (there is no partition), and a field
// the feed's schema does not declare refuses the line instead of being
// dropped and counted. Not safe for concurrent use: one per goroutine.
type EventParser struct {
	p    *parser
	rows *policy.Rows
	row  policy.Row
}

// Rejected says why a line was refused: the quarantine reason and the
// field it concerns, never the value.
type Rejected struct {
	Reason string // bad_json, missing_field, invalid_value, unknown_field, ...
	Field  string // "" when the reason concerns the whole line
}

func (r *Rejected) Error() string {
	if r.Field == "" {
		return r.Reason
	}
	return r.Reason + ": " + r.Field
}

// NewEventParser returns a parser of events-feed lines under pol, which
// must be compiled for schemas.Events; tok makes the tokens (one
// *anonymize.Worker per parser).
func NewEventParser(pol *policy.Compiled, tok policy.Tokens) (*EventParser, error) {
	if pol.Feed.Name != schemas.Events.Name {
		return nil, fmt.Errorf("ingest: event parser: policy compiled for feed %q, not %q", pol.Feed.Name, schemas.Events.Name)
	}
	p := newParser(pol, tok, time.Time{})
	p.any = true
	rows := pol.NewRows(1)
	return &EventParser{p: p, rows: rows, row: rows.Row(0)}, nil
}

// Parse reads one JSON object in the events feed's shape. The row's
// columns are events_clean's, in schema order; it is reused by the next
// call. A nil error means the ingest stage would have accepted the line
// (de-duplication by event_id aside: a single line has no duplicates).
func (ep *EventParser) Parse(line string) (policy.Row, error) {
	ep.p.stats = pipeline.Stats{}
	ep.row.Clear()
	if rej := ep.p.parse(line, ep.row); rej != nil {
		return policy.Row{}, &Rejected{Reason: rej.reason, Field: rej.field}
	}
	// DropField has reduced names to a safe shape ("<other>" otherwise).
	var unknown []string
	for name := range ep.p.stats.DroppedFields {
		if _, declared := ep.p.pol.Index(name); !declared {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return policy.Row{}, &Rejected{Reason: "unknown_field", Field: strings.Join(unknown, ",")}
	}
	return ep.row, nil
}
