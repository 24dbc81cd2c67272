package ennames

import (
	"unicode"
	"unicode/utf8"
)

// Span is a person's name in a text: text[Start:End], byte offsets.
type Span struct{ Start, End int }

// Append appends the person names of text to dst, in order and without
// overlaps, and returns the extended slice. It allocates nothing when it
// finds nothing.
func Append(dst []Span, text string) []Span {
	return appendWith(model(), dst, text)
}

// appendWith is Append with the weights w.
func appendWith(w []int16, dst []Span, text string) []Span {
	var win window
	m := memo{lastStart: -1}
	if shouting(text) {
		// Capitals say nothing there, and product titles are often
		// shouted ("HERB MARKER ROSEMARY"): only names of two words or more.
		return appendLower(w, dst, text, &m, caseShout)
	}
	caps := false
	for p := nextCandidate(text, 0); p < len(text); p = nextCandidate(text, p) {
		caps = caps || !pronounI(text, p)
		end, ok := nextRun(text, p, &win)
		if ok {
			var names [maxRun]bool
			tagRun(w, text, &win, &m, &names)
			dst = appendSpans(dst, &win, &names)
		}
		p = end
	}
	if !caps {
		return appendLower(w, dst, text, &m, caseLower)
	}
	return dst
}

// shouting reports whether text has capital ASCII letters and no small
// ones: "CAN I SPEAK TO A REAL PERSON". Most texts answer at their first
// letters.
func shouting(text string) bool {
	upper := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case 'a' <= c && c <= 'z':
			return false
		case 'A' <= c && c <= 'Z':
			upper = true
		}
	}
	return upper
}

// appendLower reads a text without capitals ("my name is vitoria",
// "follow up with monika žilková"): a run starts at a word of a name list
// that no common list holds, or after a title ("mr. elliott"), and the
// model, which was also trained on such texts, decides.
func appendLower(w []int16, dst []Span, text string, m *memo, mode int) []Span {
	var win window
	for p := 0; p < len(text); {
		end, ok := nextLowerRun(text, p, &win, mode)
		if ok && (mode != caseShout || win.n >= 2) {
			var names [maxRun]bool
			tagRun(w, text, &win, m, &names)
			dst = appendSpans(dst, &win, &names)
		}
		p = end
	}
	return dst
}

// nextLowerRun finds the next word at or after p where a name may start
// in a text without capitals, reads the run there into win and reports
// true; or returns len(text) and false. A name may start at a word of a
// name list that no common list holds, or after a title ("mr. elliott").
// Most words are passed over after a look at their first letters.
func nextLowerRun(text string, p int, win *window, mode int) (end int, ok bool) {
	title := false // the word before is a title
	for p < len(text) {
		c := text[p]
		if c >= 0xE2 { // three- and four-byte runes: Chinese, punctuation, symbols
			p = min(p+int(byteClass[c]), len(text))
			title = false
			continue
		}
		var e int
		var h uint64
		if c >= utf8.RuneSelf {
			r, w := utf8.DecodeRuneInString(text[p:])
			if !unicode.IsLetter(r) || han(r) {
				p += w
				title = false
				continue
			}
		} else if !asciiWord[c] || c <= '9' {
			title = title && (c == ' ' || c == '.')
			p++
			continue
		} else {
			// An ASCII word: most words of a chat line.
			q := p
			for q < len(text) && text[q] < utf8.RuneSelf && asciiWord[text[q]] {
				q++
			}
			if q == len(text) || text[q] < utf8.RuneSelf && text[q] != '\'' && text[q] != '-' {
				if q-p <= 2 {
					title = shortTitle(text[p:q]) // "is", "my", "ok": too short for a name here
					p = q
					continue
				}
				if !title && !mayBeName(text, p, q) {
					p = q
					continue
				}
				e, h = q, hashFold(text, p, q)
			}
		}
		if h == 0 {
			e = wordEnd(text, p)
			h = hashFold(text, p, e)
		}
		g := gazetteer.get(h)
		start := g&gazCommon == 0 && (title || g&(gazGiven|gazSurname) != 0)
		if start && (p == 0 || text[p-1] != '<') {
			return readRunCase(text, p, win, mode), true
		}
		title = g&gazTitle != 0
		p = e
	}
	return len(text), false
}

// shortTitle reports whether a word of one or two letters is a title: mr,
// ms, dr.
func shortTitle(w string) bool {
	if len(w) != 2 {
		return false
	}
	switch w[0] | 0x20 {
	case 'm':
		return w[1]|0x20 == 'r' || w[1]|0x20 == 's' || w[1]|0x20 == 'x'
	case 'd', 'f':
		return w[1]|0x20 == 'r'
	}
	return false
}

