package schemas

import "github.com/apache/arrow-go/v18/arrow"

// OptOutsClean holds the day's accepted marketing-consent requests, one row
// per landing record that is neither quarantined nor an exact repeat,
// sorted in the order the registry folds them: by ts, then withdraw before
// opt_out (so that at equal times the opt-out is applied last and holds),
// then user_token.
var OptOutsClean = Dataset{
	Name:    "optouts_clean",
	Version: 1,
	Doc:     "marketing opt-outs and their withdrawals, with the consumer tokenised as in events_clean",
	Schema: arrow.NewSchema([]arrow.Field{
		// Reversible token of user_id in the field domain "user_id": equal
		// to the user_token of the same consumer in events_clean and
		// chats_clean, so readers join on it.
		opaque(str("user_token", false)),
		ts("ts"),
		dict(str("scope", false)),  // marketing
		dict(str("action", false)), // opt_out or withdraw
	}, nil),
}

// OptOutRegistry is the point-in-time opt-out state: one row per consumer
// ever seen in the opt-outs feed up to and including dt, as of the end of
// dt, sorted by user_token. Partition dt is partition dt-1 folded with
// optouts_clean/dt; package consent reads it.
var OptOutRegistry = Dataset{
	Name:    "optout_registry",
	Version: 1,
	Doc:     "per consumer, whether they are opted out of personalised marketing as of the end of dt",
	Schema: arrow.NewSchema([]arrow.Field{
		opaque(str("user_token", false)), // as in optouts_clean
		{Name: "opted_out", Type: arrow.FixedWidthTypes.Boolean},
		// When the current state took effect: the request that set it, or
		// for a consumer who never opted out, their first request.
		ts("since"),
		// The consumer's first opt-out; null if they never opted out.
		{Name: "first_opt_out", Type: arrow.FixedWidthTypes.Timestamp_ms, Nullable: true},
		// How many times the state changed (opted out, withdrawn, ...);
		// a repeated request that changed nothing does not count.
		i64("changes"),
	}, nil),
}
