package ingest

import (
	"errors"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/ingest/csvfeed"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// rejection is why a record was quarantined; field may be empty.
type rejection struct{ reason, field string }

// eventRules are the events feed's own rules beyond each field's check:
// they need several fields at once.
type eventRules struct{ typ, amount, currency int }

func newEventRules(c *policy.Compiled) *eventRules {
	idx := func(n string) int {
		i, ok := c.Index(n)
		if !ok {
			return -1
		}
		return i
	}
	return &eventRules{typ: idx("type"), amount: idx("amount"), currency: idx("currency")}
}

// needsAmount lists the types whose amount is the point of the event. An
// order (purchase) may come without one: some feeds do not carry prices,
// and an absent amount is recorded as absent, never invented.
func needsAmount(t string) bool { return t == "payment" || t == "payment_failed" || t == "refund" }

func (e *eventRules) check(rec *policy.Record) *rejection {
	if e == nil || e.typ < 0 || e.amount < 0 || e.currency < 0 {
		return nil
	}
	if needsAmount(rec.Vals[e.typ]) && !rec.Present[e.amount] {
		return &rejection{reason: "missing_field", field: "amount"}
	}
	if rec.Present[e.amount] && !rec.Present[e.currency] {
		return &rejection{reason: "missing_field", field: "currency"}
	}
	return nil
}

// parser parses, validates and transforms records of one feed. One per
// worker goroutine: it owns a tokenizer worker, a JSON iterator, a record
// and its own stats.
type parser struct {
	pol   *policy.Compiled
	tok   policy.Tokens
	day   time.Time // partition start, UTC
	any   bool      // accept event times outside the partition's day
	rules *eventRules
	dec   decodeScratch
	sizes []int // buildRecord's column sizes
	// idField is the record id (event_id, message_id) that dedupes.
	idField int
	// dayField is the field that must fall on the partition's day
	// (Input.TimeField), or -1.
	dayField int
	rec      *policy.Record
	stats    pipeline.Stats // only DroppedFields is used
	// guard, if set, collects the residual scan's needles and row checks.
	guard *guardWorker
}

func newParser(pol *policy.Compiled, tok policy.Tokens, day time.Time) *parser {
	p := &parser{pol: pol, tok: tok, day: day, rec: pol.NewRecord(), idField: -1, dayField: -1}
	if i, ok := pol.Index(pol.Feed.TimeField()); ok {
		p.dayField = i
	}
	for _, name := range []string{"event_id", "message_id"} {
		if i, ok := pol.Index(name); ok {
			p.idField = i
			break
		}
	}
	if pol.Feed.Name == schemas.Events.Name {
		p.rules = newEventRules(pol)
	}
	return p
}

// parseLine turns line i of c into an output row, or says why it cannot.
func (p *parser) parseLine(c *chunk, i int, out policy.Row) *rejection {
	if c.format != nil {
		return p.parseRow(&c.rows[i], c.format, out)
	}
	return p.parse(c.lines[i].text, out)
}

// parse turns one JSON line into an output row, or says why it cannot.
func (p *parser) parse(text string, out policy.Row) *rejection {
	p.rec.Reset()
	if rej := p.decode(text); rej != nil {
		return rej
	}
	return p.transform(out)
}

// parseRow turns a decoded CSV row into an output row.
func (p *parser) parseRow(row *csvfeed.Row, f *policy.Format, out policy.Row) *rejection {
	p.loadRow(row, f)
	p.any = f.AnyDay
	defer func() { p.any = false }()
	return p.transform(out)
}

// loadRow puts a CSV row into p.rec, counting its unmapped columns and
// deriving the record id when the feed has none.
func (p *parser) loadRow(row *csvfeed.Row, f *policy.Format) {
	p.rec.Reset()
	copy(p.rec.Vals, row.Values)
	copy(p.rec.Present, row.Present)
	for _, d := range row.Dropped {
		p.stats.DropField(d)
	}
	if f.DeriveID && p.idField >= 0 && p.tok != nil {
		p.rec.Vals[p.idField], p.rec.Present[p.idField] = p.deriveID(), true
	}
}

// deriveID is the id of a record whose feed has none: a one-way token of
// all its fields, so the same row twice is a declared duplicate, and the
// id reveals nothing (an unkeyed hash of a user id and a time could be
// reversed by trying them all).
func (p *parser) deriveID() string {
	var b strings.Builder
	for i, f := range p.pol.Feed.Fields {
		if p.rec.Present[i] {
			b.WriteString(f.Name)
			b.WriteByte('=')
			b.WriteString(p.rec.Vals[i])
			b.WriteByte(0x1f)
		}
	}
	return p.tok.OneWay("derived/"+p.pol.Feed.Fields[p.idField].Name, b.String())
}

// transform validates p.rec and applies the policy into out.
func (p *parser) transform(out policy.Row) *rejection {
	rej := p.apply(out)
	if p.guard != nil {
		if rej == nil {
			p.guard.row(out)
		} else {
			p.guard.skip()
		}
	}
	return rej
}

func (p *parser) apply(out policy.Row) *rejection {
	if rej := p.validate(); rej != nil {
		return rej
	}
	if err := p.pol.Apply(p.tok, p.rec, out); err != nil {
		var ae *policy.ApplyError
		if errors.As(err, &ae) {
			return &rejection{reason: "invalid_value", field: ae.Field}
		}
		return &rejection{reason: "invalid_value"}
	}
	return nil
}

// validate fills in the defaults of absent optional fields, checks
// required fields, the event time and every field's Check, normalising values in place (card digits, lower-case e-mail), so
// that tokens do not depend on formatting. Present fields the policy does
// not name are dropped and counted here.
func (p *parser) validate() *rejection {
	rec, fields := p.rec, p.pol.Feed.Fields
	for i, f := range fields {
		if !rec.Present[i] && f.Default != "" {
			rec.Vals[i], rec.Present[i] = f.Default, true
		}
		if f.Required && !rec.Present[i] {
			return &rejection{reason: "missing_field", field: f.Name}
		}
	}
	for i, f := range fields {
		if !rec.Present[i] {
			continue
		}
		given := rec.Vals[i]
		v, ok := given, true
		switch f.Kind {
		case schemas.Timestamp:
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return &rejection{reason: "invalid_value", field: f.Name}
			}
			if i == p.dayField {
				if !p.any && (t.Before(p.day) || !t.Before(p.day.AddDate(0, 0, 1))) {
					return &rejection{reason: "ts_outside_partition", field: f.Name}
				}
				rec.TS = t
			}
		case schemas.Date:
			_, err := time.Parse(time.DateOnly, v)
			ok = err == nil
		default:
			v, ok = normalize(f.Check, v)
		}
		if !ok {
			if f.Check == schemas.CheckEventType {
				return &rejection{reason: "unknown_event_type", field: f.Name}
			}
			return &rejection{reason: "invalid_value", field: f.Name}
		}
		rec.Vals[i] = v
		if p.guard != nil {
			p.guard.raw(i, f.Check, given, v)
		}
		if !p.pol.Named(i) {
			p.stats.DropField(f.Name)
			rec.Present[i] = false
		}
	}
	return p.rules.check(rec)
}

