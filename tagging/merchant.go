package tagging

import "strings"

// OneWayTokenizer is what customer tokens need of anonymize.Tokenizer: a
// keyed PRF per field. Taking the interface keeps the derivation here
// testable without keys.
type OneWayTokenizer interface {
	OneWay(field, value string) string
}

// CustomerField is the token field of merchantID's customer tokens.
func CustomerField(merchantID string) string { return "merchant/" + merchantID + "/customer" }

// ValidMerchantID reports whether a merchant id can scope a customer
// token: non-empty, without NUL (the PRF's field separator) and without
// "/", so that no id can spell another id's field or another field family
// under "merchant/".
func ValidMerchantID(merchantID string) bool {
	return merchantID != "" && !strings.ContainsAny(merchantID, "\x00/")
}

// CustomerToken is the only place a merchant-scoped customer token is
// made: the one-way token of the consumer's platform user_token in field
// CustomerField(merchantID). The field separates merchants, so one consumer
// has unrelated tokens at two merchants; the PRF is keyed, so without the
// key a token cannot be linked to user_token or recomputed; it depends
// only on the key, merchant and user_token, so it is stable across days.
// It changes when the one-way key is rotated, and when the reversible key
// is (user_token is its ciphertext). merchantID must satisfy
// ValidMerchantID.
func CustomerToken(tok OneWayTokenizer, merchantID, userToken string) string {
	return tok.OneWay(CustomerField(merchantID), userToken)
}
