package schemas

import "github.com/apache/arrow-go/v18/arrow"

func strList(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)}
}

func f64(name string, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: nullable}
}

// RiskDecisions is the batch decision of every scored event of dt
// (risk/risklist): the same decision the decision service would have
// answered for the event, from its risk_features row, the rules, the
// current model and the blacklist as it stood just before the event.
// Sorted like risk_features, by (ts, event_id).
var RiskDecisions = Dataset{
	Name:    "risk_decisions",
	Version: 1,
	Doc:     "allow / review / block per scored event of dt, with reason codes, rule hits and model score",
	Schema: arrow.NewSchema([]arrow.Field{
		str("event_id", false),
		ts("ts"),
		dict(str("type", false)),
		opaque(str("user_token", false)),
		str("live_session_id", true),
		f64("amount", true),
		dict(str("action", false)),
		strList("reasons"),
		strList("rules"), // name@vN of every hit
		f64("model_score", true),
		{Name: "blacklisted", Type: arrow.FixedWidthTypes.Boolean},
	}, nil),
}

// RiskList is every entity a rule or the model flagged on dt: one row per
// (entity, token), with its strongest action, every reason and rule
// version behind it, the model version and scores, and the evidence (the
// feature values the strongest hit read, as JSON, tokens never included).
var RiskList = Dataset{
	Name:    "risk_list",
	Version: 1,
	Doc:     "entities flagged on dt by rules or the model, with reasons, evidence, rule and model versions",
	Schema: arrow.NewSchema([]arrow.Field{
		dict(str("entity", false)), // user, device, ip or card
		opaque(str("token", false)),
		dict(str("action", false)), // review or block
		strList("reasons"),
		strList("rules"),
		str("model_version", true),
		f64("max_model_score", true),
		i64("flags"), // flagged events
		ts("first_at"),
		ts("last_at"),
		f64("amount_at_stake", false), // purchase and payment amounts of its flagged events
		opaque(str("evidence", false)),
		{Name: "blacklisted", Type: arrow.FixedWidthTypes.Boolean}, // entered the blacklist on dt
	}, nil),
}

// RiskReview is the post-event account of dt's decisions: a row for the
// day and one per live session with a flagged event, each per reason
// ("*" is all reasons), with amounts at stake, the appeals opened and
// lifted on dt, and the false-positive rate against labels known by the
// cutoff its manifest records (the end of dt + 30 days).
var RiskReview = Dataset{
	Name:    "risk_review",
	Version: 1,
	Doc:     "flagged and blocked events of dt by reason, per day and live session, amounts, appeals and false positives against later labels",
	Schema: arrow.NewSchema([]arrow.Field{
		dict(str("scope", false)), // day or live_session
		str("live_session_id", true),
		dict(str("reason", false)),
		i64("events"),      // scored events in scope (all reasons)
		i64("users"),       // distinct users with a scored event in scope
		i64("users_fraud"), // of them, with a fraud label known by the cutoff
		i64("reviewed"),
		i64("blocked"),
		f64("amount_reviewed", false),
		f64("amount_blocked", false),
		i64("flagged_users"),
		i64("flagged_users_fraud"), // with a fraud label known by the cutoff
		// flagged users without a fraud label by the cutoff over users
		// without one: null when every user in scope is labelled fraud
		f64("false_positive_rate", true),
		i64("appeals_opened"),
		i64("appeals_lifted"),
	}, nil),
}
