package pii

import "strings"

// Context around a number: what a number is depends on the words right
// before it. An order number that happens to look like a mobile or pass
// Luhn ("订单号13812345678", "order no. 4111111111111111") is not personal
// data; a national number without a trunk prefix ("Phone: 358 0594") is a
// phone only after a phone word, or before one ("416 60 039 office").
// The cues are read once per text (scan.go).

// orderFillers may stand between an order cue and its number.
var orderFillers = []string{
	"号码", "编号", "号", "是", "为", "：", ":", "＃", "#", "=", "-", "no.", "no", "number", "num", "nr",
	"id", "is",
}

// orderBefore reports whether an order cue ("订单号", "order no.") comes
// right before start, with only fillers between.
func orderBefore(text string, hits []hit, start int) bool {
	for _, h := range hitsBefore(hits, start, 24) {
		if h.kind == cueOrder && h.end <= start && start-h.end <= 24 {
			if q, _ := skipFillers(text, h.end, orderFillers); q == start {
				return true
			}
		}
	}
	return false
}

// phoneBefore reports whether a phone cue comes before start, within 32
// bytes, in the same sentence and with no other digit between.
func phoneBefore(text string, hits []hit, start int) bool {
	return cueBefore(text, hits, cuePhone, start, 32)
}

// cardBefore reports whether a card cue comes before start, as
// phoneBefore.
func cardBefore(text string, hits []hit, start int) bool {
	return cueBefore(text, hits, cueCard, start, 32)
}

func cueBefore(text string, hits []hit, kind cueKind, start, within int) bool {
	for _, h := range hitsBefore(hits, start, within) {
		if h.kind != kind || h.end > start || start-h.end > within {
			continue
		}
		gap := text[h.end:start]
		ok := true
		for k := 0; k < len(gap) && ok; k++ {
			c := gap[k]
			ok = !isDigit(c) && c != '!' && c != '?' && c != ';'
		}
		if ok && !strings.Contains(gap, "。") && !strings.Contains(gap, "！") &&
			!strings.Contains(gap, "？") && !strings.Contains(gap, "；") {
			return true
		}
	}
	return false
}

// hitsBefore returns the hits that may end in [start-within, start]: those
// that start from start-within-32 (no cue is longer) up to start. Hits
// are in order of their start, so a binary search finds the first.
func hitsBefore(hits []hit, start, within int) []hit {
	from := start - within - 32
	lo, hi := 0, len(hits)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if hits[m].start < from {
			lo = m + 1
		} else {
			hi = m
		}
	}
	k := lo
	for k < len(hits) && hits[k].start <= start {
		k++
	}
	return hits[lo:k]
}

// phoneAfter reports whether a phone word follows end: "416 60 039
// office", "3660170548-Fax", "0490 39 07 81 (mobile)".
func phoneAfter(text string, end int) bool {
	p := end
	if p < len(text) && (text[p] == ' ' || text[p] == '-' || text[p] == '(') {
		p++
	}
	for _, w := range []string{"office", "fax", "mobile", "cell", "home", "work", "tel", "phone"} {
		if _, ok := matchFold(text, p, w); ok {
			return true
		}
	}
	return false
}

// trimBack moves p back over the bytes (and, for the full-width ones,
// characters) of cut.
func trimBack(text string, p int, cut string) int {
	for p > 0 {
		c := text[p-1]
		if c < 0x80 {
			if !containsByte(cut, c) {
				return p
			}
			p--
			continue
		}
		if p < 3 {
			return p
		}
		ch := text[p-3 : p]
		found := false
		for k := 0; k+3 <= len(cut); k++ {
			if cut[k:k+3] == ch {
				found = true
				break
			}
		}
		if !found {
			return p
		}
		p -= 3
	}
	return p
}

// hasSuffixFold reports whether s ends with w, ASCII letters in any case.
func hasSuffixFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	t := s[len(s)-len(w):]
	for i := 0; i < len(w); i++ {
		a, b := t[i], w[i]
		if a >= 'A' && a <= 'Z' {
			a |= 0x20
		}
		if a != b {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
