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
//     that length (IIN: Visa 4, Mastercard 5/2, UnionPay 62 …) and pass
//     Luhn; 12-digit Maestro numbers only after a card word ("card",
//     "卡号").
//   - PHONE: Chinese mobiles (1[3-9] and 9 digits, optional +86/0086,
//     3-4-4 grouping), North American numbers ((415) 555-0142,
//     415-555-0142, 415.555.0142, +1 415-555-0142), any "+" number of 8–15
//     digits, national numbers with their trunk prefix ((08) 8747 6301,
//     010-12345678, 0490 75 40 81), and other numbers of 7–12 digits in
//     groups of 2+ only next to a phone word ("Phone: 358 0594", "电话
//     88886666", "416 60 039 office"); an optional extension (x123). Dates,
//     year ranges and dotted quads are not phones.
//   - US_SSN: AAA-GG-SSSS split by dashes or single blanks, or 9 digits
//     after an SSN cue ("SSN", "social security"); area 000, 666 and
//     900–999, group 00 and serial 0000 are never issued and not taken.
//     Checked before phones: "His social security number is 853-37-1694"
//     is no phone.
//   - IBAN: a country code, two check digits and the account, compact
//     ("GB82WEST12345698765432", any case) or in groups of four split by
//     single blanks; of the length the SWIFT registry gives its country,
//     with its BBAN layout for the common countries, and 1 mod 97 (ISO
//     13616). Read before numbers, so its digits are no phone or card.
//   - DATE_OF_BIRTH: a date (12/03/1985, 1985-03-12, 19850312, "12 March
//     1985", "March 12, 1985", 1985年3月12日, a birthday "3月12日") close
//     after a birth cue ("DOB", "date of birth", "born", "birthday",
//     "出生日期", "生日"), or right before 出生 ("1990年5月3日出生"). Other
//     dates (delivery, order) stay in clear.
//   - IP: IPv4 dotted quads (octets 0–255, no leading zero, not after
//     "version"/"版本") and IPv6 (8 groups, one "::", an IPv4 tail).
//   - PASSPORT: Chinese passports (E/G/P/S/D and 8 digits, or E, a letter
//     and 7 digits) standing alone; 6–12 letters and digits after a
//     passport cue ("护照号", "passport no.").
//   - QQ: 5–11 digits after a QQ cue ("QQ", "qq号", "Q号", "扣扣").
//   - WECHAT: after a WeChat cue ("微信", "vx", "wx", "WeChat"), an id by
//     WeChat's rules ([A-Za-z][-_A-Za-z0-9]{5,19}) or a phone number;
//     "wxid_…" anywhere.
//   - ADDRESS: Chinese addresses read as levels (province, city, district,
//     road, number, building, unit, room): two or more ending at a house or
//     building number, or two or more after an address cue ("地址",
//     "寄到"), and a room after a building or unit without 室
//     ("3单元502", "5号楼1202"); English and European street addresses
//     (house number, name and suffix, or a prefix "Rue"/"Via", also in
//     lower case before a capitalised name "12 rue de la Paix", or a
//     street word "…straße", "…straat", then unit, city, region, postcode
//     (Dutch "1012 PH" too), country; "Blk 123 … #12-34, Singapore
//     560123"; US military "PSC …, APO AA …"); post office boxes ("PO
//     Box 1234", "P.O. Box 77, Springfield", "Postfach 10 12 34").
//   - PERSON: names after a cue only. Chinese: a surname from a list and one
//     or two characters after 我叫, 姓名, 收件人, 联系人 …, or before
//     先生/女士/小姐 (a surname alone: 王先生 → <PERSON_1>先生). English:
//     capitalised words after "my name is", "name:", "recipient:", "Mr",
//     "Dr", in a sign-off ("Thanks, Jane Doe"). After a weak cue (我是,
//     本人, "I'm", "this is", "Hi") the words must also look like a name:
//     given-name characters, a given name or surname from a list.
//
// Numbers are read as clusters of digit groups joined by short separators
// (space, dash, dot, parentheses). A match starts and ends on group
// boundaries, never inside a run of digits, and is cut out of a longer
// cluster only where spaces separate it: "2024-01-15 13812345678" yields
// the mobile, "订单号20240115138123456789" yields nothing. A number glued
// to ASCII letters ("SKU4111111111111111"), or by '-' to a run of hex
// digits or by '_' to a word ("d37feb2e-9912-4248-…", a UUID), is not
// matched; one glued to Chinese text ("电话13812345678") is. A phone or
// card right after an order word ("订单号13812345678", "order no. …") is
// an order number. Full-width digits (１３８…) count as digits.
//
// A text is read once, by one scanner shared by every detector (scan.go):
// it finds the cues, the words that may start an IBAN, the starts of the
// runs of digits and of the capitalised words, and whether there is an
// '@' or a ':'. Detectors then jump from mark to mark rather than read
// the text again; most chat lines have no digit, '@' or cue and cost that
// one pass. Spans are found in two tiers: first values with a shape of
// their own (e-mails, IPv6, IBANs, dates of birth, numbers, passports,
// handles), where of two overlapping spans the stronger type wins (a cue:
// "QQ 13812345678" is a QQ number); then addresses and names in the text
// between them. A span's edges bound what is found next to it, as its
// placeholder will, so Find is a fixpoint: the text with its spans
// replaced by placeholders holds no more, and one redaction pass is
// enough (FuzzRedact and TestFixpoint check it).
//
// Known gaps: foreign national numbers without a trunk prefix or phone word
// ("699 956 915"), bare 10-digit North American numbers (9498777106, as
// often an order number), names without a cue ("Follow up with Satsita
// Umkhayev", "吴湖帆时现精彩"), Chinese addresses with neither cue nor house
// number, English streets in lower case or without a known suffix, prefix
// or tail, and numbers spelled with full-width separators; IBANs written in
// other groupings ("ES72 2013-0692-81-…") and BBAN layouts of the rarer
// countries (length and mod 97 only); SSNs without a cue that are written
// as 9 bare digits; dates of birth without a cue ("I'm from 1990-05-03"),
// with a month and year only, or more than 48 bytes after the cue.
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
	IBAN         Type = "IBAN"
	USSSN        Type = "US_SSN"
	DateOfBirth  Type = "DATE_OF_BIRTH"
)

