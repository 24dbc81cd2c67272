package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// English and European street addresses are read from a street, then a
// tail of parts: unit ("Apt 5B", "#12-34"), city, region code, postcode,
// country, each after a comma, a blank or a line break. Streets:
//
//	664 Queen's Road            number, name, suffix (USPS and UK/AU suffixes)
//	Blk 123 Ang Mo Kio Avenue 3 Singapore block
//	12 Rue de Rivoli            number, prefix (rue, via, calle …), name
//	Via Roma 131                prefix, name, number
//	Hauptstraße 12              one word with a street ending, number
//	1-2-3 Shibuya               number, name: only with a cue, or a tail
//	                            holding a postcode, region or country
//
// "Apt. 461" and "Suite 318" standing alone are addresses too.

// appendENAddresses appends the street addresses of text found from their
// first word: a house number, a street prefix, a street word or "Blk".
//
// Only the starts of the runs of digits (runs) and of the capitalised
// words (caps), which the scan marked, are visited: the text is not read
// again. A capitalised word is tried only if a number follows it closely.
//
// Without a capital (upper false), only the streets of an address context
// are looked for.
func appendENAddresses(dst []Span, first int, text string, runs, caps []int, upper bool) []Span {
	if !upper {
		caps = nil
	}
	k, ri, ci := 0, 0, 0
	for i := 0; i < len(text); i++ {
		// The next number or capitalised word from i.
		for ri < len(runs) && runs[ri] < i {
			ri++
		}
		for ci < len(caps) && caps[ci] < i {
			ci++
		}
		switch {
		case ri < len(runs) && (ci == len(caps) || runs[ri] < caps[ci]):
			i = runs[ri]
		case ci < len(caps):
			i = caps[ci]
		default:
			return dst
		}
		c := text[i]
		if !isDigit(c) && !isUpper(c) {
			continue // a full-width digit
		}
		// Every street names a number, close by.
		for k < len(runs) && runs[k] < i {
			k++
		}
		if k == len(runs) || runs[k]-i > 48 {
			continue
		}
		spans := dst[first:]
		if isDigit(c) && !inSpans(spans, i) && (i == 0 || !isAlnum(text[i-1]) && text[i-1] < 0x80) {
			if s, ok := contextAddress(text, i, spans); ok {
				dst = insert(dst, first, s)
				i = s.End - 1
				continue
			}
		}
		if !upper {
			continue
		}
		spans = dst[first:]
		if i > 0 && !spanEdge(spans, i) {
			switch prev := text[i-1]; {
			case isAlnum(prev), prev == '#', prev == '$', prev == '.', prev == '<', prev == '-',
				prev == '/', prev == '_', prev == '+':
				continue
			}
		}
		if inSpans(spans, i) || isUpper(c) && !mayOpenStreet(text, i) {
			continue
		}
		if s, ok := enAddressAt(text, i, spans, false); ok {
			if corner, ok := addrContext(text, i); ok && corner {
				s.End = cornerEnd(text, s.End, nextSpan(spans, s.End, len(text)))
			}
			s.Start = unitBefore(text, s.Start, spans)
			dst = insert(dst, first, s)
			i = s.End - 1
		}
	}
	return dst
}

// digitWithin reports whether a digit starts within n bytes from i.
func digitWithin(text string, i, n int) bool {
	for p := i; p < len(text) && p-i <= n; p++ {
		if _, w := digitAt(text, p, len(text)); w > 0 {
			return true
		}
	}
	return false
}

// mayOpenStreet is a quick look at the capitalised word at p: a street
// starts with it only if it may open one (Blk, Apt, Suite, Rue, Via …) or
// a number follows it within four words.
func mayOpenStreet(text string, p int) bool {
	w := p
	for w < len(text) && (isLetter(text[w]) || text[w] >= 0x80 || text[w] == '-') { // "Karl-Marx-Allee"
		w++
	}
	if w-p < 2 {
		return false
	}
	if streetOpeners[text[p]] && inSet(&streetOpenWords, text[p:w]) {
		return true
	}
	for k := 0; k < 4 && w < len(text); k++ {
		if text[w] == '.' {
			w++
		}
		q := skipSpaces(text, w, len(text))
		if q == w || q == len(text) {
			return false
		}
		if isDigit(text[q]) {
			return true
		}
		for w = q; w < len(text) && (isLetter(text[w]) || text[w] >= 0x80); w++ {
		}
	}
	return false
}

