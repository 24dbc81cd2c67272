package zhnames

import "unicode/utf8"

// Window sizes, in characters: the words before a candidate that may
// swallow its surname (提高兴趣), the longest name, and the words after it
// that may swallow its last characters (王小明明天).
const (
	before  = 3
	maxName = 4
	after   = 3
	window  = before + maxName + after
)

// Model constants, natural logs. nameToken is the cost of a token being a
// person name at all; margin is how much cheaper the segmentation with the
// name must be.
const (
	nameToken = 5.3
	margin    = 4.0
)

// win is the Han characters around a candidate, with their byte offsets.
type win struct {
	r   [window]rune
	off [window + 1]int
	n   int // characters
	at  int // index of the candidate
}

// fill reads up to before Han characters before p and after p as many as
// the window holds, stopping at anything that is not Han.
func (w *win) fill(text string, p int) {
	var back [before]int
	nb := 0
	for q := p; nb < before && q > 0; {
		r, size := utf8.DecodeLastRuneInString(text[:q])
		if !isHan(r) {
			break
		}
		q -= size
		back[nb] = q
		nb++
	}
	w.n = 0
	for i := nb - 1; i >= 0; i-- {
		w.r[w.n], _ = utf8.DecodeRuneInString(text[back[i]:])
		w.off[w.n] = back[i]
		w.n++
	}
	w.at = w.n
	q := p
	for w.n < window && q < len(text) {
		r, size := utf8.DecodeRuneInString(text[q:])
		if !isHan(r) {
			break
		}
		w.r[w.n], w.off[w.n] = r, q
		w.n++
		q += size
	}
	w.off[w.n] = q
}

// wordCost returns the cost of characters [i, j) of w as one word, or
// false.
func (m *model) wordCost(w *win, i, j int) (float32, bool) {
	c, person, ok := m.words.get(w.key(i, j))
	if !ok && j == i+1 {
		return m.unknown, true
	}
	if person {
		c += nrPenalty
	}
	return c, ok
}

func (w *win) key(i, j int) uint64 {
	var k uint64
	for x := i; x < j; x++ {
		k = k<<16 | uint64(w.r[x])
	}
	return k
}

// nameAt decides whether a name starts at p, a surname character, and
// returns its end.
func (m *model) nameAt(text string, p int) (int, bool) {
	var w win
	w.fill(text, p)
	a := w.at
	if w.n-a < 2 {
		return 0, false // a surname alone
	}
	// Cheap rejection: the character after a single surname must be
	// able to start a given name, unless a compound surname starts here.
	r0, r1 := w.r[a], w.r[a+1]
	comp, isComp := m.compound[[2]rune{r0, r1}]
	sur := m.surname[r0-hanLo]
	if !isComp && min(m.first[r1-hanLo], m.single[r1-hanLo]) > givenCutoff {
		return 0, false
	}
	// Forward and backward best costs over the window, words only.
	var f, b [window + 1]float32
	for j := 1; j <= w.n; j++ {
		f[j] = infCost
		for i := max(0, j-4); i < j; i++ {
			if c, ok := m.wordCost(&w, i, j); ok && f[i]+c < f[j] {
				f[j] = f[i] + c
			}
		}
	}
	b[w.n] = 0
	for i := w.n - 1; i >= 0; i-- {
		b[i] = infCost
		for j := i + 1; j <= min(w.n, i+4); j++ {
			if c, ok := m.wordCost(&w, i, j); ok && c+b[j] < b[i] {
				b[i] = c + b[j]
			}
		}
	}
	words := f[w.n]
	best, end := float32(infCost), 0
	try := func(s float32, sl int) {
		if titleAt(text, w.off[a+sl]) {
			return // a surname and a title: 王先生, 裴总
		}
		for g := 1; g <= 2; g++ {
			e := a + sl + g
			if e > w.n || m.notGiven[w.r[e-1]-hanLo] {
				return
			}
			if m.placeEnd[w.r[e-1]-hanLo] || m.foreign(&w, a, e) {
				continue
			}
			c := nameToken + s + m.givenCost(&w, a+sl, g)
			c += m.context(text, w.off[a], w.off[e])
			if total := f[a] + c + b[e]; total < best {
				best, end = total, e
			}
		}
	}
	if sur < infCost {
		try(sur, 1)
	}
	if isComp {
		try(comp, 2)
	}
	if end == 0 || words-best <= margin {
		return 0, false
	}
	return w.off[end], true
}

// givenCutoff rejects a candidate whose next character almost never
// starts a given name (的, 是, 了): e^-11 is about one name in 60,000.
const givenCutoff = 11

func (m *model) givenCost(w *win, i, g int) float32 {
	if g == 1 {
		return m.single[w.r[i]-hanLo]
	}
	return m.first[w.r[i]-hanLo] + m.second[w.r[i+1]-hanLo]
}

// foreign reports whether characters [s, e) of w are all transliteration
// characters inside a longer run of them (费耶诺德).
func (m *model) foreign(w *win, s, e int) bool {
	all := true
	for i := s + 1; i < e; i++ {
		all = all && m.foreignCh[w.r[i]-hanLo]
	}
	if all {
		return true
	}
	for i := s; i < e; i++ {
		if !m.translit[w.r[i]-hanLo] {
			return false
		}
	}
	return s > 0 && m.translit[w.r[s-1]-hanLo] || e < w.n && m.translit[w.r[e]-hanLo]
}
