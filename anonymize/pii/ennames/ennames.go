package ennames

// Span is a person's name in a text: text[Start:End], byte offsets.
type Span struct{ Start, End int }

// Append appends the person names of text to dst, in order and without
// overlaps, and returns the extended slice. It allocates nothing when it
// finds nothing.
func Append(dst []Span, text string) []Span {
	w := model()
	var win window
	for p := nextCandidate(text, 0); p < len(text); p = nextCandidate(text, p) {
		if pronounI(text, p) {
			p++
			continue
		}
		end := readRun(text, p, &win)
		var names [maxRun]bool
		tagRun(w, &win, &names)
		dst = appendSpans(dst, &win, &names)
		p = end
	}
	return dst
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

// tagRun labels each word of the run, left to right, each seeing the label
// of the one before.
func tagRun(w []int16, win *window, names *[maxRun]bool) {
	var fs [maxFeatures]uint64
	prev := uint64(0)
	for i := 0; i < win.n; i++ {
		n := features(win, i, prev, &fs)
		score := 0
		for _, h := range fs[:n] {
			score += int(w[slot(h)])
		}
		names[i] = score > 0
		prev = 1
		if names[i] {
			prev = 2
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
