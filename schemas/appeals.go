package schemas

import "github.com/apache/arrow-go/v18/arrow"

// AppealsClean holds the day's accepted appeals (the appeals stage): one
// row per landing record that is neither quarantined nor a repeat of an
// appeal_id already seen that day, sorted by ts, appeal_id. A row of dt=D
// was filed on D. user_token is the appellant as events_clean carries it,
// so a case matches the blacklist entries on that user without anyone
// holding a key; statement is the counter-statement with its PII replaced
// by typed placeholders, as chats_clean's text. The decision on each case
// lives in the appeals decision log (package risk/appeals), not here:
// this dataset is what came in.
var AppealsClean = Dataset{
	Name:    "appeals_clean",
	Version: 1,
	Doc:     "appeals (counter-statements against a blacklist entry), appellant tokenised as in events_clean, statement desensitised",
	Schema: arrow.NewSchema([]arrow.Field{
		str("appeal_id", false),
		// Reversible token of user_id in the field domain "user_id": equal
		// to events_clean.user_token of the same user.
		opaque(str("user_token", false)),
		ts("ts"),
		opaque(str("statement", false)),
		{Name: "pii_found", Type: arrow.PrimitiveTypes.Int32},
	}, nil),
}

// init registers AppealsClean in Datasets here rather than in the list's
// literal, so that branches adding datasets do not edit the same line.
func init() { Datasets = append(Datasets, AppealsClean) }
