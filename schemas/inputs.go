package schemas

// Kind is the JSON type a landing field must have.
type Kind int

const (
	String Kind = iota
	Number
	Timestamp // RFC 3339 string, UTC recommended
	Date      // YYYY-MM-DD string
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Number:
		return "number"
	case Timestamp:
		return "timestamp"
	case Date:
		return "date"
	}
	return "unknown"
}

// Check is how ingest validates and normalises a field's value before the
// policy sees it; a value that fails is quarantined as invalid_value.
type Check int

const (
	CheckNone          Check = iota // any value of the field's Kind
	CheckID                         // 1-128 bytes of letters, digits and ._:-
	CheckLabel                      // short text label: UTF-8, <= 64 bytes, no control characters
	CheckEventType                  // one of EventTypes
	CheckCurrency                   // ISO 4217: three upper-case letters
	CheckCountry                    // ISO 3166-1 alpha-2: two upper-case letters
	CheckGender                     // F, M or U
	CheckIP                         // IPv4 or IPv6 literal
	CheckCard                       // 12-19 digits; spaces and dashes removed
	CheckPhone                      // optional + and 6-16 digits; separators removed
	CheckEmail                      // local@domain.tld, lower-cased
	CheckAmount                     // 0 to 1e9
	CheckAge                        // whole years, 0 to 130
	CheckText                       // free text, valid UTF-8, <= 64 KiB; its PII is in spans
	CheckAddress                    // a postal address: valid UTF-8, <= 64 KiB; PII as a whole
	CheckSender                     // buyer, seller or bot
	CheckConsentScope               // one of ConsentScopes
	CheckConsentAction              // one of ConsentActions
	CheckLabelValue                 // one of LabelValues (fraud, legit)
)

// Field is one field of a landing feed.
type Field struct {
	Name     string
	Kind     Kind
	Check    Check
	Required bool
	// PII marks a field whose raw value must never reach the warehouse:
	// the policy may not keep it.
	PII bool
	// Default is the value of an optional field the record leaves out (or
	// sets to null or ""); ingest fills it in before the field's Check.
	Default string
	Doc     string
}

// Input is the contract of one landing feed: JSON Lines (optionally gzip),
// or CSV read through a format the policy declares, under
// landing/<Name>/dt=YYYY-MM-DD/, made visible by a _SUCCESS file written
// after the last data file. A historical extract (CSV with a format of
// partition: event_time) lands under landing/<Name>/historical/dt=<arrival>/
// and its rows reach the days of their DayField.
type Input struct {
	Name    string
	Version int
	Fields  []Field
	// DayField is the timestamp field that places a record on its day:
	// it must fall on the landing partition's date, and a historical
	// extract's rows land on its day. Empty means "ts".
	DayField string
}

// TimeField returns the name of the field that places a record on its
// day (DayField, by default ts).
func (in Input) TimeField() string {
	if in.DayField == "" {
		return "ts"
	}
	return in.DayField
}

