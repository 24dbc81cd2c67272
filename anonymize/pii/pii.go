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
//     groups split by one kind of space or dash, that start like a card of
//     that length (IIN) and pass Luhn.
//   - PHONE: Chinese mobiles (1[3-9] and 9 digits, optional +86/0086,
//     3-4-4 grouping), North American numbers ((415) 555-0142,
//     415-555-0142, 415.555.0142, +1 415-555-0142), any "+" number of 8–15
//     digits, national numbers with their trunk prefix ((08) 8747 6301,
//     010-12345678, 0490 75 40 81), and other grouped or plain numbers of
//     7–12 digits right after a phone word ("Phone: 358 0594", "电话
//     88886666"); an optional extension (x123). Dates, year ranges and
//     dotted quads are not phones, nor numbers right after an order word
//     ("订单号13812345678", "order 415 5550142").
//   - IP: IPv4 dotted quads (octets 0–255, not after "version"/"版本") and
//     IPv6 (8 groups, "::", an IPv4 tail).
//   - PASSPORT: Chinese passports (E/G/P/S/D and 8 digits, E, a letter and
//     7 digits) anywhere; 6–12 letters and digits after a passport cue
//     ("护照号", "passport no.").
//   - QQ: 5–11 digits after a QQ cue ("QQ", "qq号", "Q号", "扣扣").
//   - WECHAT: after a WeChat cue ("微信", "vx", "wx", "WeChat"), an id by
//     WeChat's rules ([A-Za-z][-_A-Za-z0-9]{5,19}) or a phone number;
//     "wxid_…" anywhere.
//   - ADDRESS: Chinese addresses (province, city, district, street,
//     number, building, unit, room: two levels or more ending at a number,
//     or after an address cue such as "地址", "寄到"); English and European
//     street addresses (house number, street name and suffix, unit, city,
//     state, postcode, country; "Blk 123 … #12-34, Singapore 560123";
//     "Hauptstraße 12, 10115 Berlin").
//   - PERSON: names after a cue only: Chinese (a surname from a list and
//     one or two characters) after 我叫, 姓名, 收件人, … or before
//     先生/女士/小姐; English (capitalised words) after "my name is",
//     "name:", "Mr", "I'm", "Thanks," … A name without a cue is left alone:
//     telling "王者" from "王哲" needs more than a list.
//
// Numbers are read as clusters of digit groups joined by short separators
// (space, dash, dot, parentheses). A match starts and ends on group
// boundaries, never inside a run of digits, and is cut out of a longer
// cluster only where spaces separate it: "2024-01-15 13812345678" yields
// the mobile, "订单号20240115138123456789" yields nothing. A number glued
// to ASCII letters ("SKU4111111111111111"), or by '-' or '_' to a word
// ("d37feb2e-9912-4248-…", a UUID), is not matched; one glued to Chinese
// text ("电话13812345678") is. Full-width digits (１３８…) count as digits.
//
// Spans are found in two tiers: first the values with a shape of their
// own (e-mails, numbers, IPs, handles, passports), then addresses and
// names in the text between them. Where two first-tier spans overlap the
// one of the stronger type wins: a cue ("QQ 13812345678") over a shape.
//
// Known gaps: 12-digit cards (Maestro), bare 10-digit North American
// numbers (9498777106; as often an order number), foreign national
// numbers without a trunk prefix or phone word ("699 956 915"), numbers
// spelled with full-width separators, names without a cue, and addresses
// without a house number or cue.
package pii

// Type is the kind of a span of personal data.
type Type string

// Types of personal data.
const (
	Email        Type = "EMAIL"
	CNResidentID Type = "CN_RESIDENT_ID"
	BankCard     Type = "BANK_CARD"
	Phone        Type = "PHONE"
	IP           Type = "IP"
	Passport     Type = "PASSPORT"
	QQ           Type = "QQ"
	WeChat       Type = "WECHAT"
	Address      Type = "ADDRESS"
	Person       Type = "PERSON"
)

