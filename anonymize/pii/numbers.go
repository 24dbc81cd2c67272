package pii

// group is one maximal run of digits inside a number cluster.
type group struct {
	start, end int    // the digits: text[start:end]
	n          int    // how many digits (a full-width digit is 3 bytes)
	sep        string // the separator before the group; "" for the first
	tail       int    // end of the group with its check X or extension
	checkX     bool   // followed by X or x, then a non-word byte
	ext        bool   // followed by x and 1–6 digits: a phone extension
}

// cluster is a run of digit groups joined by short separators, e.g.
// "+86 138-1234-5678" or "(415) 555-0142 x12".
type cluster struct {
	groups  []group
	hits    []hit // the cues of the text
	plusAt  int   // index of a leading '+', or -1
	parenAt int   // index of a leading '(', or -1
	startOK bool  // no word byte glued before the cluster
	endOK   bool  // no word byte glued after the cluster
}

// appendNumbers appends the number spans of text[from:to]; bytes outside
// the range are only looked at to judge boundaries. from is 0 or the end of
// an e-mail address, to is len(text) or the start of one.
//
// A number right after a span, or right before an e-mail address, counts
// as bounded there: the span becomes a placeholder ("<EMAIL_1>"), so text
// and redacted text read alike and redaction reveals no new match.
//
// runs, the starts of the runs of digits of text, lets it jump from number
// to number.
func appendNumbers(dst []Span, text string, from, to int, hits []hit, runs []int) []Span {
	var buf [16]group
	lastEnd := from
	k := 0 // the next run
	for i := from; i < to; {
		if _, w := digitAt(text, i, to); w == 0 {
			for k < len(runs) && runs[k] <= i {
				k++
			}
			if k == len(runs) || runs[k] >= to {
				break
			}
			i = runs[k]
		}
		c := readCluster(text, from, to, i, lastEnd, buf[:0])
		c.hits = hits
		n := len(dst)
		dst = c.appendSpans(dst, text)
		if len(dst) > n {
			lastEnd = dst[len(dst)-1].End
		}
		i = c.groups[len(c.groups)-1].tail
	}
	return dst
}

// digitAt returns the digit at text[i] (ASCII or full-width, as an ASCII
// byte) and its width in bytes, or width 0.
func digitAt(text string, i, to int) (byte, int) {
	if i >= to {
		return 0, 0
	}
	if c := text[i]; c >= '0' && c <= '9' {
		return c, 1
	}
	// U+FF10..U+FF19 FULLWIDTH DIGIT ZERO..NINE: EF BC 90..99.
	if text[i] == 0xEF && i+3 <= to && text[i+1] == 0xBC && text[i+2] >= 0x90 && text[i+2] <= 0x99 {
		return '0' + text[i+2] - 0x90, 3
	}
	return 0, 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// readCluster reads the cluster whose first digit is at i; lastEnd is the
// end of the previous span.
func readCluster(text string, from, to, i, lastEnd int, groups []group) cluster {
	c := cluster{plusAt: -1, parenAt: -1}
	p := i
	if p > from && text[p-1] == '+' {
		p--
		c.plusAt = p
	}
	if p > from && text[p-1] == '(' {
		p--
		c.parenAt = p
	}
	c.startOK = p == 0 || p == lastEnd || !isWordByte(text[p-1]) && !idGlue(text, p-1, -1, lastEnd, to)

	p, sep := i, ""
	for {
		g := group{start: p, sep: sep}
		for {
			_, w := digitAt(text, p, to)
			if w == 0 {
				break
			}
			p += w
			g.n++
		}
		g.end, g.tail = p, p
		if p < to && text[p]|0x20 == 'x' {
			q := p + 1
			for q < to && isDigit(text[q]) {
				q++
			}
			switch n := q - p - 1; {
			case n >= 1 && n <= 6 && (q >= len(text) || !isWordByte(text[q])):
				g.ext, g.tail = true, q
			case n == 0 && (q >= len(text) || !isWordByte(text[q])):
				g.checkX, g.tail = true, q
			}
			groups = append(groups, g)
			break
		}
		groups = append(groups, g)
		q, ok := readSep(text, p, to)
		if !ok {
			break
		}
		sep, p = text[p:q], q
	}
	c.groups = groups
	end := groups[len(groups)-1].tail
	c.endOK = end >= to || !isWordByte(text[end]) && !idGlue(text, end, 1, lastEnd, to)
	return c
}

// readSep reads a separator between digit groups at p: 1–4 bytes of which
// at most 2 spaces, 1 dash or dot and 1 parenthesis, followed by a digit.
// It returns the position of that digit.
func readSep(text string, p, to int) (int, bool) {
	var spaces, dashes, parens int
	q := p
loop:
	for ; q < to && q-p < 4; q++ {
		switch text[q] {
		case ' ':
			spaces++
		case '-', '.':
			dashes++
		case '(', ')':
			parens++
		default:
			break loop
		}
	}
	if q == p || spaces > 2 || dashes > 1 || parens > 1 {
		return 0, false
	}
	_, w := digitAt(text, q, to)
	return q, w > 0
}

// idGlue reports whether text[k] glues a number to the word next to it in
// direction dir (-1 before, 1 after), so that the number is a piece of an
// identifier: a '_' between word bytes, or a '-' between runs of hex
// digits such as the groups of a UUID ("d37feb2e-9912-4248-a033-…");
// "815-Fax" and "…001X-170…" are not glued. The relation is symmetric, so
// the number on either side sees it alike. Only text[lo:hi] is read: what
// lies beyond is a span, soon a placeholder.
func idGlue(text string, k, dir, lo, hi int) bool {
	c := text[k]
	if c != '-' && c != '_' {
		return false
	}
	if k-1 < lo || k+1 >= hi || !isWordByte(text[k-1]) || !isWordByte(text[k+1]) {
		return false
	}
	return c == '_' || hexRun(text, k-1, -1, lo) && hexRun(text, k+1, 1, hi)
}

// hexRun reports whether the run of word bytes from k in direction dir,
// within lo or hi, is all hex digits.
func hexRun(text string, k, dir, bound int) bool {
	for ; k >= 0 && k < len(text) && (dir < 0 && k >= bound || dir > 0 && k < bound) && isWordByte(text[k]); k += dir {
		if !isHex(text[k]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }

func isSpaces(sep string) bool {
	for k := 0; k < len(sep); k++ { // a loop: strings.Trim cost a call per window
		if sep[k] != ' ' {
			return false
		}
	}
	return sep != ""
}
