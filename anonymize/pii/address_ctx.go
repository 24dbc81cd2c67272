package pii

// Addresses read from their context. A street written as a name and a
// number ("Slovenčeva 51", "Pod Floriánem 1677"), in lower case
// ("heiligengeistbrücke 77", "74678 midtvollen 130") or without a suffix
// ("9816 214 Pavlou Drandaki") is no address by its shape alone: it is one
// after words that announce a place ("lives at", "sent to", "the corner
// of", "The address of X is"). Each number of the text is looked at: the
// street it ends or begins starts at most four words before it, right
// after an anchor (at, to, of, in, on, is, ':') that follows a trigger
// word (address, lives, located, corner …) within eight words.
//
// Also read from the numbers: a postcode after "ZIP:" or "postcode", and a
// US military address ending in "FPO AE 12382", with the ship or the
// "Unit 1009 Box 0219" line before it.

// contextAddress tries the street that holds the digit run at i, read
// from an address context; ok is false if none.
func contextAddress(text string, i int, spans []Span) (Span, bool) {
	limit := nextSpan(spans, i, len(text))
	if e, ok := zipAfterCue(text, i, limit); ok {
		return Span{Address, i, e}, true
	}
	if s, ok := militaryAt(text, i, spans); ok {
		return s, true
	}
	// The starts of the up to four words before i on its line, farthest
	// first: the longest street wins.
	var starts [5]int
	n := 0
	starts[n], n = i, 1
	for p := i; n < 5; {
		q := p
		for q > 0 && text[q-1] == ' ' {
			q--
		}
		if q == p || q == 0 || spanEdge(spans, q) {
			break
		}
		s := wordStartBefore(text, q)
		if s == q || isDigit(text[s]) || stopWord(text[s:q]) {
			break // an earlier number was tried from itself
		}
		starts[n], n, p = s, n+1, s
	}
	if s, ok := blockAddress(text, i, limit); ok {
		return s, true
	}
	for k := n - 1; k >= 0; k-- {
		s := starts[k]
		if s > 0 && inSpans(spans, s-1) && !spanEdge(spans, s) {
			continue
		}
		// Only the farthest start may follow an anchor: the walk back
		// stopped there (the context is looked for once, it costs).
		corner, ok := false, false
		if k == n-1 {
			corner, ok = addrContext(text, s)
		}
		if !ok {
			if w := text[s:min(s+3, i)]; w == "ul." || w == "al." { // "Hanne and ul. Miła 53"
				if sp, ok := enAddressAt(text, s, spans, false); ok && sp.End > i {
					return sp, true
				}
			}
			continue
		}
		sp, ok := enAddressAt(text, s, spans, true)
		if !ok || sp.End <= i {
			continue
		}
		if corner {
			sp.End = cornerEnd(text, sp.End, nextSpan(spans, sp.End, len(text)))
		}
		return sp, true
	}
	return Span{}, false
}

// wordStartBefore returns the start of the word (letters of any script,
// digits, inner ' . -) that ends at q, or q if none.
func wordStartBefore(text string, q int) int {
	s := q
	for s > 0 {
		c := text[s-1]
		if isAlnum(c) || c >= 0x80 || c == '.' || c == '\'' || c == '-' {
			if s--; q-s > 40 {
				return q // no word of a street: Chinese text, a long token
			}
			continue
		}
		break
	}
	s0 := s
	for s < q && (text[s] == '.' || text[s] == '-' || text[s] == '\'') {
		s++
	}
	if gluedToPlaceholder(text, s0) {
		return q // "<ADDRESS_1>address": the raw text had "053address", no word
	}
	return s
}

// stopWord reports whether w ends a street name read backwards: a word of
// the sentence, not of the street.
func stopWord(w string) bool { return inSet(&addrStops, w) || inSet(&addrAnchors, w) }

var (
	// addrAnchors stand right before an address.
	addrAnchors = wordSet(`at to of in on is`)
	// addrTriggers announce a place within the words before an anchor.
	addrTriggers = wordSet(`address addresses addr live lives living lived located meet drops drop
dropped sent send ship shipped deliver delivered return returned mail mailed corner moved office offices
restaurant arrived stop reside resides headquarters hq station`)
	addrStops = wordSet(`and or but the a an for with from was are be by near please thanks
then my your our his her their this that it i we you he she they me us him them within after before
about around under over until till than every each per only just about gate door terminal platform
page chapter hour hours minute minutes mins day days week weeks month months year years pm am number
no item items size version model times people persons pieces pcs percent table seat row home work
school store shop station airport hospital hotel`)
	// notStreet are words that take a number but name no street: a date,
	// a product, a place inside a building ("Windows 11", "May 5", "Gate 12").
	notStreet = wordSet(`january february march april may june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
friday saturday sunday mon tue wed thu fri sat sun today tomorrow windows iphone ipad galaxy pixel
playstation ps xbox switch series model version chapter route room gate terminal level platform
size page step part season episode volume vol vat covid win mac macbook office android ios firefox
chrome edge day week year hour minute top pack set kit building floor mile km exit bus line flight
train plan`)
)

