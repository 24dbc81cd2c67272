package pii

// Post office boxes are read from their cue (cue.go): "PO Box", "P.O. Box",
// "Post Office Box", "Postfach", "Postbus", "Postboks".

// poBoxAt reads a post office box from its cue: "PO Box 1234", "P.O. Box
// 77, Springfield", "Postfach 10 12 34", then the tail of an address.
func poBoxAt(text string, h hit, spans []Span) (Span, bool) {
	limit := nextSpan(spans, h.start, len(text))
	if h.end > limit || h.start > 0 && isWordByte(text[h.start-1]) {
		return Span{}, false
	}
	p := skipSpaces(text, h.end, limit)
	if p < limit && text[p] == '#' {
		p++
	} else if e, ok := matchFold(text, p, "no."); ok {
		p = skipSpaces(text, e, limit)
	}
	// Digits in groups split by single blanks, 10 digits at most.
	q, n := p, 0
	for q < limit && n < 10 {
		if isDigit(text[q]) {
			q, n = q+1, n+1
			continue
		}
		if text[q] == ' ' && q > p && q+1 < limit && isDigit(text[q+1]) && isDigit(text[q-1]) {
			q++
			continue
		}
		break
	}
	if n == 0 || q < limit && isAlnum(text[q]) {
		return Span{}, false
	}
	end, _, _ := enTail(text, q, limit)
	return Span{Address, h.start, end}, true
}
