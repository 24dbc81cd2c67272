package schemas

import "github.com/apache/arrow-go/v18/arrow"

// MerchantAudiences is what merchants may be given: one row per merchant
// and consumer seen with that merchant in the tag window, carrying the
// consumer's tags under a token scoped to the merchant. It has no
// platform-wide identifier, so two merchants' rows cannot be joined.
//
// Rows are sorted by merchant_id, then customer_token, so that a merchant's
// rows are contiguous and readers prune row groups on merchant_id's
// bounds (kept in the page index, unlike the token's).
var MerchantAudiences = Dataset{
	Name:    "merchant_audiences",
	Version: 1,
	Doc:     "consumer tags per merchant under merchant-scoped one-way customer tokens, as of the end of dt",
	Schema: arrow.NewSchema([]arrow.Field{
		dict(str("merchant_id", false)),
		// One-way token of user_token in the field
		// "merchant/<merchant_id>/customer": stable for a merchant,
		// different between merchants, unlinkable without the key.
		opaque(str("customer_token", false)),
		ts("as_of"),
		// The consumer's consumer_tags values, platform-wide.
		dict(str("age_band", true)),
		dict(str("country", true)),
		dict(str("region", true)),
		str("interests", true),
		dict(str("discount_sensitivity", true)),
		i64("events"),
		i64("purchases"),
	}, nil),
}