// addrContext reports whether an address context ends right before p,
// and whether it is "corner of".
func addrContext(text string, p int) (corner, ok bool) {
	q, lines := p, 0
	back := func() { // skips blanks (and '>' quoting) back from q
		for q > 0 {
			switch text[q-1] {
			case '\n':
				lines++
			case ' ', '\t', '\r', '>':
			default:
				return
			}
			q--
		}
	}
	back()
	if lines > 1 || q == 0 {
		return false, false
	}
	if text[q-1] == ':' { // "Address:", "my address to the same:"
		q--
		for k := 0; k < 6 && q > 0; k++ {
			for q > 0 && text[q-1] == ' ' {
				q--
			}
			s := wordStartBefore(text, q)
			if s == q {
				break
			}
			if hasPrefixFold(text[s:q], "address") {
				return false, true
			}
			q = s
		}
		return false, false
	}
	s := wordStartBefore(text, q)
	if lines == 1 && labelLine(text, q) {
		return false, true // "Billing address: Name\n764 Fagradalsbraut 71"
	}
	if s == q || !inSet(&addrAnchors, text[s:q]) && !hasPrefixFold(text[s:q], "address") {
		return false, false
	}
	if equalFold(text[s:q], "of") {
		// Only "the corner of", "the north side of": "ship the Pack Of 12
		// Tissues" names no place.
		r := s
		for r > 0 && text[r-1] == ' ' {
			r--
		}
		w := text[wordStartBefore(text, r):r]
		return equalFold(w, "corner"), equalFold(w, "corner") || equalFold(w, "side")
	}
	for k := 0; k < 8 && s > 0; k++ {
		if inSet(&addrTriggers, text[s:q]) {
			return false, true
		}
		q = s
		for q > 0 && (text[q-1] == ' ' || text[q-1] == ',' || text[q-1] == '?' || text[q-1] == '\n') {
			if text[q-1] == '\n' {
				lines++
			}
			q--
		}
		if lines > 1 || q == 0 {
			break
		}
		s = wordStartBefore(text, q)
		if s == q {
			break
		}
	}
	return false, s < q && inSet(&addrTriggers, text[s:q])
}

// cornerEnd extends a street after "the corner of" over " and" and the
// street that crosses it: "Nieuwe Baan 473 St. and Inna Loop St.".
func cornerEnd(text string, end, limit int) int {
	p := end
	if q := skipSpaces(text, p, limit); q == p+1 { // "473 St."
		if w, _ := enWord(text, q, limit); w > q && streetSuffix(text[q:w]) {
			p = w
		}
	}
	q := skipSpaces(text, p, limit)
	w, _ := enWord(text, q, limit)
	if q == p || !equalFold(text[q:w], "and") {
		return end
	}
	q = skipSpaces(text, w, limit)
	if e, strong := enStreet(text, q, limit, false); e > 0 && strong {
		return e
	}
	e, words := nameWords(text, q, limit, 3)
	if le, lw := looseWords(text, q, limit, 3); lw > 0 && le > e {
		if ws := wordStartBefore(text, le); streetSuffix(text[ws:le]) {
			e, words = le, lw // "heiligengeistbrücke 77 and minik courts"
		}
	}
	if words == 0 || e < limit && !isBlank(text[e]) && text[e] != '.' && text[e] != ',' && text[e] != '?' {
		return end
	}
	return e
}

// zipAfterCue reads a postcode at i after "ZIP:", "zip code", "postcode",
// "postal code" and returns its end.
func zipAfterCue(text string, i, limit int) (int, bool) {
	q := i
	for q > 0 && (text[q-1] == ' ' || text[q-1] == ':' || text[q-1] == '#') {
		q--
	}
	s := wordStartBefore(text, q)
	if s == q || i-q > 4 {
		return 0, false
	}
	w := text[s:q]
	if equalFold(w, "code") {
		r := s
		for r > 0 && text[r-1] == ' ' {
			r--
		}
		s2 := wordStartBefore(text, r)
		if r == s || !equalFold(text[s2:r], "zip") && !equalFold(text[s2:r], "postal") &&
			!equalFold(text[s2:r], "post") {
			return 0, false
		}
	} else if !inSet(&zipCues, w) {
		return 0, false
	}
	if e := postcode(text, i, limit); e > i {
		return e, true
	}
	return 0, false
}

var zipCues = wordSet(`zip zipcode postcode plz`)

