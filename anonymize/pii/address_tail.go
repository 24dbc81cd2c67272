package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The tail of an English address: the parts after the street, each after a
// comma, blanks or a line break: a unit ("Apt 5B", "#12-34"), a postcode
// (US, UK, Canadian, Japanese, Dutch, or 4–6 digits), a region code (IL, NSW,
// ON), a US military line (APO AA 42323), a country, a city.

// enTail reads the parts after a street; it returns their end, how many
// are strong (postcode, region code, country) and how many there are.
func enTail(text string, p, limit int) (end, strong, parts int) {
	end = p
	afterPostcode := false
	for k := 0; k < 7; k++ {
		q, comma := tailSep(text, end, limit)
		if q == end && k > 0 || q >= limit {
			break
		}
		comma = comma || afterPostcode // "75001 Paris", "Apt. 584 HEILIGENBRUNN France"
		afterPostcode = false
		if e := paren(text, q, limit); e > q { // "Cyprus (Greek)"
			end = e
			continue
		}
		if e := unitPart(text, q, limit); e > q {
			end, parts = e, parts+1
			afterPostcode = true
			continue
		}
		if e := postcode(text, q, limit); e > q {
			end, parts, strong = e, parts+1, strong+1
			afterPostcode = true
			continue
		}
		if e := military(text, q, limit); e > q {
			end, parts, strong = e, parts+1, strong+1
			continue
		}
		if e := regionCode(text, q, limit); e > q {
			end, parts, strong = e, parts+1, strong+1
			continue
		}
		if e := country(text, q, limit); e > q {
			end, parts, strong = e, parts+1, strong+1
			continue
		}
		if comma {
			if e := city(text, q, limit); e > q {
				end, parts = e, parts+1
				continue
			}
			if e := lowerCity(text, q, limit); e > q {
				end, parts = e, parts+1
				continue
			}
		}
		break
	}
	return end, strong, parts
}

// tailSep skips the separator before a tail part: a comma and blanks, or
// blanks and line breaks. comma reports a comma or line break.
func tailSep(text string, p, limit int) (int, bool) {
	q, comma := p, false
	for q < limit && q-p <= 8 {
		switch text[q] {
		case ',', '\n':
			comma = true
		case ' ', '\t', '>':
		case '?', '*', '-': // a quote or bullet mark that opens a line: "\n??? Suite 380"
			if !comma {
				return q, comma
			}
		case '.': // "Piroska u. 97.\nPorto Alegre", "Belgrád rkp. 18. Apt. 417"
			if q > p || q+1 >= limit || text[q+1] != '\n' && text[q+1] != ' ' || p == 0 || !isDigit(text[p-1]) {
				return q, comma
			}
		default:
			return q, comma
		}
		q++
	}
	if q-p > 8 {
		return p, false
	}
	return q, comma
}

func unitPart(text string, p, limit int) int {
	if p < limit && text[p] == '#' {
		if e := unitNumber(text, p+1, limit); e > p+1 {
			return e
		}
		return 0
	}
	w, _ := enWord(text, p, limit) // "Apt. 5", "apt. 614"
	if w == p || !inSet(&unitWords, text[p:w]) {
		return 0
	}
	q := skipSpaces(text, w, limit)
	if q < limit && text[q] == '#' {
		q++
	}
	if e := unitNumber(text, q, limit); e > q {
		return e
	}
	return 0
}

// unitNumber reads "5B", "12-34", "808" at p.
func unitNumber(text string, p, limit int) int {
	q, digits := p, 0
	for q < limit && (isAlnum(text[q]) || text[q] == '-') && q-p < 8 {
		if isDigit(text[q]) {
			digits++
		}
		q++
	}
	if digits == 0 || q < limit && isAlnum(text[q]) {
		return p
	}
	for q > p && text[q-1] == '-' {
		q--
	}
	return q
}

