package schemas

import "github.com/apache/arrow-go/v18/arrow"

func optI64(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true}
}

func optF64(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
}

// AudienceReleases lists every audience size query and export a merchant
// made against the tags of dt, released or refused, in ledger order. It is
// rebuilt from the audience ledger (audience/) after every query, so the
// partition always holds the whole day's history. It holds no consumer
// identifier and no true count: only what was released or why not.
var AudienceReleases = Dataset{
	Name:    "audience_releases",
	Version: 1,
	Doc:     "audience size queries and exports against the tags of dt: merchant, expression hash, noisy count, epsilon, k-anonymity, verdict",
	Schema: arrow.NewSchema([]arrow.Field{
		i64("seq"), // the ledger entry
		ts("time"),
		str("actor", false),
		dict(str("merchant_id", false)),
		dict(str("action", false)), // size or export
		str("expr_hash", false),    // SHA-256 of the expression, nibbles as letters a-p
		str("expression", false),
		optF64("epsilon"),     // privacy cost charged; null when nothing was charged
		optI64("noisy_count"), // the released noisy count; null when refused before drawing
		arrow.Field{Name: "reused", Type: arrow.FixedWidthTypes.Boolean}, // a stored answer served again
		optI64("exported"),          // tokens written by an export
		optI64("k_anonymity"),       // smallest equivalence class on the quasi-identifier tags (exports)
		optI64("l_diversity"),       // fewest distinct sensitive values in a class (exports)
		dict(str("verdict", false)), // released or refused
		str("reason", true),         // why refused
		optF64("budget_spent"),      // the merchant's epsilon spent in the period after this entry
		dict(str("budget_period", false)),
	}, nil),
}