// streetOpenWords open a street before its number: Blk, Apt, Suite, and
// the street prefixes; streetOpeners are their first letters.
var (
	streetOpenWords = func() words {
		m := wordSet("blk block apt apartment suite")
		for w := range streetPrefixes.m {
			m.add(w)
		}
		return m
	}()
	streetOpeners = func() (m [256]bool) {
		for w := range streetOpenWords.m {
			m[w[0]&^0x20] = true
		}
		return m
	}()
)

// enAddressAt reads an English address starting at p, up to the next span.
func enAddressAt(text string, p int, spans []Span, cue bool) (Span, bool) {
	limit := nextSpan(spans, p, len(text))
	end, strong := enStreet(text, p, limit, cue)
	if end == 0 {
		return Span{}, false
	}
	tail, strongTail, parts := enTail(text, end, limit)
	if strong || cue && (parts > 0 || tail > end) || strongTail > 0 && parts >= 2 {
		return Span{Address, p, tail}, true
	}
	return Span{}, false
}

// enStreet reads a street at p and returns its end (0 if none) and whether
// it is one by itself (it has a suffix, prefix or street word); a number
// and a name are a street only if the tail or a cue says so.
func enStreet(text string, p, limit int, cue bool) (int, bool) {
	if p >= limit {
		return 0, false
	}
	if isDigit(text[p]) {
		return numberedStreet(text, p, limit, cue)
	}
	w, _ := enWord(text, p, limit)
	if w == p {
		return 0, false
	}
	word := text[p:w]
	bare := strings.TrimSuffix(word, ".")
	if cue && inSet(&notStreet, bare) {
		return 0, false // "moved to Windows 11", "sent on May 5"
	}
	switch {
	case equalFold(bare, "blk") || equalFold(bare, "block"):
		q := skipSpaces(text, w, limit)
		if q < limit && isDigit(text[q]) {
			if e, strong := numberedStreet(text, q, limit, cue); strong {
				return e, true
			}
		}
	case equalFold(bare, "psc") || equalFold(bare, "cmr") || equalFold(bare, "unit"):
		// US military: "PSC 0413, Box 8144, APO AA 42323"; only with the
		// APO/FPO/DPO line, which enTail counts as strong.
		q := skipSpaces(text, w, limit)
		if n := houseNumber(text, q, limit); n > q && q > w {
			return n, false
		}
	case equalFold(bare, "apt") || equalFold(bare, "apartment") || equalFold(bare, "suite"):
		// "Apt. 461", "Suite 318"
		q := skipSpaces(text, w, limit)
		if e := unitNumber(text, q, limit); e > q && isDigit(text[q]) {
			return e, true
		}
	case inSet(&streetPrefixes, bare) && (isUpperAt(text, p) || word == "ul." || word == "al."):
		// Polish writes "ul." and "al." in lower case.
		// "Via Roma 131"
		e, words := nameWords(text, skipSpaces(text, w, limit), limit, 5)
		if words == 0 {
			break
		}
		q := skipSpaces(text, e, limit)
		if n := houseNumber(text, q, limit); n > q {
			return n, true
		}
	case !isUpperAt(text, p) && !cue:
	case cue && !isUpperAt(text, p):
		// After an address context: "heiligengeistbrücke 77", "ul. miła 53".
		e, words := looseWords(text, p, limit, 4)
		if q := skipSpaces(text, e, limit); words > 0 && q == e+1 {
			if n := houseNumber(text, q, limit); n > q {
				return n, true
			}
		}
	default:
		// "Hauptstraße 12", or "Koepenicker Str. 74": a street word and a
		// number; the number is looked for first, it is cheap.
		if w < limit && text[w] == '.' && hasSuffixFold(word, "str") {
			w++ // "Hauptstr. 5"
			word = text[p:w]
		}
		q := skipSpaces(text, w, limit)
		if q > w && q < limit && isDigit(text[q]) {
			if n := houseNumber(text, q, limit); n > q && (cue || streetEnding(word)) {
				return n, true // "Hauptstraße 12", "Dalbraut 99" after "lives at"
			}
			break
		}
		w2, _ := enWord(text, q, limit)
		q2 := skipSpaces(text, w2, limit)
		if w2 > q && q > w && q2 > w2 && q2 < limit && isDigit(text[q2]) &&
			(streetEnding(text[q:w2]) || inSet(&streetWords, text[q:w2])) { // "Villacher Strasse 89"
			if n := houseNumber(text, q2, limit); n > q2 {
				return n, true
			}
		}
		// Name words and a number, "Unter den Linden 77": a street only
		// if a postcode, region or country follows.
		e, words := nameWords(text, p, limit, 4)
		if q := skipSpaces(text, e, limit); words > 0 && q == e+1 {
			if n := houseNumber(text, q, limit); n > q {
				return n, cue // "Slovenčeva 51" after "lives at"
			}
		}
		if !cue {
			break
		}
		// "Árpád fejedelem útja 62", "Pod Floriánem 1677".
		e, words = looseWords(text, p, limit, 4)
		if q := skipSpaces(text, e, limit); words > 0 && q == e+1 {
			if n := houseNumber(text, q, limit); n > q {
				return n, true
			}
		}
	}
	return 0, false
}