// postcode reads a postcode at p: US ZIP (62704, 62704-1234), UK (EH1 1VT),
// Canadian (M5V 2A1), Japanese (150-0002), Dutch (1012 PH) or 4–6 digits.
func postcode(text string, p, limit int) int {
	q := p
	for q < limit && isDigit(text[q]) {
		q++
	}
	if n := q - p; n > 0 {
		switch {
		case (n == 5 || n == 3) && q+5 <= limit && text[q] == '-' && allDigits(text[q+1:q+5]):
			q += 5 // ZIP+4, Japanese 150-0002
		case (n == 4 || n == 2) && q+4 <= limit && text[q] == '-' && allDigits(text[q+1:q+4]):
			q += 4 // Portuguese 1100-053, Polish 00-590
		case n == 3 && q+4 <= limit && text[q] == ' ' && allDigits(text[q+1:q+3]) &&
			text[q+3] == ' ' && isUpperAt(text, q+4):
			q += 3 // Swedish, Czech, Slovak, Greek before the city: 111 43 Stockholm
		case n < 4 || n > 6:
			return p
		}
		if n == 4 && q+3 <= limit && text[q] == ' ' && isUpper(text[q+1]) && isUpper(text[q+2]) &&
			(q+3 == limit || !isAlnum(text[q+3])) {
			return q + 3 // Dutch: 1012 PH
		}
		if q < limit && isAlnum(text[q]) {
			return p
		}
		return q
	}
	if e := ukPostcode(text, p, limit); e > p {
		return e
	}
	if p < limit && text[p] >= 'a' && text[p] <= 'z' { // in lower case: "sw1a 2aa"
		n := min(limit-p, 9)
		if e := ukPostcode(strings.ToUpper(text[p:p+n]), 0, n); e > 0 && strings.ToLower(text[p:p+e]) == text[p:p+e] {
			return p + e
		}
	}
	// Canadian: A1A 1A1.
	if p+7 <= limit && isUpper(text[p]) && isDigit(text[p+1]) && isUpper(text[p+2]) && text[p+3] == ' ' &&
		isDigit(text[p+4]) && isUpper(text[p+5]) && isDigit(text[p+6]) && (p+7 == limit || !isAlnum(text[p+7])) {
		return p + 7
	}
	return p
}

// ukPostcode reads a UK postcode at p: an outward code (A9, A99, AA9, AA99,
// A9A, AA9A), a blank and an inward code (9AA).
func ukPostcode(text string, p, limit int) int {
	q := p
	for q < limit && q-p < 2 && isUpper(text[q]) {
		q++
	}
	if q == p || q >= limit || !isDigit(text[q]) {
		return p
	}
	q++
	if q < limit && (isDigit(text[q]) || isUpper(text[q])) {
		q++
	}
	if q+4 > limit || text[q] != ' ' || !isDigit(text[q+1]) || !isUpper(text[q+2]) || !isUpper(text[q+3]) ||
		q+4 < limit && isAlnum(text[q+4]) {
		return p
	}
	return q + 4
}

// military reads "APO AA 42323" (APO, FPO or DPO, AA, AE or AP, a ZIP).
func military(text string, p, limit int) int {
	if p+12 > limit || text[p+3] != ' ' || text[p+6] != ' ' || !equalFold(text[p+1:p+3], "po") ||
		!strings.Contains("AFDafd", text[p:p+1]) || text[p+4]|0x20 != 'a' ||
		!strings.Contains("AEPaep", text[p+5:p+6]) {
		return p
	}
	// In one case: "FPO AE", "fpo ae".
	if isUpper(text[p]) != isUpper(text[p+1]) || isUpper(text[p]) != isUpper(text[p+4]) {
		return p
	}
	if e := postcode(text, p+7, limit); e == p+12 {
		return e
	}
	return p
}

func regionCode(text string, p, limit int) int {
	q := p
	for q < limit && isUpper(text[q]) && q-p < 4 {
		q++
	}
	if q == p || !regionCodes.has(text[p:q]) || q < limit && isAlnum(text[q]) {
		return p
	}
	// A region code stands before a postcode or ends the address.
	if r := skipSpaces(text, q, limit); r > q && postcode(text, r, limit) > r {
		return q
	}
	if q == limit || text[q] == ',' || text[q] == '\n' || text[q] == '.' {
		return q
	}
	return p
}

func country(text string, p, limit int) int {
	q := p
	for q < limit && isUpper(text[q]) && q-p < 4 {
		q++
	}
	if q > p && countryCodes.has(text[p:q]) && (q == limit || !isAlnum(text[q])) {
		return q
	}
	if p >= limit || !isLetter(text[p]) {
		return p
	}
	for _, n := range countriesBy[text[p]&^0x20-'A'] { // "Norway", "tunisia"
		if q == p && !hasPrefixFold(text[p:limit], strings.ToLower(n)) || q > p && !strings.HasPrefix(text[p:limit], n) {
			continue
		}
		if p+len(n) == limit || !isAlnum(text[p+len(n)]) {
			return p + len(n)
		}
	}
	return p
}

