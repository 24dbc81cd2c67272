package ennames

import "unicode/utf8"

// The words around a run and what separates them from it.

// readBefore reads into tk the word that ends before p, and into tk.gapAfter
// what separates it from p. With none near, tk.shape is shapeNone and
// tk.gap tells why.
func readBefore(text string, p int, tk *tok, light bool) {
	*tk = tok{shape: shapeNone}
	q, gap := p, gapSpace
	for steps := 0; q > 0 && steps < 8; steps++ {
		if c := text[q-1]; c < utf8.RuneSelf { // most gaps: spaces and punctuation
			if asciiWord[c] || c == '>' {
				break
			}
			gap = stronger(gap, gapOf(text, q-1, rune(c)))
			q--
			continue
		}
		r, w := utf8.DecodeLastRuneInString(text[:q])
		if wordRune(r) && !han(r) {
			break
		}
		if han(r) || r >= 0x3000 {
			tk.gap = gapOther
			tk.gapAfter = gapOther
			return
		}
		gap = stronger(gap, gapOf(text, q-w, r))
		q -= w
	}
	tk.gapAfter = gap
	if q == 0 {
		tk.gap, tk.gapAfter = gapStart, stronger(gap, gapStart)
		return
	}
	r := rune(text[q-1])
	if r >= utf8.RuneSelf {
		r, _ = utf8.DecodeLastRuneInString(text[:q])
	}
	if !wordRune(r) || han(r) {
		if r == '>' {
			if s := lastIndexByte(text[:q], '<', 40); s >= 0 && placeholderEnd(text, s+1) == q {
				*tk = tok{start: s + 1, end: q - 1, shape: shapePH, ph: true, hash: phHash, gapAfter: gap}
				return
			}
		}
		tk.gap = gapOther
		return
	}
	s := wordStart(text, q)
	gapAfter := tk.gapAfter
	if light {
		readLight(text, s, q, tk)
	} else {
		readWord(text, s, tk)
	}
	tk.end = q // keep a possessive whole: it is context here
	tk.gapAfter = gapAfter
	if gapAfter == gapSentence && (tk.gaz&gazTitle != 0 || tk.initial) {
		tk.gapAfter = gapSpace // "Mr. Lee", "J. Smith": no new sentence
	}
}

// readAfter reads into tk the word that starts after p and its gap.
func readAfter(text string, p int, tk *tok, light bool) {
	*tk = tok{shape: shapeNone}
	q, gap := p, gapSpace
	for steps := 0; q < len(text) && steps < 8; steps++ {
		if c := text[q]; c < utf8.RuneSelf { // most gaps: spaces and punctuation
			if asciiWord[c] || c == '<' && placeholderEnd(text, q+1) > 0 {
				break
			}
			gap = stronger(gap, gapOf(text, q, rune(c)))
			q++
			continue
		}
		r, w := utf8.DecodeRuneInString(text[q:])
		if wordRune(r) && !han(r) {
			break
		}
		if han(r) || r >= 0x3000 {
			tk.gap = gapOther
			return
		}
		gap = stronger(gap, gapOf(text, q, r))
		q += w
	}
	if q >= len(text) {
		tk.gap = stronger(gap, gapSentence)
		return
	}
	if text[q] == '<' {
		if e := placeholderEnd(text, q+1); e > 0 {
			*tk = tok{start: q + 1, end: e - 1, shape: shapePH, ph: true, hash: phHash, gap: gap}
		} else {
			tk.gap = gapOther // a '<' the gap loop stopped at
		}
		return
	}
	r := rune(text[q])
	if r >= utf8.RuneSelf {
		r, _ = utf8.DecodeRuneInString(text[q:])
	}
	if !wordRune(r) || han(r) {
		tk.gap = gapOther
		return
	}
	if light {
		readLight(text, q, wordEnd(text, q), tk)
	} else {
		readWord(text, q, tk)
	}
	tk.gap = gap
}

// gapOf classifies the separator r at q.
func gapOf(text string, q int, r rune) uint8 {
	switch r {
	case ' ', '\t':
		return gapSpace
	case '\n', '\r':
		return gapLine
	case '.', '!', '?':
		return gapSentence
	case ',', ';':
		return gapComma
	case ':':
		return gapColon
	case '"', '\'', '(', '[', '{', '-', '\u201c', '\u201d', '\u2018', '\u2019', '\u2013', '\u2014', '*', '>':
		return gapOpen
	}
	return gapOther
}

// stronger returns the gap that says more: a line break over a full stop
// over a colon over a comma over a quote over a space.
func stronger(a, b uint8) uint8 {
	if gapRank[b] > gapRank[a] {
		return b
	}
	return a
}

var gapRank = [...]uint8{gapSpace: 0, gapOpen: 1, gapOther: 2, gapComma: 3, gapColon: 4, gapSentence: 5, gapLine: 6, gapStart: 7}

func lastIndexByte(s string, c byte, limit int) int {
	for i := len(s) - 1; i >= 0 && i >= len(s)-limit; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}
