package pii

import "strings"

// Dates of birth: a date is personal data when a birth cue ("DOB", "date
// of birth", "born", "birthday", "出生", "生日") stands close before it,
// or, in Chinese, right after it ("1990年5月3日出生"). Other dates
// (delivery, order, opening hours) stay in clear. Dates read:
//
//	12/03/1985 3/12/85 1985-03-12 1985.3.12 19850312
//	12 March 1985, 12th Mar. 1985, March 12, 1985, Mar 12 (a birthday)
//	1985年3月12日, 1985年3月12号, 3月12日 (a birthday)

// birthFillers may stand between a birth cue and the date.
var birthFillers = []string{
	"日期", "年月日", "是", "为", "在", "于", "：", ":", "-", "is", "was", "on", "in", "of", "date", "=", "#",
}

// birthReach is how far after a cue's end a date may start.
const birthReach = 48

// appendBirthDates appends the dates near the birth cues of text.
func appendBirthDates(dst []Span, text string, hits []hit) []Span {
	last := 0
	for _, h := range hits {
		if h.kind != cueBirth {
			continue
		}
		if text[h.start] >= 0x80 {
			if h.start > last {
				if s := dateBefore(text, h.start, last); s >= 0 {
					dst = append(dst, Span{DateOfBirth, s, h.start})
					last = h.end
					continue
				}
			}
			// A value right before a Chinese cue is its own ("…日出生",
			// or a placeholder there once redacted): then the cue looks
			// no further, in the text and in its redaction alike.
			if valueBefore(text, trimBack(text, h.start, "的是于在 ")) {
				continue
			}
		}
		if s, e := dateAfter(text, max(h.end, last)); e > 0 {
			dst = append(dst, Span{DateOfBirth, s, e})
			last = e
		}
	}
	return dst
}

// dateAfter finds the first date after p, within birthReach, with no
// other digit before it and at most one sentence end, followed by a few
// bytes ("date of birth. It's 6/24/1991").
func dateAfter(text string, p int) (int, int) {
	q, _ := skipFillers(text, p, birthFillers)
	if e := dateAt(text, q); e > 0 {
		return q, e
	}
	stop := -1
	for k := q; k < len(text) && k-p < birthReach; k++ {
		c := text[k]
		if _, w := digitAt(text, k, len(text)); w > 0 || isLetter(c) && (k == 0 || !isAlnum(text[k-1])) {
			if e := dateAt(text, k); e > 0 {
				return k, e
			}
			if w > 0 {
				return 0, 0
			}
		}
		switch {
		case c == '.' || c == '!' || c == '?' || c == ';' || c == '\n':
			if stop >= 0 {
				return 0, 0
			}
			stop = k
		case strings.HasPrefix(text[k:], "。") || strings.HasPrefix(text[k:], "；"):
			if stop >= 0 {
				return 0, 0
			}
			stop = k
		}
		if stop >= 0 && k-stop > 8 {
			return 0, 0
		}
	}
	return 0, 0
}

// valueBefore reports whether a digit, 日, 号 or the end of a placeholder
// ends at e.
func valueBefore(text string, e int) bool {
	if e == 0 {
		return false
	}
	if c := text[e-1]; isDigit(c) || c == '>' {
		return true
	}
	r := hanBefore(text, e)
	return r == '日' || r == '号' || e >= 3 && text[e-3] == 0xEF && text[e-2] == 0xBC && text[e-1]-0x90 <= 9
}

// dateBefore finds a date that ends at end, perhaps before "的" or "是",
// and starts at or after from; it returns its start or -1.
func dateBefore(text string, end, from int) int {
	e := trimBack(text, end, "的是于在 ")
	for s := max(from, e-36); s < e; s++ { // the earliest start: the whole date
		if _, w := digitAt(text, s, len(text)); w == 0 {
			continue
		}
		if s > 0 && (isAlnum(text[s-1]) || s >= 3 && text[s-3] == 0xEF && text[s-2] == 0xBC && text[s-1]-0x90 <= 9) {
			continue // not the start of a run of digits
		}
		if dateAt(text, s) == e {
			return s
		}
	}
	return -1
}

// dateAt returns the end of a date at p, or 0.
func dateAt(text string, p int) int {
	if p >= len(text) || p > 0 && isWordByte(text[p-1]) {
		return 0
	}
	if isLetter(text[p]) {
		return namedDate(text, p, true)
	}
	var v [3]int
	var n [3]int
	q := p
	var sep byte
	for g := 0; g < 3; g++ {
		for {
			d, w := digitAt(text, q, len(text))
			if w == 0 || n[g] == 8 {
				break
			}
			v[g] = v[g]*10 + int(d-'0')
			n[g]++
			q += w
		}
		if n[g] == 0 {
			return 0
		}
		if g == 0 {
			if e := cnDate(text, q, v[0], n[0]); e > 0 {
				return e
			}
			if n[0] <= 2 { // "12 March 1985"
				if e := namedDate(text, skipSpaces(text, q, len(text)), false); e > 0 && q < len(text) && text[q] == ' ' {
					return e
				}
			}
			if n[0] == 8 && dateEnds(text, q) { // 19850312
				if validDate(v[0]/10000, v[0]/100%100, v[0]%100) {
					return q
				}
				return 0
			}
		}
		if g == 2 {
			break
		}
		if q >= len(text) || !strings.ContainsRune("/-.", rune(text[q])) || sep != 0 && text[q] != sep {
			return 0
		}
		sep = text[q]
		q++
	}
	if !dateEnds(text, q) {
		return 0
	}
	switch {
	case n[0] == 4 && n[1] <= 2 && n[2] <= 2: // y-m-d
		if validDate(v[0], v[1], v[2]) {
			return q
		}
	case n[0] <= 2 && n[1] <= 2 && (n[2] == 4 || n[2] == 2):
		y := v[2]
		if n[2] == 2 {
			y += 1900
		}
		// m/d/y or d/m/y: either reading will do.
		if validDate(y, v[0], v[1]) || validDate(y, v[1], v[0]) {
			return q
		}
	}
	return 0
}

