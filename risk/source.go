package risk

import (
	"math"

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

// daySource serves a day's events_clean rows to the engine straight from
// the Arrow records the scan produced (retained until release), so a 10M
// event day costs its decoded columns and an index, not a struct per row.
type daySource struct {
	recs []arrow.RecordBatch
	ts   []*array.Timestamp
	ids  []*array.String
	loc  []uint64 // rec<<32 | row
}

func (s *daySource) add(rec arrow.RecordBatch) {
	rec.Retain()
	r := len(s.recs)
	s.recs = append(s.recs, rec)
	s.ts = append(s.ts, rec.Column(cTS).(*array.Timestamp))
	s.ids = append(s.ids, rec.Column(cID).(*array.String))
	for i := range int(rec.NumRows()) {
		s.loc = append(s.loc, uint64(r)<<32|uint64(i))
	}
}

func (s *daySource) release() {
	for _, r := range s.recs {
		r.Release()
	}
	s.recs = nil
}

func (s *daySource) at(i int) (int, int) { return int(s.loc[i] >> 32), int(uint32(s.loc[i])) }

func (s *daySource) Len() int { return len(s.loc) }

func (s *daySource) TS(i int) int64 {
	r, j := s.at(i)
	return int64(s.ts[r].Value(j))
}

func (s *daySource) ID(i int) string {
	r, j := s.at(i)
	return s.ids[r].Value(j)
}

func str(rec arrow.RecordBatch, col, row int) string {
	a := rec.Column(col).(*array.String)
	if a.IsNull(row) {
		return ""
	}
	return a.Value(row)
}

func (s *daySource) Fill(i int, e *features.Event) {
	r, j := s.at(i)
	rec := s.recs[r]
	*e = features.Event{ID: s.ids[r].Value(j), TS: int64(s.ts[r].Value(j)), Type: str(rec, cType, j), Live: str(rec, cLive, j)}
	for k, c := range entityCols {
		e.Keys[k] = str(rec, c, j)
	}
	if a := rec.Column(cAmount).(*array.Float64); a.IsValid(j) {
		e.Amount4, e.HasAmount = Amount4(a.Value(j)), true
	}
	if su := rec.Column(cSignup).(*array.Timestamp); su.IsValid(j) {
		e.Signup = int64(su.Value(j))
	}
}

// Amount4 is an amount in ten-thousandths, the engine's exact unit.
func Amount4(a float64) int64 { return int64(math.Round(a * 1e4)) }
