package schemas

import "github.com/apache/arrow-go/v18/arrow"

// The risk feature store's datasets. Features are defined once, in
// risk/features (Defs), so these datasets have fixed key columns, defined
// here, followed by one column per feature that the risk package supplies
// (RiskFeaturesWith, RiskTrainingWith). The values without feature
// columns are enough to list partitions and read manifests.

// riskEventKey identifies a scored event: its id, time and tokens.
var riskEventKey = []arrow.Field{
	str("event_id", false),
	ts("ts"),
	dict(str("type", false)),
	opaque(str("user_token", false)),
	opaque(str("device_token", true)),
	opaque(str("ip_token", true)),
	dict(str("ip_prefix", true)),
	opaque(str("card_token", true)),
	str("live_session_id", true),
	dict(str("source", true)),
	dict(str("browser", true)),
}

// RiskFeatures is risk_features without its feature columns.
var RiskFeatures = RiskFeaturesWith(nil)

// RiskFeaturesWith is risk_features: one row per scored event of dt, in
// (ts, event_id) order, with its features computed only from events
// strictly before it. Version 2: per event (version 1 was one row per user
// as of the end of the day, which leaks the rest of the day into a
// purchase's row).
func RiskFeaturesWith(features []arrow.Field) Dataset {
	return Dataset{
		Name:    "risk_features",
		Version: 2,
		Doc:     "point-in-time risk features per scored event of dt, from events strictly before it",
		Schema:  arrow.NewSchema(append(append([]arrow.Field{}, riskEventKey...), features...), nil),
	}
}

// BlacklistedBefore names risk_training's blacklist-hit column, which a
// model may take as an input beside the features (risk/decide fills it
// online).
const BlacklistedBefore = "blacklisted_before"

// RiskTraining is risk_training without its feature columns.
var RiskTraining = RiskTrainingWith(nil)

// RiskTrainingWith is risk_training: risk_features' rows with the label
// as known by the partition's declared cutoff (its manifest records it):
// label is 1 when the event's user has a fraud label with known_at at or
// before the cutoff, and label_known_at is that label's known_at.
// blacklisted_before is 1 when one of the event's user, device, IP or card
// had a blacklist entry in force strictly before the event (blacklist/dt,
// whose entries carry the moment they were admitted and lifted), 0 when
// none had, null when dt has no blacklist. Version 2 adds it.
func RiskTrainingWith(features []arrow.Field) Dataset {
	fs := append(append([]arrow.Field{}, riskEventKey...), features...)
	fs = append(fs,
		arrow.Field{Name: "label", Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: "label_known_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true},
		arrow.Field{Name: BlacklistedBefore, Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	)
	return Dataset{
		Name:    "risk_training",
		Version: 2,
		Doc:     "risk_features of dt with fraud labels known by the declared cutoff, for model training",
		Schema:  arrow.NewSchema(fs, nil),
	}
}

// RiskState is the feature store's state as of the start of the day
// after dt: every event, link, registration, label and live session the
// next day's features need, one row each. The next day's risk run
// continues from it instead of re-reading 30 days of events.
//
// Keys that are tokens are in key, the others (IP prefixes, live session
// ids) in key_id, so the report's leak check holds each to its own rule.
// section says what a row is: count (entity, key, ts, value = counter),
// amount (user key, ts, value = amount in ten-thousandths), link
// (entity = relation, key, other, ts = last sight), register (key, ts),
// label (key, ts = known_at), live (key = live_session_id, ts = start,
// ts2 = last event, value = purchases in its first minute) and day
// (ts = the day the state is as of).
var RiskState = Dataset{
	Name:    "risk_state",
	Version: 1,
	Doc:     "risk feature store state carried to the next day (checkpoint)",
	Schema: arrow.NewSchema([]arrow.Field{
		dict(str("section", false)),
		dict(str("entity", true)),
		opaque(str("key", true)), // a token: user, device, IP or card
		str("key_id", true),      // not a token: an IP prefix or a live_session_id
		opaque(str("other", true)),
		i64("ts"),
		i64("ts2"),
		i64("value"),
	}, nil),
}

// RiskEntities is the per-entity snapshot as of the end of dt, for rules
// and the decision service: one row per user, device, IP, IP prefix and
// card with activity in the 30 days before, sorted by entity then key.
// Columns that do not apply to an entity (accounts of a user) are null.
// An IP prefix row (entity ip24) has its key in ip_prefix, the others in key.
var RiskEntities = Dataset{
	Name:    "risk_entities",
	Version: 1,
	Doc:     "per user, device, IP, IP prefix and card: windowed counts and links as of the end of dt",
	Schema:  arrow.NewSchema(riskEntityFields(), nil),
}

func riskEntityFields() []arrow.Field {
	fs := []arrow.Field{
		dict(str("entity", false)),
		opaque(str("key", true)),     // user, device, IP and card tokens
		dict(str("ip_prefix", true)), // the key of ip24 rows
		ts("as_of"),
	}
	nullable := func(f arrow.Field) arrow.Field { f.Nullable = true; return f }
	for _, c := range []string{"logins", "failed_logins", "payments", "failed_payments", "purchases"} {
		for _, w := range RiskWindows {
			fs = append(fs, i64(c+"_"+w))
		}
	}
	for _, w := range RiskWindows {
		fs = append(fs, arrow.Field{Name: "failed_payment_ratio_" + w, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	for _, c := range []string{"devices", "ips", "cards", "accounts"} {
		for _, w := range RiskWindows {
			fs = append(fs, nullable(i64(c+"_"+w)))
		}
	}
	fs = append(fs, nullable(i64("fraud_accounts_30d")), nullable(i64("cluster_size")),
		arrow.Field{Name: "registered_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true},
		arrow.Field{Name: "fraud_known_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true})
	return fs
}

// RiskWindows are the feature windows' column suffixes.
var RiskWindows = []string{"1h", "24h", "7d", "30d"}
