package residual

// Class says how a column's values are checked. Matching every value
// against every needle gives false positives on real data (a numeric user
// id inside an item id, a short id inside a base64 token by chance), so
// the caller, which knows the policy, gives each column the class of what
// the policy put in it.
type Class uint8

const (
	// Generalised columns hold what a generaliser made: age bands,
	// regions, network prefixes, country codes, buckets. Each value is
	// checked exactly and as a substring against every needle, and for
	// PII patterns. A network prefix with its host bits zero is exempt
	// from the substring and pattern checks: it is the generaliser's
	// output, and 192.168.1.0/24 contains the raw address 192.168.1.0
	// only because that address has no host bits to hide. Generalised is
	// the zero Class, so a column the caller forgot gets the full check.
	Generalised Class = iota
	// Token columns hold opaque tokens. A value must be a well-formed
	// token (WellFormedToken), which carries nothing but ciphertext or PRF
	// output, and must not be a needle. It is not searched for
	// substrings: base64 contains short ids by chance.
	Token
	// Text columns hold redacted free text: exact, substring and PII
	// patterns, with no exemption.
	Text
	// Kept columns hold values the policy copies through (item_id,
	// event_id). They are checked for PII patterns, and per row with
	// RowCheck against the row's own raw values. A value equal to some
	// other row's raw value is reported as a collision, not a leak: the
	// same string legitimately exists in a kept field (Taobao numbers
	// users and items from the same range).
	Kept
	// Label columns hold free labels a policy keeps (categories). A value
	// equal to a needle is a collision, as for Kept (Taobao's category ids
	// share the user-id range); a value that contains one, or a PII
	// pattern, is a leak.
	Label
)

var classNames = [...]string{Generalised: "generalised", Token: "token", Text: "text", Kept: "kept", Label: "label"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "class(invalid)"
}
