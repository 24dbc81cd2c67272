package risk

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// scanColumns are the events_clean columns the risk stage reads.
var scanColumns = []string{
	"event_id", "ts", "type", "user_token", "device_token", "ip_token", "ip_prefix",
	"card_token", "live_session_id", "amount", "signup_ts", "source", "browser",
}

var scanSchema, _ = sinks.Project(schemas.EventsClean.Schema, scanColumns)

func scanCol(name string) int { return scanSchema.FieldIndices(name)[0] }

var (
	cID, cTS, cType, cUser     = scanCol("event_id"), scanCol("ts"), scanCol("type"), scanCol("user_token")
	cDevice, cIP, cIP24, cCard = scanCol("device_token"), scanCol("ip_token"), scanCol("ip_prefix"), scanCol("card_token")
	cLive, cAmount, cSignup    = scanCol("live_session_id"), scanCol("amount"), scanCol("signup_ts")
	cSource, cBrowser          = scanCol("source"), scanCol("browser")
	entityCols                 = [features.NEntities]int{cUser, cDevice, cIP, cIP24, cCard}
)

// dayRow is a scored event of the day with the key columns risk_features
// copies that the engine does not read.
type dayRow struct {
	ev              features.Event
	source, browser string
}

// liveRow is an event that is not scored but carries a live session: all
// the engine takes from it is when the session was seen.
type liveRow struct {
	ts        int64
	typ, live string
}

// daySource is the day's events as the engine needs them: scored events
// whole, other events only when they carry a live session, and nothing
// of the rest (browsing, nine events in ten), so a 10M-event day is held
// as its 0.8M scored events and the records go as soon as they are read.
type daySource struct {
	rows []dayRow
	live []liveRow
	read int64
}

func (s *daySource) add(rec arrow.RecordBatch) {
	types := rec.Column(cType).(*array.String)
	lives := rec.Column(cLive).(*array.String)
	ts := rec.Column(cTS).(*array.Timestamp)
	n := int(rec.NumRows())
	s.read += int64(n)
	for j := range n {
		typ := types.Value(j)
		if features.IsScored(typ) {
			ev, src, br := readEvent(rec, j)
			s.rows = append(s.rows, dayRow{ev: cloneEvent(ev), source: strings.Clone(src), browser: strings.Clone(br)})
		} else if lives.IsValid(j) && lives.Value(j) != "" {
			s.live = append(s.live, liveRow{ts: int64(ts.Value(j)), typ: strings.Clone(typ), live: strings.Clone(lives.Value(j))})
		}
	}
}

func (s *daySource) Len() int { return len(s.rows) + len(s.live) }

func (s *daySource) TS(i int) int64 {
	if i < len(s.rows) {
		return s.rows[i].ev.TS
	}
	return s.live[i-len(s.rows)].ts
}

// ID orders simultaneous events for output only; unscored events make no
// row, and their order among equals changes nothing.
func (s *daySource) ID(i int) string {
	if i < len(s.rows) {
		return s.rows[i].ev.ID
	}
	return ""
}

func (s *daySource) Fill(i int, e *features.Event) {
	if i < len(s.rows) {
		*e = s.rows[i].ev
		return
	}
	l := &s.live[i-len(s.rows)]
	*e = features.Event{TS: l.ts, Type: l.typ, Live: l.live}
}

func str(rec arrow.RecordBatch, col, row int) string {
	a := rec.Column(col).(*array.String)
	if a.IsNull(row) {
		return ""
	}
	return a.Value(row)
}

// readEvent reads row j of an events_clean scan record (scanColumns) into
// an Event, with its source and browser. The strings point into the
// record: cloneEvent what outlives it.
func readEvent(rec arrow.RecordBatch, j int) (features.Event, string, string) {
	e := features.Event{
		ID:   str(rec, cID, j),
		TS:   int64(rec.Column(cTS).(*array.Timestamp).Value(j)),
		Type: str(rec, cType, j),
		Live: str(rec, cLive, j),
	}
	for k, c := range entityCols {
		e.Keys[k] = str(rec, c, j)
	}
	if a := rec.Column(cAmount).(*array.Float64); a.IsValid(j) {
		e.Amount4, e.HasAmount = Amount4(a.Value(j)), true
	}
	if su := rec.Column(cSignup).(*array.Timestamp); su.IsValid(j) {
		e.Signup = int64(su.Value(j))
	}
	return e, str(rec, cSource, j), str(rec, cBrowser, j)
}

// cloneEvent copies e's strings out of the record they point into.
func cloneEvent(e features.Event) features.Event {
	e.ID, e.Type, e.Live = strings.Clone(e.ID), strings.Clone(e.Type), strings.Clone(e.Live)
	for k := range e.Keys {
		e.Keys[k] = strings.Clone(e.Keys[k])
	}
	return e
}

// Amount4 is an amount in ten-thousandths, the engine's exact unit.
func Amount4(a float64) int64 { return int64(math.Round(a * 1e4)) }
