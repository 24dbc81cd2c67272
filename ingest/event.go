package ingest

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/jsonlite"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// Optional event columns, in the order of eventRow.opt.
const (
	optDevice = iota
	optIPToken
	optIPPrefix
	optMerchant
	optItem
	optCategory
	optCurrency
	optCoupon
	optLive
	optCard
	optAgeBand
	optGender
	optRegion
	optCountry
	optPhone
	optEmail
	numOpt
)

// eventRow is one accepted event after its transformation: it holds no raw
// identifier, only tokens, generalisations and kept fields.
type eventRow struct {
	eventID, typ, userTok string
	ts                    int64 // ms since epoch
	amount                float64
	hasAmount             bool
	opt                   [numOpt]string
	has                   [numOpt]bool
}

// rawEvent is a landing event's fields as read, before validation.
type rawEvent struct {
	eventID, ts, typ, user, device, ip          string
	merchant, item, category, currency, coupon  string
	live, card, birth, gender, address, country string
	phone, email                                string
	amount                                      float64
	hasAmount                                   bool
}

// rejection is why a record was quarantined; field may be empty.
type rejection struct{ reason, field string }

// needsAmount lists the types whose amount is the point of the event. An
// order (purchase) may come without one: some feeds do not carry prices,
// and an absent amount is recorded as absent, never invented.
func needsAmount(t string) bool { return t == "payment" || t == "payment_failed" || t == "refund" }

// eventParser parses, validates and transforms event lines. One per
// worker goroutine: it owns a tokenizer worker and its own stats.
type eventParser struct {
	tok   *anonymize.Worker
	day   time.Time // partition start, UTC
	it    *jsonlite.Iterator
	stats pipeline.Stats // only DroppedFields is used
}

// parse turns one line into a row, or says why it cannot.
func (p *eventParser) parse(text string) (eventRow, *rejection) {
	var raw rawEvent
	if rej := p.decode(text, &raw); rej != nil {
		return eventRow{}, rej
	}
	return p.transform(&raw)
}

// decode reads the JSON object into raw, checking JSON types. It never
// keeps a jsonlite error: they quote the input.
func (p *eventParser) decode(text string, raw *rawEvent) *rejection {
	if p.it == nil {
		p.it = jsonlite.Iterate(text)
	} else {
		p.it.Reset(text)
	}
	it := p.it
	rej := decodeEvent(it, raw, &p.stats)
	if rej != nil {
		// Reset does not clear an iterator's error; start afresh.
		p.it = nil
	}
	return rej
}

func decodeEvent(it *jsonlite.Iterator, raw *rawEvent, stats *pipeline.Stats) *rejection {
	return decodeObject(it, stats, func(key string) (*string, bool) {
		switch key {
		case "event_id":
			return &raw.eventID, true
		case "ts":
			return &raw.ts, true
		case "type":
			return &raw.typ, true
		case "user_id":
			return &raw.user, true
		case "device_id":
			return &raw.device, true
		case "ip":
			return &raw.ip, true
		case "merchant_id":
			return &raw.merchant, true
		case "item_id":
			return &raw.item, true
		case "category":
			return &raw.category, true
		case "currency":
			return &raw.currency, true
		case "coupon_id":
			return &raw.coupon, true
		case "live_session_id":
			return &raw.live, true
		case "payment_card":
			return &raw.card, true
		case "birth_date":
			return &raw.birth, true
		case "gender":
			return &raw.gender, true
		case "shipping_address":
			return &raw.address, true
		case "country":
			return &raw.country, true
		case "phone":
			return &raw.phone, true
		case "email":
			return &raw.email, true
		case "amount":
			return nil, true
		}
		return nil, false
	}, func(key string, it *jsonlite.Iterator) *rejection {
		// amount, the one numeric field
		switch it.Kind() {
		case jsonlite.Null:
			return nil
		case jsonlite.Number:
			f, err := it.Float()
			if err != nil {
				return &rejection{reason: "wrong_type", field: key}
			}
			raw.amount, raw.hasAmount = f, true
			return nil
		}
		return &rejection{reason: "wrong_type", field: key}
	})
}

// decodeObject reads one flat JSON object. For each key, field says where
// a string value goes, or that the key is declared but not a string (then
// number decodes it), or that it is undeclared: dropped and counted. JSON
// null counts as absent. It never passes on a jsonlite error, since those
// quote the input.
func decodeObject(it *jsonlite.Iterator, stats *pipeline.Stats, field func(key string) (*string, bool), number func(string, *jsonlite.Iterator) *rejection) *rejection {
	if !it.Next() || it.Kind() != jsonlite.Object {
		return &rejection{reason: "bad_json"}
	}
	var rej *rejection
	it.Object(func(key string, err error) bool {
		if err != nil {
			rej = &rejection{reason: "bad_json"}
			return false
		}
		dst, declared := field(key)
		switch {
		case !declared:
			stats.DropField(key)
		case dst == nil:
			rej = number(key, it)
		case it.Kind() == jsonlite.Null:
			*dst = ""
		case it.Kind() == jsonlite.String:
			s, err := it.String()
			if err != nil {
				rej = &rejection{reason: "bad_json"}
			}
			*dst = s
		default:
			rej = &rejection{reason: "wrong_type", field: key}
		}
		return rej == nil
	})
	if rej != nil {
		return rej
	}
	// Nothing may follow the object.
	if more := it.Next(); more || it.Err() != nil {
		return &rejection{reason: "bad_json"}
	}
	return nil
}

