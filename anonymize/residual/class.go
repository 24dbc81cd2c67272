package residual

// Class says how a column's values are checked. Matching every value
// against every needle gives false positives on real data (a numeric user
// id inside an item id, a short id inside a base64 token by chance), and
// so does looking for PII patterns in identifiers (a conversation id of 16
// decimal digits that passes Luhn is not a bank card), so the caller,
// which knows the policy, gives each column the class of what the policy
// put in it. In short:
//
//	class        equal to a raw value   contains one   PII patterns
//	Generalised  leak                   leak           yes
//	Text         leak                   leak           yes
//	Label        collision              leak           yes
//	Kept         collision              per row¹       no
//	Identifier   leak                   no             no
//	Token        leak                   no             no (token grammar instead)
//
// ¹ RowCheck, against the row's own raw values, where the caller has them
// (the ingest scan). PII patterns are for free text: identifiers and
// tokens are not free text, and a digit run inside one is not a phone or
// a card. They are still matched exactly against every raw value.
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
	// Kept columns hold identifiers the policy copies through (item_id,
	// event_id, conversation_id). They are checked per row with RowCheck
	// against the row's own raw values, and not for PII patterns. A value
	// equal to some other row's raw value is reported as a collision, not
	// a leak: the same string legitimately exists in a kept field (Taobao
	// numbers users and items from the same range).
	Kept
	// Label columns hold free labels a policy keeps (categories). A value
	// equal to a needle is a collision, as for Kept (Taobao's category ids
	// share the user-id range); a value that contains one, or a PII
	// pattern, is a leak.
	Label
	// Identifier columns hold identifiers of derived datasets, where no
	// policy says where they came from (merchant_id of the tag datasets):
	// a value equal to a raw value is a leak; nothing else is checked.
	Identifier
)

// FreeText reports whether values of class c are searched for PII
// patterns.
func (c Class) FreeText() bool {
	switch c {
	case Kept, Identifier, Token:
		return false
	}
	return true
}

var classNames = [...]string{Generalised: "generalised", Token: "token", Text: "text", Kept: "kept", Label: "label", Identifier: "identifier"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "class(invalid)"
}