// Field returns the named field and whether the feed declares it.
func (in Input) Field(name string) (Field, bool) {
	for _, f := range in.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// SuccessMarker is the file a producer writes last into a landing partition;
// a partition without it is still being written and is not read.
const SuccessMarker = "_SUCCESS"

// EventTypes are the behaviour event types the pipeline accepts.
var EventTypes = []string{
	"view", "click", "fav", "cart", "purchase",
	"login", "login_failed", "register",
	"payment", "payment_failed", "coupon_redeem", "refund",
}

var eventTypes = func() map[string]bool {
	m := make(map[string]bool, len(EventTypes))
	for _, t := range EventTypes {
		m[t] = true
	}
	return m
}()

// IsEventType reports whether t is one of EventTypes.
func IsEventType(t string) bool { return eventTypes[t] }

// Events is the behaviour-event feed.
var Events = Input{
	Name:    "events",
	Version: 3, // 3: signup_ts, source, browser
	Fields: []Field{
		{Name: "event_id", Kind: String, Check: CheckID, Required: true, Doc: "unique per event; replays share it"},
		{Name: "ts", Kind: Timestamp, Required: true, Doc: "event time; must fall on the partition date (UTC)"},
		{Name: "type", Kind: String, Check: CheckEventType, Required: true, Doc: "one of EventTypes"},
		{Name: "user_id", Kind: String, Check: CheckID, Required: true, PII: true},
		{Name: "device_id", Kind: String, Check: CheckID, PII: true, Doc: "absent in feeds that do not track devices"},
		{Name: "ip", Kind: String, Check: CheckIP, PII: true, Doc: "IPv4 or IPv6 literal; absent in feeds that do not log it"},
		{Name: "merchant_id", Kind: String, Check: CheckID},
		{Name: "item_id", Kind: String, Check: CheckID},
		{Name: "category", Kind: String, Check: CheckLabel},
		{Name: "amount", Kind: Number, Check: CheckAmount, Doc: "required for payment, payment_failed, refund; >= 0"},
		{Name: "currency", Kind: String, Check: CheckCurrency, Doc: "ISO 4217, required with amount"},
		{Name: "coupon_id", Kind: String, Check: CheckID},
		{Name: "live_session_id", Kind: String, Check: CheckID},
		{Name: "payment_card", Kind: String, Check: CheckCard, PII: true, Doc: "bank card number, 12-19 digits, spaces or dashes allowed"},
		{Name: "birth_date", Kind: Date, PII: true},
		{Name: "age", Kind: Number, Check: CheckAge, PII: true, Doc: "age in whole years, for feeds that carry no birth date"},
		{Name: "gender", Kind: String, Check: CheckGender, Doc: "F, M or U"},
		{Name: "shipping_address", Kind: String, Check: CheckAddress, PII: true, Doc: "free text, English or Chinese"},
		{Name: "country", Kind: String, Check: CheckCountry, Doc: "ISO 3166-1 alpha-2"},
		{Name: "phone", Kind: String, Check: CheckPhone, PII: true},
		{Name: "email", Kind: String, Check: CheckEmail, PII: true},
		{Name: "signup_ts", Kind: Timestamp, Doc: "when the user's account was created, for feeds that carry it on every row (account age at the event)"},
		{Name: "source", Kind: String, Check: CheckLabel, Doc: "acquisition channel (SEO, Ads, Direct, other): a declared low-cardinality label"},
		{Name: "browser", Kind: String, Check: CheckLabel, Doc: "browser family (Chrome, Safari, ..., other): a declared low-cardinality label"},
	},
}

// Chats is the customer-service chat feed.
var Chats = Input{
	Name:    "chats",
	Version: 1,
	Fields: []Field{
		{Name: "conversation_id", Kind: String, Check: CheckID, Required: true},
		{Name: "message_id", Kind: String, Check: CheckID, Required: true, Doc: "unique per message; replays share it"},
		{Name: "ts", Kind: Timestamp, Required: true},
		{Name: "merchant_id", Kind: String, Check: CheckID, Required: true},
		{Name: "user_id", Kind: String, Check: CheckID, Required: true, PII: true, Doc: "the buyer"},
		{Name: "sender", Kind: String, Check: CheckSender, Required: true, Doc: "buyer, seller or bot"},
		{Name: "text", Kind: String, Check: CheckText, Required: true, PII: true, Doc: "English or Chinese free text"},
	},
}

// Label values: a confirmed fraud (chargeback, manual review) or a
// confirmed legitimate account (a reviewed false positive, or a
// historical extract's class 0).
const (
	LabelFraud = "fraud"
	LabelLegit = "legit"
)

// LabelValues are the values the labels feed's label may take.
var LabelValues = []string{LabelFraud, LabelLegit}

// Labels are confirmed labels of users; known_at is when the label became
// known, which point-in-time features and training cut-offs must respect.
// known_at places a record on its day, as ts does for events. Version 2:
// fields checked (ids, label values, source a short label).
var Labels = Input{
	Name:     "labels",
	Version:  2,
	DayField: "known_at",
	Fields: []Field{
		{Name: "user_id", Kind: String, Check: CheckID, Required: true, PII: true, Doc: "the user, as in events"},
		{Name: "label", Kind: String, Check: CheckLabelValue, Required: true, Doc: "fraud or legit"},
		{Name: "known_at", Kind: Timestamp, Required: true, Doc: "when the label became known; must fall on the partition date (UTC)"},
		{Name: "source", Kind: String, Check: CheckLabel, Doc: "chargeback, manual_review, ...: a short label"},
	},
}

// Marketing-consent values of the opt-outs feed.
const (
	// ScopeMarketing is personalised marketing (PIPL art. 24), the only
	// scope the feed carries today; other scopes are quarantined as
	// invalid_value rather than guessed at.
	ScopeMarketing = "marketing"
	// ActionOptOut refuses personalised marketing; it is the action of a
	// record that names none.
	ActionOptOut = "opt_out"
	// ActionWithdraw withdraws an earlier opt-out: from then on the
	// consumer may be marketed to again.
	ActionWithdraw = "withdraw"
)

// ConsentScopes and ConsentActions are the values the opt-outs feed's scope
// and action may take.
var (
	ConsentScopes  = []string{ScopeMarketing}
	ConsentActions = []string{ActionOptOut, ActionWithdraw}
)

// OptOuts are consumers' marketing-consent requests: an opt-out, or the
// withdrawal of an earlier one. Each record is one request at ts; the
// optouts stage folds them, in time order, into the opt-out registry.
var OptOuts = Input{
	Name:    "optouts",
	Version: 2,
	Fields: []Field{
		{Name: "user_id", Kind: String, Check: CheckID, Required: true, PII: true, Doc: "the consumer, as in events and chats"},
		{Name: "ts", Kind: Timestamp, Required: true, Doc: "when the consumer asked; must fall on the partition date (UTC)"},
		{Name: "scope", Kind: String, Check: CheckConsentScope, Required: true, Doc: "marketing; any other scope is quarantined"},
		{Name: "action", Kind: String, Check: CheckConsentAction, Default: ActionOptOut, Doc: "opt_out (when absent) or withdraw"},
	},
}

// Appeals are counter-statements against a blacklist entry: each record
// opens one case (package risk/appeals). Version 2: fields checked (ids,
// statement a bounded UTF-8 text).
var Appeals = Input{
	Name:    "appeals",
	Version: 2,
	Fields: []Field{
		{Name: "appeal_id", Kind: String, Check: CheckID, Required: true, Doc: "unique per appeal; a repeat is a duplicate"},
		{Name: "user_id", Kind: String, Check: CheckID, Required: true, PII: true, Doc: "the appellant, as in events"},
		{Name: "ts", Kind: Timestamp, Required: true, Doc: "when the appeal was filed; must fall on the partition date (UTC)"},
		{Name: "statement", Kind: String, Check: CheckText, Required: true, PII: true, Doc: "the counter-statement, English or Chinese free text"},
	},
}

// Inputs lists every landing feed.
var Inputs = []Input{Events, Chats, Labels, OptOuts, Appeals}