// transform validates raw and applies the event policy (eventPolicy).
func (p *eventParser) transform(raw *rawEvent) (eventRow, *rejection) {
	var r eventRow
	for _, f := range []struct {
		name string
		v    string
	}{{"event_id", raw.eventID}, {"ts", raw.ts}, {"type", raw.typ}, {"user_id", raw.user}} {
		if f.v == "" {
			return r, &rejection{reason: "missing_field", field: f.name}
		}
	}
	if !isID(raw.eventID) {
		return r, &rejection{reason: "invalid_value", field: "event_id"}
	}
	r.eventID = raw.eventID
	ts, err := time.Parse(time.RFC3339Nano, raw.ts)
	if err != nil {
		return r, &rejection{reason: "invalid_value", field: "ts"}
	}
	if ts.Before(p.day) || !ts.Before(p.day.AddDate(0, 0, 1)) {
		return r, &rejection{reason: "ts_outside_partition", field: "ts"}
	}
	r.ts = ts.UnixMilli()
	if !schemas.IsEventType(raw.typ) {
		return r, &rejection{reason: "unknown_event_type", field: "type"}
	}
	r.typ = raw.typ
	if !isID(raw.user) {
		return r, &rejection{reason: "invalid_value", field: "user_id"}
	}
	if raw.device != "" && !isID(raw.device) {
		return r, &rejection{reason: "invalid_value", field: "device_id"}
	}
	var prefix string
	if raw.ip != "" {
		if prefix, err = anonymize.IPPrefix(raw.ip, ipv4Prefix, ipv6Prefix); err != nil {
			return r, &rejection{reason: "invalid_value", field: "ip"}
		}
	}
	r.userTok = p.tok.Reversible("user_id", raw.user)
	if raw.device != "" {
		r.set(optDevice, p.tok.Reversible("device_id", raw.device))
	}
	if raw.ip != "" {
		r.set(optIPToken, p.tok.OneWay("ip", raw.ip))
		r.set(optIPPrefix, prefix)
	}

	if raw.hasAmount {
		if raw.amount < 0 || raw.amount > maxAmount {
			return r, &rejection{reason: "invalid_value", field: "amount"}
		}
		r.amount, r.hasAmount = raw.amount, true
	}
	if needsAmount(raw.typ) && !raw.hasAmount {
		return r, &rejection{reason: "missing_field", field: "amount"}
	}
	if raw.currency != "" && !isUpper(raw.currency, 3) {
		return r, &rejection{reason: "invalid_value", field: "currency"}
	}
	if raw.hasAmount && raw.currency == "" {
		return r, &rejection{reason: "missing_field", field: "currency"}
	}
	if raw.country != "" && !isUpper(raw.country, 2) {
		return r, &rejection{reason: "invalid_value", field: "country"}
	}
	switch raw.gender {
	case "", "F", "M", "U":
	default:
		return r, &rejection{reason: "invalid_value", field: "gender"}
	}
	for _, k := range []struct {
		i     int
		name  string
		v     string
		check func(string) bool
	}{
		{optMerchant, "merchant_id", raw.merchant, isID},
		{optItem, "item_id", raw.item, isID},
		{optCategory, "category", raw.category, isLabel},
		{optCoupon, "coupon_id", raw.coupon, isID},
		{optLive, "live_session_id", raw.live, isID},
	} {
		if k.v == "" {
			continue
		}
		if !k.check(k.v) {
			return r, &rejection{reason: "invalid_value", field: k.name}
		}
		r.set(k.i, k.v)
	}
	if raw.currency != "" {
		r.set(optCurrency, raw.currency)
	}
	if raw.gender != "" {
		r.set(optGender, raw.gender)
	}
	if raw.country != "" {
		r.set(optCountry, raw.country)
	}
	if raw.card != "" {
		card, ok := cardDigits(raw.card)
		if !ok {
			return r, &rejection{reason: "invalid_value", field: "payment_card"}
		}
		r.set(optCard, p.tok.Reversible("payment_card", card))
	}
	if raw.birth != "" {
		band, err := anonymize.AgeBand(raw.birth, ts)
		if err != nil {
			return r, &rejection{reason: "invalid_value", field: "birth_date"}
		}
		r.set(optAgeBand, band)
	}
	if raw.address != "" {
		if region := anonymize.Region(raw.address, raw.country); region != "" {
			r.set(optRegion, region)
		}
	}
	if raw.phone != "" {
		phone, ok := phoneDigits(raw.phone)
		if !ok {
			return r, &rejection{reason: "invalid_value", field: "phone"}
		}
		r.set(optPhone, p.tok.OneWay("phone", phone))
	}
	if raw.email != "" {
		email, ok := normEmail(raw.email)
		if !ok {
			return r, &rejection{reason: "invalid_value", field: "email"}
		}
		r.set(optEmail, p.tok.OneWay("email", email))
	}
	return r, nil
}

func (r *eventRow) set(i int, v string) { r.opt[i], r.has[i] = v, true }

const (
	ipv4Prefix = 24
	ipv6Prefix = 48
	maxAmount  = 1e9
)

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