// dateEnds reports whether a date may end at q: not inside a number or a
// word, nor before a time ("12:30" belongs to a timestamp, which is fine)
// or a decimal.
func dateEnds(text string, q int) bool {
	return q >= len(text) || !isWordByte(text[q]) && !(text[q] == '.' || text[q] == '/' || text[q] == '-') ||
		(text[q] == '.' || text[q] == '-') && (q+1 >= len(text) || !isDigit(text[q+1]))
}

// cnDate reads "1985年3月12日" (or 号; the year may be left out) from the
// end q of its first number, v with n digits.
func cnDate(text string, q, v, n int) int {
	y := 2000 // a leap year: 2月29日 is a birthday
	if strings.HasPrefix(text[q:], "年") {
		if n != 4 && n != 2 {
			return 0
		}
		if y = v; n == 2 {
			y += 1900
		}
		v, n = 0, 0
		q += len("年")
		for {
			d, w := digitAt(text, q, len(text))
			if w == 0 || n == 2 {
				break
			}
			v, n, q = v*10+int(d-'0'), n+1, q+w
		}
	}
	if n == 0 || n > 2 || !strings.HasPrefix(text[q:], "月") {
		return 0
	}
	m := v
	q += len("月")
	d, n := 0, 0
	for {
		c, w := digitAt(text, q, len(text))
		if w == 0 || n == 2 {
			break
		}
		d, n, q = d*10+int(c-'0'), n+1, q+w
	}
	if n == 0 || !validDate(y, m, d) {
		return 0
	}
	switch {
	case strings.HasPrefix(text[q:], "日"), strings.HasPrefix(text[q:], "号"):
		return q + 3
	}
	return 0
}

// namedDate reads a date with a month name at p: "March 12, 1985",
// "Mar. 12th 1985", "March 12" (monthFirst), or "March 1985" after a day
// read before it ("12 March 1985").
func namedDate(text string, p int, monthFirst bool) int {
	m, q := monthAt(text, p)
	if m == 0 {
		return 0
	}
	if !monthFirst {
		// The day came first: a year must follow.
		r := skipSpaces(text, q, len(text))
		if y, e := yearAt(text, r); y > 0 && r > q {
			return e
		}
		return 0
	}
	r := skipSpaces(text, q, len(text))
	if r == q {
		return 0
	}
	d, e := 0, r
	for e < len(text) && isDigit(text[e]) && e-r < 2 {
		d = d*10 + int(text[e]-'0')
		e++
	}
	if e == r || e < len(text) && isDigit(text[e]) || d < 1 || d > 31 {
		return 0
	}
	if e+2 <= len(text) && ordinal(text[r:e+2]) {
		e += 2
	}
	if e < len(text) && isAlnum(text[e]) {
		return 0
	}
	end := e
	s := e
	if s < len(text) && text[s] == ',' {
		s++
	}
	s = skipSpaces(text, s, len(text))
	if y, ye := yearAt(text, s); y > 0 && s > e {
		if !validDate(y, m, d) {
			return 0
		}
		return ye
	}
	if !validDate(2000, m, d) {
		return 0
	}
	return end
}

// yearAt reads a year of four digits (1880–2099) at p.
func yearAt(text string, p int) (int, int) {
	if p+4 > len(text) || !allDigits(text[p:p+4]) || p+4 < len(text) && isAlnum(text[p+4]) {
		return 0, 0
	}
	y := int(text[p]-'0')*1000 + int(text[p+1]-'0')*100 + int(text[p+2]-'0')*10 + int(text[p+3]-'0')
	if y < 1880 || y > 2099 {
		return 0, 0
	}
	return y, p + 4
}

var months = [...]string{"january", "february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december"}

// monthAt reads an English month name, in full or cut to three letters
// (and "Sept"), with an optional full stop; it returns the month and the
// end, or 0.
func monthAt(text string, p int) (int, int) {
	q := p
	for q < len(text) && isLetter(text[q]) {
		q++
	}
	w := text[p:q]
	if len(w) < 3 {
		return 0, 0
	}
	for k, m := range months {
		if len(w) <= len(m) && (len(w) == 3 || len(w) == len(m) || k == 8 && len(w) == 4) && hasPrefixFold(w, m[:len(w)]) {
			if q < len(text) && text[q] == '.' && len(w) < len(m) {
				q++
			}
			return k + 1, q
		}
	}
	return 0, 0
}
