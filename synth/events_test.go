package synth

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
)

var (
	reTS       = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	reUser     = regexp.MustCompile(`^u\d{8}$`)
	reDevice   = regexp.MustCompile(`^dev-[0-9a-f]{12}$`)
	reMerchant = regexp.MustCompile(`^m\d{4}$`)
	reAmount   = regexp.MustCompile(`^\d+\.\d\d$`)
	reUUID     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// Fields each type must carry beyond event_id, ts, type, user_id,
// device_id, ip; and fields it may carry besides.
var typeFields = map[string][2][]string{
	"view":           {{"merchant_id", "item_id", "category"}, {"live_session_id"}},
	"click":          {{"merchant_id", "item_id", "category"}, {"live_session_id"}},
	"fav":            {{"merchant_id", "item_id", "category"}, {"live_session_id"}},
	"cart":           {{"merchant_id", "item_id", "category"}, {"live_session_id"}},
	"purchase":       {{"merchant_id", "item_id", "category", "amount", "currency", "shipping_address", "phone"}, {"coupon_id", "live_session_id"}},
	"login":          {{"birth_date", "gender", "country"}, nil},
	"login_failed":   {nil, nil},
	"register":       {{"birth_date", "gender", "country", "phone", "email", "shipping_address"}, nil},
	"payment":        {{"merchant_id", "amount", "currency", "payment_card"}, nil},
	"payment_failed": {{"merchant_id", "amount", "currency", "payment_card"}, nil},
	"coupon_redeem":  {{"merchant_id", "coupon_id"}, nil},
	"refund":         {{"merchant_id", "item_id", "amount", "currency"}, nil},
}

// classify checks one events line the way an ingest stage would and
// returns "" for a valid line or the reason it is not.
func classify(line []byte, dt string) (reason string, obj map[string]json.RawMessage) {
	if err := json.Unmarshal(line, &obj); err != nil {
		return BadTruncated, nil
	}
	str := func(k string) string {
		var s string
		json.Unmarshal(obj[k], &s)
		return s
	}
	ts, err := time.Parse(time.RFC3339Nano, str("ts"))
	switch {
	case err != nil || !reTS.MatchString(str("ts")):
		return BadTimestamp, obj
	case ts.UTC().Format(time.DateOnly) != dt:
		return BadWrongDay, obj
	}
	if _, ok := typeFields[str("type")]; !ok {
		return BadUnknownType, obj
	}
	if _, ok := obj["user_id"]; !ok {
		return BadMissingUserID, obj
	}
	if a, ok := obj["amount"]; ok && bytes.HasPrefix(a, []byte("-")) {
		return BadNegativeAmount, obj
	}
	return "", obj
}

func TestEventLines(t *testing.T) {
	declared := map[string]bool{}
	for _, f := range schemas.Events.Fields {
		declared[f.Name] = true
	}
	reasons := map[string]int{}
	types := map[string]int{}
	seen := map[string]bool{}
	dups, extras := 0, 0
	for dt, lines := range feedLines(t, "events") {
		for i, line := range lines {
			reason, obj := classify(line, dt)
			if reason != "" {
				reasons[reason]++
				continue
			}
			var id string
			json.Unmarshal(obj["event_id"], &id)
			if seen[id] {
				dups++
				continue
			}
			seen[id] = true
			if !reUUID.MatchString(id) {
				t.Errorf("dt=%s line %d: event_id %q", dt, i+1, id)
			}
			extra := false
			for k := range obj {
				if !declared[k] {
					extra = true
				}
			}
			if extra {
				extras++
			}
			var typ string
			json.Unmarshal(obj["type"], &typ)
			types[typ]++
			if err := checkEvent(typ, obj); err != "" {
				t.Errorf("dt=%s line %d: %s: %s", dt, i+1, err, line)
			}
		}
	}
	for _, r := range badReasons {
		if reasons[r] != fixtureSum.Malformed[r] {
			t.Errorf("%s: found %d lines, summary says %d", r, reasons[r], fixtureSum.Malformed[r])
		}
		if reasons[r] == 0 {
			t.Errorf("no %s lines injected", r)
		}
	}
	if dups != fixtureSum.Duplicates || dups == 0 {
		t.Errorf("duplicates: found %d, summary says %d", dups, fixtureSum.Duplicates)
	}
	if extras != fixtureSum.ExtraFields || extras == 0 {
		t.Errorf("extra fields: found %d, summary says %d", extras, fixtureSum.ExtraFields)
	}
	bad := fixtureSum.Quarantinable
	if rate := float64(bad) / float64(fixtureSum.Events); rate < 0.001 || rate > 0.004 {
		t.Errorf("malformed rate %.4f, want about 0.002", rate)
	}
	for _, typ := range schemas.EventTypes {
		if types[typ] == 0 {
			t.Errorf("no %s events", typ)
		}
		if types[typ] != fixtureSum.Types[typ] {
			t.Errorf("%s: found %d, summary says %d", typ, types[typ], fixtureSum.Types[typ])
		}
	}
	if types["view"]*2 < fixtureSum.Events {
		t.Errorf("views are %d of %d events; most events should be views", types["view"], fixtureSum.Events)
	}
}

// checkEvent validates one well-formed event against the contract and the
// generator's value formats.
func checkEvent(typ string, obj map[string]json.RawMessage) string {
	str := func(k string) string {
		var s string
		json.Unmarshal(obj[k], &s)
		return s
	}
	need, may := typeFields[typ][0], typeFields[typ][1]
	allowed := map[string]bool{"event_id": true, "ts": true, "type": true, "user_id": true, "device_id": true, "ip": true}
	for _, k := range append(append([]string{}, need...), may...) {
		allowed[k] = true
	}
	for _, k := range need {
		if _, ok := obj[k]; !ok {
			return "missing " + k
		}
	}
	for k, v := range obj {
		if !allowed[k] && schemaField(k) {
			return "unexpected " + k
		}
		if string(v) == "null" || string(v) == `""` {
			return "empty " + k
		}
	}
	switch {
	case !reUser.MatchString(str("user_id")):
		return "user_id " + str("user_id")
	case !reDevice.MatchString(str("device_id")):
		return "device_id " + str("device_id")
	}
	if _, err := netip.ParseAddr(str("ip")); err != nil {
		return "ip " + str("ip")
	}
	if m, ok := obj["merchant_id"]; ok && !reMerchant.MatchString(strings.Trim(string(m), `"`)) {
		return "merchant_id " + string(m)
	}
	if a, ok := obj["amount"]; ok && !reAmount.Match(a) {
		return "amount " + string(a)
	}
	if c, ok := obj["payment_card"]; ok && !luhnValid(strings.Trim(string(c), `"`)) {
		return "card fails Luhn " + string(c)
	}
	if b, ok := obj["birth_date"]; ok {
		d, err := time.Parse(time.DateOnly, strings.Trim(string(b), `"`))
		if age := DefaultStart.Sub(d).Hours() / 24 / 365.25; err != nil || age < 15.9 || age > 81.1 {
			return "birth_date " + string(b)
		}
	}
	if g, ok := obj["gender"]; ok && !strings.Contains(`"F""M""U"`, string(g)) {
		return "gender " + string(g)
	}
	return ""
}

func schemaField(k string) bool {
	_, ok := schemas.Events.Field(k)
	return ok
}

func TestEventsInTimeOrderMostly(t *testing.T) {
	for dt, lines := range feedLines(t, "events") {
		var prev string
		back := 0
		for _, line := range lines {
			reason, obj := classify(line, dt)
			if reason != "" {
				continue
			}
			ts := strings.Trim(string(obj["ts"]), `"`)
			if ts < prev {
				back++
			}
			prev = max(prev, ts)
		}
		if back > len(lines)/100 {
			t.Errorf("dt=%s: %d of %d lines out of time order", dt, back, len(lines))
		}
	}
}

func TestAddressAndContactFormats(t *testing.T) {
	reCNPhone := regexp.MustCompile(`^(\+86 ?)?1\d{2}[ -]?\d{4}[ -]?\d{4}$`)
	reEmail := regexp.MustCompile(`^[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}$`)
	cnAddr, enAddr := 0, 0
	for dt, lines := range feedLines(t, "events") {
		for _, line := range lines {
			reason, obj := classify(line, dt)
			if reason != "" || !strings.Contains(string(obj["type"]), "register") {
				continue
			}
			var e struct {
				Country, Phone, Email string
				Address               string `json:"shipping_address"`
			}
			json.Unmarshal(line, &e)
			if !reEmail.MatchString(e.Email) {
				t.Errorf("email %q", e.Email)
			}
			if e.Country == "CN" {
				cnAddr++
				if !reCNPhone.MatchString(e.Phone) {
					t.Errorf("CN phone %q", e.Phone)
				}
				if !strings.Contains(e.Address, "号") || !(strings.Contains(e.Address, "省") || strings.Contains(e.Address, "市") || strings.Contains(e.Address, "自治区")) {
					t.Errorf("CN address %q", e.Address)
				}
			} else {
				enAddr++
				if !strings.HasPrefix(e.Phone, "+") || !strings.HasSuffix(e.Address, ", "+e.Country) {
					t.Errorf("%s phone %q address %q", e.Country, e.Phone, e.Address)
				}
			}
		}
	}
	if cnAddr == 0 || enAddr == 0 {
		t.Errorf("registrations: %d CN, %d elsewhere", cnAddr, enAddr)
	}
}
