package ennames

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
	for p := nextCandidate(text, 0); p < len(text); p = nextCandidate(text, p) {
		end, ok := nextRun(text, p, &win)
		if ok {
			var names [maxRun]bool
			tagRun(w, &win, &m, &names)
			dst = appendSpans(dst, &win, &names)
		}
		p = end
	}
	return dst
}

// nextRun reads the run of capitalised words at p into win and returns its
// end. It reports false, and costs no model, for the runs that are never a
// name: "I", and runs of words on the common list and on no name list
// ("Thanks", "Order Status", "New York").
func nextRun(text string, p int, win *window) (end int, ok bool) {
	if pronounI(text, p) {
		return p + 1, false
	}
	if end, ok := commonRun(text, p); ok {
		return end, false
	}
	return readRun(text, p, win), true
}

// commonRun reports whether the run at p holds only common words, and
// returns its end.
func commonRun(text string, p int) (int, bool) {
	for n := 0; n < maxRun; n++ {
		e := wordEnd(text, p)
		if e == p {
			return p, false
		}
		g := gazetteer.get(hashString(text[p:e]))
		if g&gazCommon == 0 || g&(gazGiven|gazSurname) != 0 {
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
// of the one before.
func tagRun(w []int16, win *window, m *memo, names *[maxRun]bool) {
	var fs [maxFeatures]uint64
	prev := uint64(0)
	for i := 0; i < win.n; i++ {
		n := features(win, i, prev, m, &fs)
		score := 0
		for _, h := range fs[:n] {
			score += int(w[slot(h)])
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
		if !names[i] || t[i].ph || t[i].particle {
			i++
			continue
		}
		j, last := i, i
		for j+1 < len(t) && (names[j+1] || t[j+1].particle || t[j+1].initial) && !t[j+1].ph {
			j++
			if names[j] && !t[j].particle {
				last = j
			}
		}
		dst = append(dst, Span{t[i].start, t[last].end})
		i = j + 1
	}
	return dst
}
