package pii

import "strings"

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
//	Slovenčeva 51               name, number: only after an address context
//	                            (address_ctx.go), as are streets in lower case
//
// "Apt. 461" and "Suite 318" standing alone are addresses too; so is a US
// military line (FPO AE 12382) with the ship or unit line before it, and
// an address block in any case whose unit, city and country lines follow.

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
				prev == '/', prev == '_', prev == '+', gluedToPlaceholder(text, i):
				continue
			}
		}
		if inSpans(spans, i) || isUpper(c) && !mayOpenStreet(text, i) {
			continue
		}
		if isDigit(c) && quantityBefore(text, i) {
			continue // "Pack Of 6 Sweetie Gift Boxes", "Set 3 Wicker Oval Baskets"
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
	if w, _ := enWord(text, p, limit); strong && inSet(&unitWords, text[p:w]) {
		// The unit first, then the street: "flat 2, 14 baker street".
		if q, _ := tailSep(text, end, limit); q > end && q < limit && isDigit(text[q]) {
			if e, ok := enStreet(text, q, limit, cue); e > 0 && ok {
				end = e
			}
		}
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
			if n := houseNumber(text, q, limit); n > q && houseAfterName(text, q, n, limit) {
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
			if n := houseNumber(text, q, limit); n > q && (streetEnding(word) || cue && houseAfterName(text, q, n, limit)) {
				return staircase(text, n, limit), true // "Hauptstraße 12", "Dalbraut 99" after "lives at"
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
				return n, cue && houseAfterName(text, q, n, limit) // "Slovenčeva 51" after "lives at"
			}
		}
		if !cue {
			break
		}
		// "Árpád fejedelem útja 62", "Pod Floriánem 1677".
		e, words = looseWords(text, p, limit, 4)
		if q := skipSpaces(text, e, limit); words > 0 && q == e+1 {
			if n := houseNumber(text, q, limit); n > q && houseAfterName(text, q, n, limit) {
				return n, true
			}
		}
	}
	return 0, false
}

// houseAfterName reports whether text[q:n], after a name with no street
// word, reads as a house number: no year ("moved to Berlin 2025") and no
// count ("sent to Amazon 3 times"): the next word, if any, is capitalised
// or a word that may follow an address (in, and, St., Apt).
func houseAfterName(text string, q, n, limit int) bool {
	if n-q == 4 && (text[q:q+2] == "19" && text[q+2] >= '5' || text[q:q+2] == "20" && text[q+2] <= '3') {
		return false
	}
	if n+1 >= limit || text[n] != ' ' {
		return true
	}
	w, _ := enWord(text, n+1, limit)
	if w == n+1 || isUpperAt(text, n+1) {
		return true
	}
	word := text[n+1 : w]
	return inSet(&addrFollowers, word) || streetSuffix(word) || inSet(&unitWords, word)
}

// addrFollowers may follow an address in a sentence.
var addrFollowers = wordSet(`in at on and or near by for from to with please thanks thank then but
so if when where which after before since tomorrow today tonight is was`)

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
