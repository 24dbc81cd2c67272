// Package pii finds personal data in free text (English and Chinese chat)
// and replaces it with typed placeholders.
//
// Detectors, checked so that one span gets one type:
//
//   - EMAIL: local@domain with a letter TLD; found first, and digits inside
//     an address ("13812345678@qq.com") belong to it.
//   - CN_RESIDENT_ID: 18 characters (17 digits and a digit or X), a valid
//     province code, birth date and ISO 7064 MOD 11-2 check character.
//   - BANK_CARD: 13–19 digits, contiguous or in 4-4-4-4(-…)/4-6-5/4-6-4
//     groups split by one kind of space or dash, with a valid Luhn sum.
//   - PHONE: Chinese mobiles (1[3-9] and 9 digits, optional +86/0086,
//     3-4-4 grouping), North American numbers ((415) 555-0142,
//     +1 415-555-0142, 1-415-555-0142), any "+" number of 8–15 digits, and
//     national numbers written in 2+ groups of 2+ digits (7–12 digits), with
//     an optional extension (x123). Dates, year ranges and dotted quads are
//     not phones.
//
// Numbers are read as clusters of digit groups joined by short separators
// (space, dash, dot, parentheses). A match starts and ends on group
// boundaries, never inside a run of digits, and is cut out of a longer
// cluster only where spaces separate it: "2024-01-15 13812345678" yields
// the mobile, "订单号20240115138123456789" yields nothing. A number glued
// to ASCII letters ("SKU4111111111111111") is not matched; one glued to
// Chinese text ("电话13812345678") is. Full-width digits (１３８…) count as
// digits.
//
// Known gaps: 12-digit cards (Maestro), bare 10-digit North American
// numbers (9498777106; as often an order number), landlines written
// without separators, and numbers spelled with full-width separators.
package pii

// Type is the kind of a span of personal data.
type Type string

// Types of personal data, in the order they are checked.
const (
	Email        Type = "EMAIL"
	CNResidentID Type = "CN_RESIDENT_ID"
	BankCard     Type = "BANK_CARD"
	Phone        Type = "PHONE"
)

// Types lists every Type, in the order they are checked. It is for ranging
// over; this package does not read it.
var Types = []Type{Email, CNResidentID, BankCard, Phone}

// Span is one piece of personal data: text[Start:End] (byte offsets).
type Span struct {
	Type       Type
	Start, End int
}

// Find returns the personal data in text, in order and without overlaps.
// It returns nil, without allocating, when there is none.
func Find(text string) []Span {
	return appendSpans(nil, text)
}

// appendSpans appends the spans of text to dst.
func appendSpans(dst []Span, text string) []Span {
	if !mayContainPII(text) {
		return dst
	}
	first := len(dst)
	dst = appendEmails(dst, text)
	emails := len(dst) - first
	if emails == 0 {
		return appendNumbers(dst, text, 0, len(text))
	}
	// Scan for numbers in the gaps between e-mail addresses, merging in order.
	// The e-mails are moved out of the way first; there are few.
	var small [4]Span
	found := append(small[:0], dst[first:]...)
	dst = dst[:first]
	from := 0
	for _, e := range found {
		dst = appendNumbers(dst, text, from, e.Start)
		dst = append(dst, e)
		from = e.End
	}
	return appendNumbers(dst, text, from, len(text))
}

// mayContainPII reports whether text has an '@' or a digit (ASCII or
// full-width, whose UTF-8 encoding starts EF BC); most chat lines do not.
func mayContainPII(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c <= '@' && (c >= '0' && c <= '9' || c == '@') || c == 0xEF {
			return true
		}
	}
	return false
}
