package schemas

import "github.com/apache/arrow-go/v18/arrow"

// Dataset is one warehouse dataset. It is defined here once: stages build
// Arrow records with Schema, the Parquet sink derives the file schema from it,
// and every committed partition's manifest records Version.
type Dataset struct {
	Name    string
	Version int
	// Schema is nil for datasets that are not Parquet (reports).
	Schema *arrow.Schema
	// SubKey names a second Hive partition key under dt, e.g. quarantine's
	// source=events, so that two stages commit disjoint partitions.
	SubKey string
	Doc    string
}

func str(name string, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: nullable}
}

// EncodingKey is the field metadata key that asks the Parquet writer for an
// encoding; "dictionary" suits columns with few distinct values.
const EncodingKey = "veil.encoding"

// dict marks a low-cardinality column for dictionary encoding: smaller
// files and less to compress.
func dict(f arrow.Field) arrow.Field {
	f.Metadata = arrow.NewMetadata([]string{EncodingKey}, []string{"dictionary"})
	return f
}

// BoundsKey is the field metadata key that, set to "skip", leaves column
// min/max bounds out of the Parquet page index: they cost CPU and prune
// nothing on random tokens or free text.
const BoundsKey = "veil.bounds"

// opaque marks a column of tokens or free text.
func opaque(f arrow.Field) arrow.Field {
	f.Metadata = arrow.NewMetadata([]string{BoundsKey}, []string{"skip"})
	return f
}

func i64(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64}
}

func ts(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Timestamp_ms}
}

// EventsClean holds pseudonymous behaviour events, one row per accepted,
// de-duplicated landing event. Version 3 adds signup_ts, source and
// browser: the runner re-runs partitions written under version 2, whose
// files a version 3 scan would refuse.
var EventsClean = Dataset{
	Name:    "events_clean",
	Version: 3,
	Doc:     "behaviour events with identifiers tokenised and quasi-identifiers generalised",
	Schema: arrow.NewSchema([]arrow.Field{
		str("event_id", false),
		ts("ts"),
		dict(str("type", false)),
		opaque(str("user_token", false)),  // reversible token of user_id
		opaque(str("device_token", true)), // reversible token of device_id
		opaque(str("ip_token", true)),     // one-way token of ip
		dict(str("ip_prefix", true)),      // ip generalised to its network prefix
		dict(str("ip_country", true)),     // ip geolocated to a country
		dict(str("merchant_id", true)),
		str("item_id", true),
		dict(str("category", true)),
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		dict(str("amount_band", true)), // amount generalised to a bucket
		dict(str("currency", true)),
		str("coupon_id", true),
		str("live_session_id", true),
		opaque(str("card_token", true)), // reversible token of payment_card
		dict(str("age_band", true)),     // birth_date generalised
		dict(str("gender", true)),
		dict(str("region", true)), // shipping_address generalised to province or country
		dict(str("country", true)),
		opaque(str("phone_token", true)), // one-way token of phone
		opaque(str("email_token", true)), // one-way token of email
		// Account creation time and the declared labels of feeds that carry
		// them (Fraud_Data): account age and acquisition channel are risk
		// signals, and neither identifies a person.
		{Name: "signup_ts", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true},
		dict(str("source", true)),
		dict(str("browser", true)),
	}, nil),
}

// ChatsClean holds desensitised chat messages. Version 2: desensitised a
// conversation at a time, so values are masked on every repeat (the
// runner re-runs partitions written under version 1).
var ChatsClean = Dataset{
	Name:    "chats_clean",
	Version: 2,
	Doc:     "chat messages with PII replaced by typed placeholders consistent within a conversation",
	Schema: arrow.NewSchema([]arrow.Field{
		str("conversation_id", false),
		str("message_id", false),
		ts("ts"),
		str("merchant_id", false),
		str("user_token", false),
		str("sender", false),
		opaque(str("text", false)),
		{Name: "pii_found", Type: arrow.PrimitiveTypes.Int32},
	}, nil),
}

// ChatPairs holds chatbot training pairs: each buyer question with the
// seller's or bot's answer that follows it in a conversation, consecutive
// messages of one side merged, greetings dropped, desensitised with the
// conversation's placeholders (a question and its answer share them).
// merchant_token scopes a pair to the merchant whose bot it may train: the
// one-way token of merchant_id, so a merchant's pairs are found by the
// token of its id and the file names no merchant. Nothing here is a raw
// identifier: conversation_token is the one-way token of conversation_id.
var ChatPairs = Dataset{
	Name:    "chat_pairs",
	Version: 1,
	Doc:     "buyer question -> seller or bot answer pairs per conversation, desensitised, de-duplicated per merchant, for chatbot training",
	Schema: arrow.NewSchema([]arrow.Field{
		opaque(str("conversation_token", false)),               // one-way token of conversation_id
		opaque(str("merchant_token", true)),                    // one-way token of merchant_id; null without a merchant
		{Name: "turn_index", Type: arrow.PrimitiveTypes.Int32}, // the question's turn in the conversation, from 0
		opaque(str("question", false)),
		opaque(str("answer", false)),
		dict(str("language", false)),                                 // zh, en, mixed or und
		{Name: "pii_placeholders", Type: arrow.PrimitiveTypes.Int32}, // placeholders in question and answer
	}, nil),
}

// Quarantine lists landing records that were not accepted, with the reason.
// It points into the landing zone and never copies the raw record.
var Quarantine = Dataset{
	Name:    "quarantine",
	Version: 1,
	SubKey:  "source",
	Doc:     "rejected landing records: file, line and reason; raw content stays in landing",
	Schema: arrow.NewSchema([]arrow.Field{
		str("file", false),
		i64("line"),
		str("reason", false),
		str("field", true),
	}, nil),
}

// Reports holds the per-run anonymisation report (JSON, not Parquet).
var Reports = Dataset{
	Name:    "reports",
	Version: 1,
	Doc:     "per-run anonymisation report for compliance",
}

// Datasets lists every warehouse dataset.
var Datasets = []Dataset{EventsClean, ChatsClean, ChatPairs, OptOutsClean, OptOutRegistry, LabelsClean, ConsumerTags, ConsumerMerchantTags, AudienceReleases, RiskFeatures, RiskState, RiskEntities, RiskTraining, RiskClusters, RiskDecisions, RiskList, RiskReview, Blacklist, Quarantine, Reports}

// Lookup returns the dataset with the given name.
func Lookup(name string) (Dataset, bool) {
	for _, d := range Datasets {
		if d.Name == name {
			return d, true
		}
	}
	return Dataset{}, false
}
