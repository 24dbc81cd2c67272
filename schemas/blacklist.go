package schemas

import "github.com/apache/arrow-go/v18/arrow"

// Blacklist is the whole versioned blacklist after folding dt's risk list
// and the appeals lifted by then (risk/blacklist): every entry ever
// admitted, every lift applied, the review flags still short of
// admission, and the list's counters. Each partition is complete, so a
// reader needs only the newest partition on or before the day it asks
// about; "what was blacklisted at t" is section = 'entry' AND at <= t AND
// t < expires_at AND (lifted_at IS NULL OR t < lifted_at).
//
// section says what a row is, and which columns it fills:
//
//	meta     version = the next version, at = the latest time folded in
//	entry    version (the change that added it), entity, token, reason,
//	         severity, block (false), source, run_id, evidence (digest of
//	         the admitting event ids), at = added, expires_at, and when an
//	         appeal ended it lifted_at, lift_case, lift_version
//	lift     version, entity, token, at, lift_case
//	pending  entity, token, reason, severity, block, source, event_id, at
//
// Rows are in that order, entries and lifts by version, pending flags by
// entity, token and time. Tokens are the warehouse's pseudonymous tokens;
// no raw identifier is stored.
var Blacklist = Dataset{
	Name:    "blacklist",
	Version: 1,
	Doc:     "versioned blacklist: entries with provenance, expiry and lifts, and pending review flags, as of the end of dt",
	Schema: arrow.NewSchema([]arrow.Field{
		dict(str("section", false)),
		i64("version"),
		dict(str("entity", true)),
		opaque(str("token", true)),
		dict(str("reason", true)),
		{Name: "severity", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "block", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		dict(str("source", true)),
		dict(str("run_id", true)),
		opaque(str("evidence", true)),
		str("event_id", true),
		ts("at"),
		{Name: "expires_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true},
		{Name: "lifted_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true},
		str("lift_case", true),
		{Name: "lift_version", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil),
}