// militaryAt reads a US military address whose ZIP is the digit run at i:
// "FPO AE 12382", with the line before it if that names a ship ("USS
// Mahler") or a unit ("Unit 1009 Box 0219", "PSC 0413, Box 8144").
func militaryAt(text string, i int, spans []Span) (Span, bool) {
	p := i - 7
	if p < 0 || military(text, p, len(text)) != i+5 || p > 0 && isAlnum(text[p-1]) {
		return Span{}, false
	}
	end := i + 5
	start := p
	// The line before: "USS Mahler\n", "unit 1009 box 0219,\n".
	q := p
	for q > 0 && (text[q-1] == ' ' || text[q-1] == ',' || text[q-1] == '>') {
		q--
	}
	if q > 0 && (text[q-1] == '\n' || q < p) {
		e := q
		if text[q-1] == '\n' {
			e = q - 1
		}
		ls := e
		for ls > 0 && text[ls-1] != '\n' {
			ls--
		}
		for ls < e && (text[ls] == ' ' || text[ls] == '>' || text[ls] == '\t') {
			ls++
		}
		// "USS Mahler", "located at USNS Møller": the first unit word.
		for w := ls; w < e; {
			we, _ := enWord(text, w, e)
			if we > w && inSet(&militaryUnits, text[w:we]) {
				start = w
				break
			}
			if we == w {
				we++
			}
			w = we
		}
	}
	if overlapsSorted(spans, start, end) {
		return Span{}, false
	}
	return Span{Address, start, end}, true
}

// militaryUnits open the line before an APO/FPO/DPO line.
var militaryUnits = wordSet(`uss usns usnv uscgc psc cmr unit`)

// labelLine reports whether the line that ends at q holds an address
// label: "Billing address: Name".
func labelLine(text string, q int) bool {
	ls := q
	for ls > 0 && text[ls-1] != '\n' && q-ls < 80 {
		ls--
	}
	k := indexFold(text[ls:q], "address")
	if k < 0 {
		return false
	}
	r := ls + k + len("address")
	return r < q && text[r] == ':'
}

// blockAddress reads a street in any case that opens a line of an address
// block, at the digit run i: only if a unit, city, postcode or country
// line follows, one of them strong ("98 árpád fejedelem útja 45.\n apt.
// 614\n pomáz\n\n tunisia 13222").
func blockAddress(text string, i, limit int) (Span, bool) {
	q := i
	for q > 0 && i-q < 8 && (text[q-1] == ' ' || text[q-1] == '\t' || text[q-1] == '>' || text[q-1] == '?' ||
		text[q-1] == '*' || text[q-1] == '-') {
		q--
	}
	if q > 0 && text[q-1] != '\n' {
		return Span{}, false
	}
	e, _ := numberedStreet(text, i, limit, true)
	if e == 0 {
		return Span{}, false
	}
	if e < limit && text[e] == '.' {
		e++ // "útja 45."
	}
	end, strong, parts := enTail(text, e, limit)
	if strong == 0 || parts < 2 {
		return Span{}, false
	}
	return Span{Address, i, end}, true
}

// unitBefore returns the start of a unit that stands right before a street
// at p ("Flat 3, 12 High Street", "Unit 5/23 Smith St"), or p.
func unitBefore(text string, p int, spans []Span) int {
	q := p
	if q > 2 && text[q-1] == ' ' && text[q-2] == ',' {
		q -= 2
	} else if q > 1 && text[q-1] == ' ' {
		q--
	} else {
		return p
	}
	n := q // the unit's number ends at q, or its word does ("Unit 5/23")
	for n > 0 && (isAlnum(text[n-1]) || text[n-1] == '/' || text[n-1] == '-') && q-n < 8 {
		n--
	}
	if n == q {
		return p
	}
	if w := text[n:q]; inSet(&unitWords, w) && q == p-1 && equalFold(w, "unit") {
		if !overlapsSorted(spans, n, p) && (n == 0 || !isAlnum(text[n-1])) {
			return n // "Unit 5/23 Smith St": the street starts at its number
		}
		return p
	}
	if !isDigit(text[q-1]) || n < 2 || text[n-1] != ' ' {
		return p
	}
	s := wordStartBefore(text, n-1)
	if s == n-1 || !inSet(&unitWords, text[s:n-1]) || !isUpperAt(text, s) ||
		s > 0 && isAlnum(text[s-1]) || overlapsSorted(spans, s, p) {
		return p
	}
	return s
}

// quantityBefore reports whether the number at i counts goods: "Pack of
// 6", "Set 3", "Box of 12".
func quantityBefore(text string, i int) bool {
	q := i
	for q > 0 && text[q-1] == ' ' {
		q--
	}
	if q == i {
		return false
	}
	s := wordStartBefore(text, q)
	return s < q && inSet(&quantityWords, text[s:q])
}

var quantityWords = wordSet(`of set sets pack packs pk box boxes case lot bundle x qty quantity pcs
pieces`)

// gluedToPlaceholder reports whether the word at s follows a placeholder
// with no blank ("<ADDRESS_1>address"): in the text before redaction it
// was glued to a value, no word of its own, and must stay so for Find to
// be a fixpoint.
func gluedToPlaceholder(text string, s int) bool {
	return s >= 2 && text[s-1] == '>' && isDigit(text[s-2])
}