// nextRun reads the run of capitalised words at p into win and returns its
// end. It reports false, and costs no model, for the runs that are never a
// name: "I", and runs of words on the common list and on no name list
// ("Thanks", "Order Status", "New York").
func nextRun(text string, p int, win *window) (end int, ok bool) {
	if pronounI(text, p) {
		return p + 1, false
	}
	// Common words that open a run are context: "Dear Anna", "Producer
	// Christoffer Bertelsen", "Customer Service Jane".
	p, common := commonRun(text, p, &win.known)
	if common {
		return p, false
	}
	return readRun(text, p, win), true
}

// commonRun reports whether the run at p holds only common words, and
// returns its end; or else the start of its first word that is not one,
// with that word's list flags in k.
func commonRun(text string, p int, k *known) (int, bool) {
	for n := 0; n < maxRun; n++ {
		e := wordEnd(text, p)
		if e == p {
			return p, false
		}
		if g := flagsOf(text, p, e, hashFold(text, p, e)); !commonOnly(g) {
			*k = known{p, e, g}
			return p, false
		}
		if e+1 >= len(text) || text[e] != ' ' || !upperAt(text, e+1) {
			return e, true
		}
		p = e + 1
	}
	return p, false
}

// pronounI reports whether the word at p is "I", "I'm", "I'll" …: the
// commonest capital in chat, never a name, and not worth the model.
func pronounI(text string, p int) bool {
	if text[p] != 'I' {
		return false
	}
	if p+1 == len(text) {
		return true
	}
	switch c := text[p+1]; c {
	case ' ', ',', '\n', '\t', '\'', '?', '!':
		return true
	case 0xE2: // I’m
		return len(text) >= p+4 && text[p+1:p+4] == "\u2019"
	}
	return false
}

// A memo holds what the runs before in the text were tagged: lists and
// repeats of a name ("Dale and White", "directed by Joakim Westgård and
// starring Westgård") are read with it.
type memo struct {
	lastStart int        // start of the last word tagged a name
	seen      [16]uint64 // hashes of words tagged names, the first 16
	n         int
}

func (m *memo) add(t *tok) {
	m.lastStart = t.start
	if m.n < len(m.seen) && !m.has(t.hash) {
		m.seen[m.n] = t.hash
		m.n++
	}
}

func (m *memo) has(h uint64) bool {
	for _, s := range m.seen[:m.n] {
		if s == h {
			return true
		}
	}
	return false
}

// tagRun labels each word of the run, left to right, each seeing the label
// of the one before; the words of a shop, brand or place (tradeVeto) are
// no names.
func tagRun(w []int16, text string, win *window, m *memo, names *[maxRun]bool) {
	var fs [maxFeatures]uint64
	wt := (*[1 << tableBits]int16)(w) // slot is below 1<<tableBits: no bounds checks
	prev := uint64(0)
	veto := tradeVeto(text, win)
	for i := 0; i < win.n; i++ {
		if veto&(1<<i) != 0 {
			names[i], prev = false, 1
			continue
		}
		n := features(win, i, prev, m, &fs)
		score := 0
		k := 0
		for ; k+4 <= n; k += 4 { // four at a time: one bounds check
			f := (*[4]uint64)(fs[k : k+4])
			score += int(wt[slot(f[0])]) + int(wt[slot(f[1])]) + int(wt[slot(f[2])]) + int(wt[slot(f[3])])
		}
		for _, h := range fs[k:n] {
			score += int(wt[slot(h)])
		}
		names[i] = score > 0
		prev = 1
		if names[i] {
			prev = 2
			m.add(&win.toks[2+i])
		}
	}
}

// appendSpans turns the labels of a run into spans: each stretch of names,
// with the initials and particles between them; a placeholder never.
func appendSpans(dst []Span, win *window, names *[maxRun]bool) []Span {
	t := win.toks[2 : 2+win.n]
	for i := 0; i < len(t); {
		if !names[i] || t[i].ph || t[i].glued || t[i].particle {
			i++
			continue
		}
		j, last := i, i
		letters := !t[i].initial // more than initials: "H" or "J. K." alone is no name
		for j+1 < len(t) && (names[j+1] || t[j+1].particle || t[j+1].initial) && !t[j+1].ph && !t[j+1].glued {
			j++
			if names[j] && !t[j].particle {
				last = j
				letters = letters || !t[j].initial
			}
		}
		if letters {
			dst = append(dst, Span{t[i].start, t[last].end})
		}
		i = j + 1
	}
	return dst
}

// commonOnly reports whether list flags g say common word and no name.
func commonOnly(g uint8) bool { return g&gazCommon != 0 && g&(gazGiven|gazSurname) == 0 }
