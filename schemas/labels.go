package schemas

import "github.com/apache/arrow-go/v18/arrow"

// LabelsClean holds the day's accepted labels (the labels stage): one row
// per landing record that is neither quarantined nor an exact repeat (same
// user, label and known_at), sorted by known_at, user_token, label. A row
// of dt=D became known on D: a daily partition's known_at must fall on D,
// and a historical extract's rows are placed on their known_at day. The
// risk stage joins it to events_clean on user_token, so a modeller gets
// labels joined without holding any key.
var LabelsClean = Dataset{
	Name:    "labels_clean",
	Version: 1,
	Doc:     "fraud and legit labels with the user tokenised as in events_clean, and when each became known",
	Schema: arrow.NewSchema([]arrow.Field{
		// Reversible token of user_id in the field domain "user_id": equal
		// to events_clean.user_token of the same user.
		opaque(str("user_token", false)),
		dict(str("label", false)), // fraud or legit
		ts("known_at"),
		dict(str("source", true)), // chargeback, manual_review, fraud_data, ...
	}, nil),
}
