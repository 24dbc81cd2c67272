package pii

// scan reports what a text holds besides its cues: a digit (ASCII or
// full-width), an '@', a ':', a capital letter (an ASCII one, or any letter
// beyond Latin-1 … Cyrillic that may be one).
type scan struct {
	digit, at, colon, upper bool
	wxid, cues              bool
	iban, birth             bool // a word that may start an IBAN; a birth cue
	han, letter             bool // a 3-byte character (where Chinese names are); an ASCII word

	// The marks read finds, in arrays with counts rather than in slices:
	// the byte loop then holds few values (s, text, i) and keeps them in
	// registers, and nothing escapes. A text with more marks than an
	// array holds moves them all to the heap (more*).
	hitBuf         [maxHits]hit
	runBuf, capBuf [32]int
	nHits, nRuns   int
	nCaps          int
	moreHits       []hit
	moreRuns       []int
	moreCaps       []int
}

func (s *scan) addHit(h hit) {
	if s.moreHits == nil && s.nHits < len(s.hitBuf) {
		s.hitBuf[s.nHits] = h
		s.nHits++
		return
	}
	if s.moreHits == nil {
		s.moreHits = append(make([]hit, 0, 4*len(s.hitBuf)), s.hitBuf[:]...)
	}
	s.moreHits = append(s.moreHits, h)
}

func (s *scan) addRun(p int) {
	if s.moreRuns == nil && s.nRuns < len(s.runBuf) {
		s.runBuf[s.nRuns] = p
		s.nRuns++
		return
	}
	if s.moreRuns == nil {
		s.moreRuns = append(make([]int, 0, 4*len(s.runBuf)), s.runBuf[:]...)
	}
	s.moreRuns = append(s.moreRuns, p)
}

func (s *scan) addCap(p int) {
	if s.moreCaps == nil && s.nCaps < len(s.capBuf) {
		s.capBuf[s.nCaps] = p
		s.nCaps++
		return
	}
	if s.moreCaps == nil {
		s.moreCaps = append(make([]int, 0, 4*len(s.capBuf)), s.capBuf[:]...)
	}
	s.moreCaps = append(s.moreCaps, p)
}

func (s *scan) any() bool { return s.digit || s.at || s.colon || s.cues }

// read returns the cues of text (hits), in order, and fills s. It also
// returns the starts of the runs of digits (runs), and of the ASCII words
// that begin with a capital (caps: where an English street may begin), in
// order. Detectors jump from mark to mark; none reads the text byte by
// byte again, however many numbers it holds (a long text only moves the
// marks from s's arrays to the heap).
func (s *scan) read(text string) (hits []hit, runs, caps []int) {
	for i := 0; i < len(text); {
		// Most bytes between words (a blank, a comma) are passed here.
		for i < len(text) && byteKind[text[i]] == kindOther {
			i++
		}
		if i == len(text) {
			break
		}
		switch k := byteKind[text[i]]; {
		case k == kindLetter && (i == 0 || wordStart[text[i-1]]):
			// Most words are letters only and no cue's first word: they
			// are told here, without a call.
			c := text[i]
			if c <= 'Z' {
				s.addCap(i)
			}
			j, acc := i+1, c
			for j < len(text) && wordClass[text[j]]&classLetter != 0 {
				acc &= text[j]
				j++
			}
			if j < len(text) && (wordClass[text[j]] != 0 || text[j] == '\'' || text[j] == 0xE2) {
				i = s.word(text, i) // a digit or an apostrophe: "E123", "I'm"
				continue
			}
			col := uint8(27)
			if j-i > 1 {
				col = second[text[i+1]]
			}
			if n := j - i; n <= maxFirst && enCueLens[c|0x20-'a'][col]&(1<<n) != 0 && maybeCueFirst(text[i:j]) ||
				c|0x20 == 'w' && n >= 4 {
				i = s.word(text, i) // a cue may start here; "wxid"
				continue
			}
			// A word of letters only is no IBAN: that needs its check
			// digits. acc: the bits all its letters share; 0x20 is
			// clear if one is a capital.
			s.letter = true
			s.upper = s.upper || acc&0x20 == 0
			i = j
		case k == kindDigit:
			if i == 0 || !isDigit(text[i-1]) && !(i >= 3 && text[i-3] == 0xEF && text[i-2] == 0xBC && text[i-1]-0x90 <= 9) {
				s.addRun(i)
			}
			s.digit = true
			for i++; i < len(text) && isDigit(text[i]); i++ { // the rest of the run
			}
		case k == kindHan:
			s.han = true
			if j := skipHan(text, i); j > i {
				i = j
				continue
			}
			r := s.han3(text, i)
			if r < 0 {
				i++
				continue
			}
			if r >= 0xFF10 && r <= 0xFF19 {
				if i == 0 || !isDigit(text[i-1]) && !(i >= 3 && text[i-3] == 0xEF && text[i-2] == 0xBC && text[i-1]-0x90 <= 9) {
					s.addRun(i)
				}
				s.digit = true
			} else if h := hanCue(text, i, hanCueIndex[r]); h.kind != 0 {
				s.addHit(h)
				s.birth = s.birth || h.kind == cueBirth
			}
			i += 3
		default:
			s.mark(text[i], k)
			i++
		}
	}
	hits, runs, caps = s.hitBuf[:s.nHits], s.runBuf[:s.nRuns], s.capBuf[:s.nCaps]
	if s.moreHits != nil {
		hits = s.moreHits
	}
	if s.moreRuns != nil {
		runs = s.moreRuns
	}
	if s.moreCaps != nil {
		caps = s.moreCaps
	}
	s.cues = len(hits) > 0
	return hits, runs, caps
}