// Types lists every Type. It is for ranging over; this package does not
// read it.
var Types = []Type{Email, CNResidentID, BankCard, Phone, IP, Passport, QQ, WeChat, Address, Person}

// rank orders the first-tier types: where two spans overlap, the lower
// rank wins.
func rank(t Type) int {
	switch t {
	case Email:
		return 0
	case QQ, WeChat:
		return 1
	case CNResidentID:
		return 2
	case BankCard:
		return 3
	case Passport:
		return 4
	case IP:
		return 5
	case Phone:
		return 6
	}
	return 7
}

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
	var hitBuf [maxHits]hit
	var sc scan
	hits := sc.read(text, hitBuf[:0])
	if !sc.any() {
		return dst
	}
	first := len(dst)
	if sc.digit || sc.at {
		dst = appendEmailsNumbers(dst, text)
	}
	var candBuf [8]Span
	cand := candBuf[:0]
	if sc.colon {
		cand = appendIPv6(cand, text)
	}
	if sc.digit && sc.upper {
		cand = appendCNPassports(cand, text)
	}
	if sc.upper || len(hits) > 0 {
		cand = appendWxid(cand, text)
	}
	cand = appendHandles(cand, text, hits)
	if len(cand) > 0 {
		dst = resolve(dst, first, cand)
	}
	if len(hits) > 0 || sc.digit {
		dst = appendAddresses(dst, first, text, hits, sc.digit)
	}
	if len(hits) > 0 {
		dst = appendNames(dst, first, text, hits)
	}
	return dst
}

// appendEmailsNumbers appends the e-mail addresses of text and the numbers
// between them.
func appendEmailsNumbers(dst []Span, text string) []Span {
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

// resolve merges cand into the spans dst[first:] (in order, disjoint):
// of overlapping spans the one of lower rank, then the earlier, is kept.
func resolve(dst []Span, first int, cand []Span) []Span {
	var buf [24]Span
	all := append(append(buf[:0], dst[first:]...), cand...)
	// Insertion sort by rank, then start; a handful of spans.
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && less(all[j], all[j-1]); j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	kept := all[:0]
	for _, s := range all {
		if !overlapsAny(kept, s.Start, s.End) {
			kept = append(kept, s)
		}
	}
	for i := 1; i < len(kept); i++ {
		for j := i; j > 0 && kept[j].Start < kept[j-1].Start; j-- {
			kept[j], kept[j-1] = kept[j-1], kept[j]
		}
	}
	return append(dst[:first], kept...)
}

func less(a, b Span) bool {
	ra, rb := rank(a.Type), rank(b.Type)
	return ra < rb || ra == rb && a.Start < b.Start
}

func overlapsAny(spans []Span, start, end int) bool {
	for _, s := range spans {
		if s.Start < end && start < s.End {
			return true
		}
	}
	return false
}

// insert adds s to the spans dst[first:], in order; s overlaps none.
func insert(dst []Span, first int, s Span) []Span {
	k := len(dst)
	for k > first && dst[k-1].Start > s.Start {
		k--
	}
	dst = append(dst, Span{})
	copy(dst[k+1:], dst[k:])
	dst[k] = s
	return dst
}

// spanEdge reports whether p is the start or end of one of spans: the
// text there becomes a placeholder, so it bounds a word like a '<' would.
func spanEdge(spans []Span, p int) bool {
	for _, s := range spans {
		if s.Start == p || s.End == p {
			return true
		}
	}
	return false
}

// nextSpan returns the start of the first of spans at or after p, or
// len(text) if none.
func nextSpan(spans []Span, p, n int) int {
	for _, s := range spans {
		if s.End > p {
			if s.Start < p {
				return p
			}
			return s.Start
		}
	}
	return n
}

// inSpans reports whether p lies inside one of spans.
func inSpans(spans []Span, p int) bool {
	for _, s := range spans {
		if s.Start <= p && p < s.End {
			return true
		}
	}
	return false
}