// Types lists every Type. It is for ranging over; this package does not
// read it.
var Types = []Type{Email, CNResidentID, BankCard, Phone, IP, Passport, QQ, WeChat, Address, Person, IBAN, USSSN,
	DateOfBirth}

// allTypes is Types for this package, out of reach of callers.
var allTypes = [...]Type{Email, CNResidentID, BankCard, Phone, IP, Passport, QQ, WeChat, Address, Person, IBAN,
	USSSN, DateOfBirth}

// rank orders the values read before numbers: where two overlap, the
// lower rank wins. An e-mail address holds what looks like a handle; a
// cue ("QQ", "微信") says more than a passport's shape or an IPv6 run.
func rank(t Type) int {
	switch t {
	case Email:
		return 0
	case QQ, WeChat:
		return 1
	case Passport, IBAN, DateOfBirth:
		return 2
	}
	return 3
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
	return appendSpansWith(dst, text, useNameModels)
}

// appendSpansWith appends the spans of text to dst, with the name models'
// names or without.
func appendSpansWith(dst []Span, text string, models bool) []Span {
	var sc scan
	hits, runs, caps := sc.read(text)
	first := len(dst)
	if !sc.any() {
		if !models {
			return dst
		}
		return appendModelNames(dst, first, text, &sc, len(caps) > 0)
	}
	// Values with a shape of their own, then the numbers between them.
	var tokBuf [8]Span
	tokens := tokBuf[:0]
	if sc.at {
		tokens = appendEmails(tokens, text)
	}
	if sc.colon {
		tokens = appendIPv6(tokens, text)
	}
	if sc.digit && sc.upper {
		tokens = appendCNPassports(tokens, text, hits, runs)
	}
	if sc.wxid {
		tokens = appendWxid(tokens, text)
	}
	if sc.iban {
		tokens = appendIBANs(tokens, text, hits)
	}
	if sc.birth {
		tokens = appendBirthDates(tokens, text, hits)
	}
	tokens = appendHandles(tokens, text, hits)
	tokens = resolve(tokens)
	if sc.digit || len(tokens) > 0 {
		from := 0
		for _, s := range tokens {
			dst = appendNumbers(dst, text, from, s.Start, hits, runs)
			dst = append(dst, s)
			from = s.End
		}
		dst = appendNumbers(dst, text, from, len(text), hits, runs)
	}
	// Addresses and names, between those; each bounds the other, so each
	// is read again while the other finds more ("0 A Dr.Bob": once Bob is
	// a name, "0 A Dr." is a street).
	if len(hits) > 0 || sc.digit {
		dst = appendAddresses(dst, first, text, hits, sc.digit, sc.upper, runs, caps)
		for len(hits) > 0 {
			n := len(dst)
			if dst = appendNames(dst, first, text, hits); len(dst) == n || !boundsAddress(dst[first:], text) {
				break
			}
			n = len(dst)
			if dst = appendAddresses(dst, first, text, hits, sc.digit, sc.upper, runs, caps); len(dst) == n {
				break
			}
		}
	}
	if models {
		dst = appendModelNames(dst, first, text, &sc, len(caps) > 0)
	}
	if len(dst) > first && (sc.digit || len(hits) > 0) {
		dst = appendNumbersNear(dst, first, text, hits, runs)
	}
	return dst
}