// word reads the ASCII word at i, its cue and its digits, and returns its
// end.
func (s *scan) word(text string, i int) int {
	s.letter = true
	h, j, digits := s.readWord(text, i)
	if h.kind != 0 {
		s.addHit(h)
		s.iban = s.iban || h.kind == cueIBAN
		s.birth = s.birth || h.kind == cueBirth
	}
	if digits {
		for k := i + 1; k < j; k++ { // digits inside the word: "E12345678"
			if isDigit(text[k]) && !isDigit(text[k-1]) {
				s.addRun(k)
			}
		}
	}
	return j
}

// han3 returns the 3-byte character at i, or -1 if the bytes there are
// not one (then s notes a possible capital, as mark does).
func (s *scan) han3(text string, i int) rune {
	c := text[i]
	if i+2 >= len(text) || (text[i+1]^0x80)|(text[i+2]^0x80) >= 0x40 {
		s.upper = s.upper || c < 0xE2
		return -1
	}
	return rune(c&0x0F)<<12 | rune(text[i+1]&0x3F)<<6 | rune(text[i+2]&0x3F)
}

// mark notes the byte c, of kind k: one that needs no mark but a flag.
func (s *scan) mark(c byte, k uint8) {
	switch k {
	case kindUpper:
		// A letter beyond ASCII (Ʀ, É, Ω) may be a capital: a street
		// or a name may start with it.
		s.upper = true
	case kindAt:
		s.at = true
	case kindColon:
		s.colon = true
	case kindLetter: // inside a word, after a digit or '_'
		s.letter = true
		if c <= 'Z' {
			s.upper = true
		}
	}
}

// wordStart is true of the bytes after which a word starts: not a letter,
// digit or '_', nor '<' (inside a placeholder, <BANK_CARD_1>: no "card"
// cue).
var wordStart = func() (t [256]bool) {
	for c := range t {
		t[c] = !isWordByte(byte(c)) && c != '<'
	}
	return t
}()

// skipHan returns the end of the run of 3-byte characters at i that are
// neither a cue's first character nor a full-width digit (i if none). It
// is a loop of its own so that its few variables stay in registers.
func skipHan(text string, i int) int {
	for i+2 < len(text) {
		c, b1, b2 := text[i], text[i+1]^0x80, text[i+2]^0x80 // continuation bytes: < 0x40
		if c&0xF0 != 0xE0 || b1|b2 >= 0x40 {
			break
		}
		// The lead and second byte select a block of 64 characters, the
		// third a bit: most characters are passed on that test. (The
		// masks spare the bounds and shift checks.)
		if hanMarks[uint(c&0x0F)<<6|uint(b1&0x3F)]&(1<<(b2&0x3F)) != 0 {
			break
		}
		i += 3
	}
	return i
}

// Kinds of bytes for the scan; a table and a jump beat a chain of tests.
const (
	kindOther  = iota
	kindDigit  // 0-9
	kindLetter // A-Z a-z
	kindHan    // the lead byte of a 3-byte character
	kindUpper  // the lead byte of a 2-byte character: Latin-1 … Cyrillic
	kindAt     // '@'
	kindColon  // ':'
)

var byteKind = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= '0' && c <= '9':
			t[c] = kindDigit
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			t[c] = kindLetter
		case c >= 0xE0 && c < 0xF0:
			t[c] = kindHan
		case c >= 0xC0 && c < 0xE0:
			t[c] = kindUpper
		case c == '@':
			t[c] = kindAt
		case c == ':':
			t[c] = kindColon
		}
	}
	return t
}()