// countriesBy holds countryNames by first letter.
var countriesBy = func() (m [26][]string) {
	for _, n := range countryNames {
		m[n[0]-'A'] = append(m[n[0]-'A'], n)
	}
	return m
}()

// city reads 1–3 capitalised (or upper-case) words that end the address
// or stand before another part.
func city(text string, p, limit int) int {
	end := p
	for pos, words := p, 0; words < 5; words++ {
		w, _ := enWord(text, pos, limit)
		if w == pos || w < limit && isAlnum(text[w]) || inSet(&notCity, text[pos:w]) {
			break
		}
		if words > 0 && (country(text, pos, limit) > pos || regionCode(text, pos, limit) > pos) {
			break // "Moosleerau Switzerland", "Sindi PR"
		}
		if !isUpperAt(text, pos) {
			// "Frankfurt am Main", "Stratford upon Avon", "Ostrov nad Ohrí"
			if words == 0 || !connector(text[pos:w]) && w-pos > 3 {
				break
			}
		} else {
			end = w
		}
		if w+1 >= limit || text[w] != ' ' {
			break
		}
		pos = w + 1
	}
	if end == p {
		return p
	}
	if end == limit {
		return end
	}
	if q := end + 1; q < limit && text[end] == ' ' && isDigit(text[q]) {
		for q < limit && isDigit(text[q]) && q-end <= 3 {
			q++
		}
		if q-end <= 3 && (q == limit || text[q] == '\n' || text[q] == ',') {
			return q // a district: "Praha 1", "Kaplice 1"
		}
	}
	if e := paren(text, end+1, limit); e > end+1 && text[end] == ' ' {
		end = e // "ΑΣΚΕΙΑ (ΑΣΣΕΙΑ)"
		if end == limit {
			return end
		}
	}
	if r, _ := utf8.DecodeRuneInString(text[end:]); r >= 0x2E80 || r >= 0x80 && unicode.IsPunct(r) {
		return end // Chinese text or punctuation: "Paris；"
	}
	switch text[end] {
	case ',', '\n', '.', ';', '!', ')', '?':
		return end
	case ' ':
		q := end + 1
		if postcode(text, q, limit) > q || regionCode(text, q, limit) > q || country(text, q, limit) > q {
			return end
		}
	}
	return p
}

// notCity are capitalised words that start a sentence after an address,
// not a city.
var notCity = wordSet(`thanks thank please call email phone tel mobile regards cheers and or but the
i i'm my we you it this that is can could would will hi hello ok okay sorry also best kind sent`)

// lowerCity reads a city in lower case ("pomáz", "delmas") that ends its
// line or stands before a comma, if a postcode or a country follows.
func lowerCity(text string, p, limit int) int {
	end := p
	for pos, words := p, 0; words < 4; words++ {
		if words > 0 && country(text, pos, limit) > pos {
			break // "begunje na gorenjskem slovenia"
		}
		w, _ := enWord(text, pos, limit)
		if w == pos || w < limit && isAlnum(text[w]) || isUpperAt(text, pos) || inSet(&notCity, text[pos:w]) ||
			stopWord(text[pos:w]) {
			if words == 0 {
				return p
			}
			break
		}
		end = w
		if w+1 >= limit || text[w] != ' ' {
			break
		}
		pos = w + 1
	}
	q, sep := tailSep(text, end, limit)
	if (sep || q == end+1 && text[end] == ' ') && q+3 < limit && isLetter(text[q]) && isLetter(text[q+1]) &&
		text[q+2] == ' ' && regionCodes.has(strings.ToUpper(text[q:q+2])) {
		q, sep = q+3, true // "springfield il 62704", "springfield, il 62704"
	}
	if !sep && q != end+1 || q == end {
		return p
	}
	if postcode(text, q, limit) > q || country(text, q, limit) > q {
		return end
	}
	return p
}

// paren reads a short remark in brackets on its line after a part:
// "(Greek)", "(ΑΣΣΕΙΑ)".
func paren(text string, p, limit int) int {
	if p >= limit || text[p] != '(' || p == 0 || text[p-1] != ' ' {
		return p
	}
	for q := p + 1; q < limit && q-p < 32; q++ {
		switch text[q] {
		case ')':
			if q > p+1 {
				return q + 1
			}
			return p
		case '\n', '(':
			return p
		}
	}
	return p
}
