package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The words of a street: house numbers, name words, suffixes and endings.

// capitalIn reports whether a word of text[p:e] starts with a capital.
func capitalIn(text string, p, e int) bool {
	for k := p; k < e; k++ {
		if (k == p || text[k-1] == ' ') && isUpperAt(text, k) {
			return true
		}
	}
	return false
}

// houseNumber reads "664", "12B", "1-2-3", "12/3" at p, at most 6 digits a
// group.
func houseNumber(text string, p, limit int) int {
	q := p
	for g := 0; g < 3; g++ {
		s := q
		for q < limit && isDigit(text[q]) && q-s < 6 {
			q++
		}
		if q == s || q < limit && isDigit(text[q]) {
			return p
		}
		if q+1 < limit && (text[q] == '-' || text[q] == '/') && isDigit(text[q+1]) {
			q++
			continue
		}
		break
	}
	if q < limit && isLetter(text[q]) && (q+1 == limit || !isAlnum(text[q+1])) {
		q++ // 12B
	}
	if q < limit && isAlnum(text[q]) {
		return p
	}
	return q
}

// nameWords reads up to max words of a street name (capitalised words and
// connectors such as "de", "la"), joined by single blanks.
func nameWords(text string, p, limit, max int) (end, words int) {
	end = p
	for pos := p; words < max; {
		w, _ := enWord(text, pos, limit)
		if w == pos || w < limit && isAlnum(text[w]) || !isUpperAt(text, pos) && !connector(text[pos:w]) {
			break
		}
		if isUpperAt(text, pos) { // a name ends at a capitalised word: not "… St. the"
			end = w
		}
		words++
		if w+1 >= limit || text[w] != ' ' {
			break
		}
		pos = w + 1
	}
	return end, words
}

// enWord reads a word at p: letters of any script with inner ' or -, and
// a final '.' after a short word (an abbreviation: "St.", "Apt."). upper
// reports a capital first letter.
func enWord(text string, p, limit int) (int, bool) {
	q, upper := p, false
	for q < limit && text[q] < utf8.RuneSelf && isLetter(text[q]) { // ASCII: no decoding
		q++
	}
	if q > p {
		upper = isUpper(text[p])
	}
	for q < limit {
		if c := text[q]; c < utf8.RuneSelf && c != '\'' && c != '-' {
			if isLetter(c) { // after a letter beyond ASCII: "Straße"
				q++
				continue
			}
			break // a blank, a digit, a '.': most words end so, no decoding
		}
		r, w := utf8.DecodeRuneInString(text[q:limit])
		if unicode.IsLetter(r) && r < 0x2E80 {
			if q == p {
				upper = unicode.IsUpper(r)
			}
			q += w
			continue
		}
		if q > p && (r == '\'' || r == '-' || r == '\u2019') && q+w < limit {
			if r2, _ := utf8.DecodeRuneInString(text[q+w : limit]); unicode.IsLetter(r2) {
				q += w
				continue
			}
		}
		break
	}
	if q > p && q < limit && text[q] == '.' && q-p <= 4 {
		q++
	}
	return q, upper
}

func isUpperAt(text string, p int) bool {
	if p < len(text) && text[p] < utf8.RuneSelf {
		return isUpper(text[p])
	}
	r, _ := utf8.DecodeRuneInString(text[p:])
	return unicode.IsUpper(r)
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func skipSpaces(text string, p, limit int) int {
	for p < limit && text[p] == ' ' {
		p++
	}
	return p
}

// streetSuffix reports whether w is a street suffix, also in the plural
// ("Squares") or abbreviated with a full stop ("St.").
func streetSuffix(w string) bool {
	w = strings.TrimSuffix(w, ".")
	return inSet(&streetSuffixes, w) || len(w) > 3 && (w[len(w)-1] == 's' || w[len(w)-1] == 'S') &&
		inSet(&streetSuffixes, w[:len(w)-1])
}

func streetEnding(w string) bool {
	for _, e := range streetEndings {
		if len(w) > len(e) && hasSuffixFold(w, e) {
			return e != "tie" || len(w) >= 8 // "Koskitie", not "Sweetie"
		}
	}
	return false
}

// streetWord reads a word or an ordinal ("5th") at p.
func streetWord(text string, p, limit int) int {
	if w, _ := enWord(text, p, limit); w > p {
		return w
	}
	q := p
	for q < limit && isDigit(text[q]) {
		q++
	}
	if q > p && q+2 <= limit && ordinal(text[p:q+2]) && (q+2 == limit || !isAlnum(text[q+2])) {
		return q + 2
	}
	return p
}

// equalFold reports whether s equals the lower-case ASCII word w in any
// case.
func equalFold(s, w string) bool { return len(s) == len(w) && hasPrefixFold(s, w) }

// inSet reports whether the lower-case form of w is in m.
func inSet(m *words, w string) bool {
	if len(w) > 32 || !m.mayHave(w) {
		return false
	}
	var buf [32]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c |= 0x20
		}
		buf[i] = c
	}
	return m.m[string(buf[:len(w)])]
}

// looseWords reads up to max words of a street name in any case, joined
// by single blanks, up to a word of the sentence ("and", "the").
func looseWords(text string, p, limit, max int) (end, words int) {
	end = p
	for pos := p; words < max; {
		w, _ := enWord(text, pos, limit)
		if w == pos || w < limit && isAlnum(text[w]) || stopWord(text[pos:w]) {
			break
		}
		end = w
		words++
		if w+1 >= limit || text[w] != ' ' {
			break
		}
		pos = w + 1
	}
	return end, words
}

// staircase extends a house number at n over a staircase and a flat, as
// Finnish and Swedish write them: "Mannerheimintie 12 B 5".
func staircase(text string, n, limit int) int {
	if n+4 > limit || text[n] != ' ' || !isUpper(text[n+1]) || text[n+2] != ' ' || !isDigit(text[n+3]) {
		return n
	}
	q := n + 3
	for q < limit && isDigit(text[q]) && q-n < 7 {
		q++
	}
	if q < limit && isAlnum(text[q]) {
		return n
	}
	return q
}