// normalize checks v by check and returns its canonical form.
func normalize(check schemas.Check, v string) (string, bool) {
	switch check {
	case schemas.CheckID:
		return v, isID(v)
	case schemas.CheckLabel:
		return v, isLabel(v)
	case schemas.CheckEventType:
		return v, schemas.IsEventType(v)
	case schemas.CheckCurrency:
		return v, isUpper(v, 3)
	case schemas.CheckCountry:
		return v, isUpper(v, 2)
	case schemas.CheckGender:
		return v, v == "F" || v == "M" || v == "U"
	case schemas.CheckSender:
		return v, v == "buyer" || v == "seller" || v == "bot"
	case schemas.CheckConsentScope:
		return v, slices.Contains(schemas.ConsentScopes, v)
	case schemas.CheckConsentAction:
		return v, slices.Contains(schemas.ConsentActions, v)
	case schemas.CheckLabelValue:
		return v, slices.Contains(schemas.LabelValues, v)
	case schemas.CheckIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return "", false
		}
		if a.Is4() {
			return v, true // ParseAddr accepts only the canonical dotted quad
		}
		return a.String(), true
	case schemas.CheckCard:
		return cardDigits(v)
	case schemas.CheckPhone:
		return phoneDigits(v)
	case schemas.CheckEmail:
		return normEmail(v)
	case schemas.CheckAmount:
		// JSON numbers arrive canonical (numberText); CSV text may say
		// -0 or underflow, and gets the same answer here.
		t, ok := numberText(v)
		if !ok {
			return v, false
		}
		f, _ := strconv.ParseFloat(t, 64)
		return t, f >= 0 && f <= maxAmount
	case schemas.CheckAge:
		f, err := strconv.ParseFloat(v, 64)
		return v, err == nil && f >= 0 && f <= 130 && f == math.Trunc(f)
	case schemas.CheckText, schemas.CheckAddress:
		return v, len(v) <= maxText && utf8.ValidString(v)
	}
	return v, utf8.ValidString(v)
}

const maxAmount = 1e9

// isID accepts identifiers: 1-128 bytes of letters, digits and ._:-
func isID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !idByte[s[i]] {
			return false
		}
	}
	return true
}

// idByte is the byte set isID accepts, as a table: ids are checked on
// every event, several times.
var idByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':'
	}
	return t
}()

// isLabel accepts short free-text labels such as categories: valid UTF-8,
// at most 64 bytes, no control characters.
func isLabel(s string) bool {
	if len(s) == 0 || len(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

func isUpper(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// cardDigits strips spaces and dashes from a card number and checks it is
// 12-19 digits. It does not require a valid Luhn digit: card testers send
// invalid numbers too, and those events are evidence.
func cardDigits(s string) (string, bool) {
	return digitsOnly(s, 12, 19, false)
}

// phoneDigits normalises a phone number to an optional + and its digits.
func phoneDigits(s string) (string, bool) {
	return digitsOnly(s, 6, 16, true)
}

func digitsOnly(s string, min, max int, plus bool) (string, bool) {
	clean := true
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n++
		case c == ' ' || c == '-' || c == '(' && plus || c == ')' && plus:
			clean = false
		case c == '+' && plus && i == 0:
		default:
			return "", false
		}
	}
	if n < min || n > max {
		return "", false
	}
	if clean {
		return s, true
	}
	b := make([]byte, 0, n+1)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' || c == '+' {
			b = append(b, c)
		}
	}
	return string(b), true
}

// normEmail lower-cases an address and checks its shape (local@domain.tld).
func normEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || len(s) > 254 || strings.ContainsAny(s, " \t\r\n") {
		return "", false
	}
	if !strings.Contains(s[at+1:], ".") {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return strings.ToLower(s), true
		}
	}
	return s, true
}