// boundsAddress reports whether a name among spans may bound an address
// that was not read with it: one glued after a word of an English street
// with a number before it ("0 A Dr.Bob"), or glued before Chinese text
// with a number after it, which an address read back from that number
// would have run into.
func boundsAddress(spans []Span, text string) bool {
	for _, s := range spans {
		if s.Type != Person {
			continue
		}
		if s.Start > 0 && (isAlnum(text[s.Start-1]) || text[s.Start-1] == '.' || text[s.Start-1] == '\'') &&
			digitNear(text, s.Start-64, s.Start) ||
			hanAt(text, s.End) != 0 && digitNear(text, s.End, s.End+96) {
			return true
		}
	}
	return false
}

// digitNear reports whether text[from:to] holds a digit.
func digitNear(text string, from, to int) bool {
	from, to = max(from, 0), min(to, len(text))
	return from < to && digitWithin(text, from, to-from-1)
}

// appendNumbersNear reads again the numbers right before and after an
// address or a name: its placeholder will bound them ("… 0000)010 8888…"
// becomes "<ADDRESS_1>)010 8888…", "010 8888(0 A St" becomes
// "010 8888(<ADDRESS_1>"), so its edges must too. The gap read holds no
// span, so what it finds is new.
func appendNumbersNear(dst []Span, first int, text string, hits []hit, runs []int) []Span {
	for k := first; k < len(dst); k++ {
		s := dst[k]
		if s.Type != Address && s.Type != Person {
			continue
		}
		prev, next := 0, len(text)
		if k > first {
			prev = dst[k-1].End
		}
		if k+1 < len(dst) {
			next = dst[k+1].Start
		}
		var buf [4]Span
		found := buf[:0]
		if prev < s.Start && digitNear(text, s.Start-8, s.Start) { // within a separator's reach
			found = appendNumbers(found, text, prev, s.Start, hits, runs)
		}
		if s.End < next && digitNear(text, s.End, s.End+8) {
			found = appendNumbers(found, text, s.End, next, hits, runs)
		}
		for _, n := range found {
			dst = insert(dst, first, n)
			if n.Start < s.Start {
				k++ // s moved one on
			}
		}
	}
	return dst
}

// resolve keeps, of overlapping spans, the one of lower rank, then the
// earlier, and returns them in order. It works in place; there are few.
func resolve(spans []Span) []Span {
	if len(spans) < 2 {
		return spans
	}
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && less(spans[j], spans[j-1]); j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	kept := spans[:0]
	for _, s := range spans {
		if !overlapsAny(kept, s.Start, s.End) {
			kept = append(kept, s)
		}
	}
	for i := 1; i < len(kept); i++ {
		for j := i; j > 0 && kept[j].Start < kept[j-1].Start; j-- {
			kept[j], kept[j-1] = kept[j-1], kept[j]
		}
	}
	return kept
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

// The spans of a text found so far are kept in order and disjoint, so the
// questions below are answered by binary search: a long text with many
// spans stays fast.

// after returns the index of the first of spans that ends after p.
func after(spans []Span, p int) int {
	lo, hi := 0, len(spans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if spans[m].End <= p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// spanEdge reports whether p is the start or end of one of spans: the
// text there becomes a placeholder, so it bounds a word like a '<' would.
func spanEdge(spans []Span, p int) bool {
	k := after(spans, p-1) // the first that ends at p or later
	return k < len(spans) && (spans[k].End == p || spans[k].Start == p) ||
		k+1 < len(spans) && spans[k+1].Start == p
}

// nextSpan returns the start of the first of spans at or after p (p if
// one holds p), or n if none.
func nextSpan(spans []Span, p, n int) int {
	k := after(spans, p)
	if k == len(spans) {
		return n
	}
	return max(spans[k].Start, p)
}

// inSpans reports whether p lies inside one of spans.
func inSpans(spans []Span, p int) bool {
	k := after(spans, p)
	return k < len(spans) && spans[k].Start <= p
}

// overlapsSorted reports whether [start, end) overlaps one of spans.
func overlapsSorted(spans []Span, start, end int) bool {
	k := after(spans, start)
	return k < len(spans) && spans[k].Start < end
}