// numberedStreet reads "664 Queen's Road", "12 Rue de Rivoli", "1-2-3
// Shibuya" at the house number p.
func numberedStreet(text string, p, limit int, cue bool) (int, bool) {
	n := houseNumber(text, p, limit)
	if n == p || n >= limit || text[n] != ' ' {
		return 0, false
	}
	q := skipSpaces(text, n, limit)
	double := false
	if h := houseNumber(text, q, limit); h > q && h < limit && text[h] == ' ' {
		q = skipSpaces(text, h, limit) // "1987 74 Diakou Street"
		double = true
	}
	// An optional direction: "123 N Main St".
	if w, _ := enWord(text, q, limit); w > q && direction(text[q:w]) {
		if q2 := skipSpaces(text, w, limit); q2 > w {
			q = q2
		}
	}
	w0 := streetWord(text, q, limit)
	if cue && inSet(&notStreet, text[q:w0]) {
		return 0, false // "delivered on 12 May"
	}
	prefix := w0 > q && (inSet(&streetPrefixes, text[q:w0]) || inSet(&streetPrefixes, strings.TrimSuffix(text[q:w0], ".")))
	if w0 == q || w0 < limit && isAlnum(text[w0]) || !isUpperAt(text, q) && !ordinal(text[q:w0]) && !prefix &&
		!(cue && !stopWord(text[q:w0])) {
		return 0, false
	}
	if prefix {
		// "12 Rue de Rivoli", and in lower case "12 rue de la Paix" if a
		// capitalised word names the street.
		nq := skipSpaces(text, w0, limit)
		e, words := nameWords(text, nq, limit, 5)
		if words > 0 && (isUpperAt(text, q) || capitalIn(text, nq, e)) {
			// "86036 Rua do Arenque 1634"
			if q := skipSpaces(text, e, limit); q == e+1 {
				if h := houseNumber(text, q, limit); h > q {
					e = h
				}
			}
			return e, true
		}
	}
	// Name words, then the last suffix among them; one word at least is
	// capitalised ("5th Avenue", not "5th st").
	end, suffixEnd, capital := q, 0, false
	for k, pos := 0, q; k < 6; k++ {
		w := streetWord(text, pos, limit)
		if w == pos || w < limit && isAlnum(text[w]) {
			break
		}
		word := text[pos:w]
		upper := isUpperAt(text, pos)
		suffix := k > 0 && (streetSuffix(word) || inSet(&streetWords, word)) // "Trenerys gate"
		if !upper && !ordinal(word) && !connector(word) && !suffix && !(cue && !stopWord(word)) {
			break
		}
		capital = capital || upper
		if (capital || cue) && (suffix || streetEnding(word)) {
			suffixEnd = w // "Diakou Street", "Koskikatu"
		}
		end = w
		next := skipSpaces(text, w, limit)
		if next == w || next-w > 1 {
			break
		}
		pos = next
	}
	if suffixEnd > 0 {
		e := suffixEnd
		// A direction or a number after the suffix: "Avenue 3", "St NW".
		q := skipSpaces(text, e, limit)
		if q == e+1 {
			if h := houseNumber(text, q, limit); h > q {
				e = h
			} else if w, _ := enWord(text, q, limit); w > q && direction(text[q:w]) {
				e = w
			}
		}
		return e, true
	}
	if end == q || !capital && !cue {
		return 0, false
	}
	// No suffix: number, name and maybe another number ("172 Maneeži 75").
	e := end
	if q := skipSpaces(text, e, limit); q == e+1 {
		if h := houseNumber(text, q, limit); h > q {
			e = h
		}
	}
	if !capital && e == end && !double {
		return 0, false // "at 5 pm"
	}
	// After an address context: "9816 214 Pavlou Drandaki", "74678
	// midtvollen 130".
	return e, cue && (capital || double || e > end)
}

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
			return true
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
