package ennames

import (
	"unicode"
	"unicode/utf8"
)

// maxRun is the most words a run of capitalised words holds; a longer run
// is read as several.
const maxRun = 6

// A window holds a run of capitalised words (with the initials and
// particles inside it) and the two words on either side: toks[0:2] before,
// toks[2:2+n] the run, toks[2+n:4+n] after. A missing word has shapeNone.
type window struct {
	toks  [maxRun + 4]tok
	n     int
	known known // the list flags of a run word read before
}

// known holds the list flags of the word text[start:end].
type known struct {
	start, end int
	gaz        uint8
}

// nextCandidate returns the start of the next word at or after p that
// starts with an upper-case letter, or len(text). Only such bytes cost more
// than a table look-up: lower-case ASCII, digits, punctuation and
// three- and four-byte runes (Chinese) are skipped as they come.
func nextCandidate(text string, p int) int {
	for p < len(text) {
		for p+8 <= len(text) && !mayStart(load8(text, p)) {
			p += 8
		}
		for p < len(text) && byteClass[text[p]] == classSkip {
			p++
		}
		if p == len(text) {
			break
		}
		switch k := byteClass[text[p]]; k {
		case classUpper:
			if p == 0 || startsWord(text, p) {
				return p
			}
			p++
			continue
		case classLead2:
			r, w := utf8.DecodeRuneInString(text[p:])
			if unicode.IsUpper(r) && (p == 0 || startsWord(text, p)) {
				return p
			}
			p += w
		default:
			p = min(p+int(k), len(text)) // a rune of three or four bytes, or a stray byte
		}
	}
	return len(text)
}

// load8 reads 8 bytes of text at p as a little-endian word.
func load8(text string, p int) uint64 {
	b := text[p : p+8] // constant indices below: the compiler makes one load
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// mayStart reports whether the 8 bytes of x hold a byte that is not ASCII
// or an upper-case ASCII letter. With no byte over 0x7F no sum below
// carries: x + 0x3F sets a byte's top bit when it is >= 'A', x + 0x25 when
// it is > 'Z'.
func mayStart(x uint64) bool {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	if x&high != 0 {
		return true
	}
	return (x+0x3F*ones)&^(x+0x25*ones)&high != 0
}

const (
	classSkip  = 0
	classUpper = 5
	classLead2 = 6
)

var byteClass = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = classUpper
	}
	for c := 0x80; c < 0xC0; c++ {
		t[c] = 1 // continuation byte
	}
	for c := 0xC0; c < 0xE0; c++ {
		t[c] = classLead2
	}
	for c := 0xE0; c < 0xF0; c++ {
		t[c] = 3
	}
	for c := 0xF0; c < 0x100; c++ {
		t[c] = 4
	}
	return t
}()

// startsWord reports whether a word starts at p: the rune before is no
// letter or digit of an English word, nor the '<' of a placeholder.
func startsWord(text string, p int) bool {
	c := text[p-1]
	if c < utf8.RuneSelf {
		return !asciiWord[c] && c != '<' && c != '_' && c != '@' && c != '/' && c != '#'
	}
	r, _ := utf8.DecodeLastRuneInString(text[:p])
	return !wordRune(r) || han(r)
}

// readRun fills win with the run that starts at p and returns the end of
// its last word.
func readRun(text string, p int, win *window) int { return readRunCase(text, p, win, caseMixed) }

// How a text uses capitals.
const (
	caseMixed = iota // as usual: names are capitalised
	caseLower        // no capital but "I"
	caseShout        // no small letter
)

// readRunCase is readRun; where capitals say nothing (caseLower, caseShout)
// a run goes on over words that are on no common list instead of
// capitalised ones.
func readRunCase(text string, p int, win *window, mode int) int {
	t := &win.toks
	// The words before.
	before := p
	for k := 1; k >= 0; k-- {
		readBefore(text, before, &t[k], k == 0)
		if t[k].shape != shapeNone {
			before = t[k].start
		}
	}
	t[2].gap = t[1].gapAfter
	if t[1].shape == shapeNone {
		t[2].gap = t[1].gap
	}
	// The run.
	n, end := 0, p
	for n < maxRun {
		tk := &t[2+n]
		gap := tk.gap
		readWordKnown(text, p, tk, &win.known)
		tk.gap = gap
		n++
		end = tk.end
		if tk.possessive || tk.ph {
			break
		}
		q := tk.end
		if tk.initial && q < len(text) && text[q] == '.' {
			q++
		}
		if q+1 >= len(text) || text[q] != ' ' {
			break
		}
		q++
		if text[q] == ' ' && q+1 < len(text) {
			q++ // two spaces, as in a form: "Lara  Fiorentino"
		}
		c := text[q]
		if mode != caseMixed {
			if !lowerNameAt(text, q, mode) {
				break
			}
		} else if c < utf8.RuneSelf && !('A' <= c && c <= 'Z') {
			// a particle joins a run when a capitalised word follows it
			if !('a' <= c && c <= 'z') || !particleAt(text, q) {
				break
			}
		} else if c >= utf8.RuneSelf {
			r, _ := utf8.DecodeRuneInString(text[q:])
			if !unicode.IsUpper(r) {
				break
			}
		}
		if n < maxRun {
			t[2+n].gap = gapSpace
		}
		p = q
	}
	win.n = n
	// The words after.
	after := end
	if t[2+n-1].possessive {
		after = t[2+n-1].end + len("'s")
		if text[t[2+n-1].end] != '\'' {
			after = t[2+n-1].end + len("\u2019s")
		}
	}
	for k := 0; k < 2; k++ {
		tk := &t[2+n+k]
		readAfter(text, after, tk, k == 1)
		if tk.shape == shapeNone {
			for k++; k < 2; k++ {
				t[2+n+k] = tok{shape: shapeNone}
			}
			break
		}
		after = tk.end
	}
	return end
}

// particleAt reports whether a name particle ("van", "de", "bin") starts at
// p and a capitalised word follows it.
func particleAt(text string, p int) bool {
	e := wordEnd(text, p)
	if e-p > 4 || e+1 >= len(text) || text[e] != ' ' {
		return false
	}
	if gazetteer.get(hashFold(text, p, e))&gazParticle == 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[e+1:])
	return unicode.IsUpper(r)
}

// readWord reads the word at p into tk.
func readWord(text string, p int, tk *tok) { readWordKnown(text, p, tk, nil) }

// readWordKnown is readWord, with the list flags in k when it holds them.
func readWordKnown(text string, p int, tk *tok, k *known) {
	if p == 0 || text[p-1] != '<' {
		if e, ok := scanASCII(text, p, tk); ok {
			tk.pre2 = prefix2(text, p, e)
			tk.glued = gluedAt(text, p, e)
			if k != nil && k.start == p && k.end == e {
				tk.gaz = k.gaz
			} else {
				tk.gaz = flagsOf(text, p, e, tk.hash)
			}
			tk.cap = 'A' <= text[p] && text[p] <= 'Z'
			tk.initial = e-p == 1
			tk.particle = !tk.cap && tk.gaz&gazParticle != 0
			return
		}
	}
	e := wordEnd(text, p)
	*tk = tok{start: p, end: e}
	if p > 0 && text[p-1] == '<' {
		if q := placeholderEnd(text, p); q > 0 {
			tk.end, tk.ph, tk.shape = q-1, true, shapePH
			tk.hash = phHash
			return
		}
	}
	if s := possessiveSuffix(text, p, e); s > 0 {
		e -= s
		tk.end, tk.possessive = e, true
	}
	if e == p {
		tk.shape = shapeNone
		return
	}
	tk.hash, tk.suf2, tk.suf3 = hashWord(text, p, e)
	tk.pre2 = prefix2(text, p, e)
	tk.shape = shapeOf(text, p, e)
	tk.glued = gluedAt(text, p, e)
	tk.gaz = flagsOf(text, p, e, tk.hash)
	if tk.gaz == 0 && tk.shape == shapeHyphen {
		tk.gaz = hyphenGaz(text, p, e) // "Jean-Luc", "Smith-Jones"
	}
	tk.cap = upperAt(text, p)
	tk.initial = tk.shape == shapeInitial || e-p == 1 && tk.shape == shapeLower
	tk.particle = !tk.cap && tk.gaz&gazParticle != 0
}

// prefix2 returns the first two bytes of text[p:e], ASCII letters folded.
func prefix2(text string, p, e int) uint32 {
	a := uint32(text[p])
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	if e-p < 2 {
		return a
	}
	b := uint32(text[p+1])
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return a<<8 | b
}

// gluedAt reports whether the word text[p:e] touches a Chinese character
// or a bracket without a space: "多美滋(Dumex)", "Q[数字x]", "[USERID_1]",
// "LG显示器" (in Chinese chat such words are brands and codes), or is part
// of an e-mail address or domain.
func gluedAt(text string, p, e int) bool {
	// Most words stand between a space or a letter and ASCII punctuation.
	if (p == 0 || text[p-1] == ' ') && (e == len(text) || plainAfter[text[e]]) {
		return false
	}
	if p > 0 {
		r, w := utf8.DecodeLastRuneInString(text[:p])
		if r == '(' || r == '\uff08' {
			r, _ = utf8.DecodeLastRuneInString(text[:p-w])
		}
		if r == '[' || r == ']' || han(r) {
			return true
		}
		if (r == '.' || r == '@') && p >= 2 && asciiWord[text[p-2]] {
			return true // inside an address: "www.Amazon.com", "sales@Contoso"
		}
	}
	if e < len(text) {
		r, w := utf8.DecodeRuneInString(text[e:])
		if (r == ')' || r == '\uff09') && e+w < len(text) {
			r, _ = utf8.DecodeRuneInString(text[e+w:])
		}
		if r == '@' || r == '.' && e+1 < len(text) && e-p > 1 && asciiWord[text[e+1]] {
			return true // "JaneDoe@mail.com", "Amazon.com"; not an initial "J.R."
		}
		return r == '[' || r == '_' || han(r)
	}
	return false
}

// plainAfter holds the ASCII bytes after a word that never glue it: not
// '@', '.', ')', '[' or '_'.
var plainAfter = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = c != '@' && c != '.' && c != ')' && c != '[' && c != '_'
	}
	return t
}()

// readLight reads the word text[p:e] two away from a run: the features
// read only its hash.
func readLight(text string, p, e int, tk *tok) {
	*tk = tok{start: p, end: e, shape: shapeLower, hash: hashFold(text, p, e)}
}

// placeholderEnd returns the end of a placeholder such as <PHONE_1> whose
// word starts at p (after the '<'), or 0.
func placeholderEnd(text string, p int) int {
	for q := p; q < len(text) && q < p+40; q++ {
		c := text[q]
		switch {
		case c == '>':
			return q + 1
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return 0
		}
	}
	return 0
}

// possessiveSuffix returns the length of a trailing "'s" of text[p:e].
func possessiveSuffix(text string, p, e int) int {
	if e-p > 3 && text[e-2] == '\'' && (text[e-1] == 's' || text[e-1] == 'S') {
		return 2
	}
	if e-p > 5 && text[e-1] == 's' && text[e-4:e-1] == "\u2019" {
		return 4
	}
	return 0
}

// hyphenGaz returns the list flags of the parts of a hyphenated word that
// are names, or of its first part.
func hyphenGaz(text string, p, e int) uint8 {
	var g uint8
	for q := p; q < e; {
		h := q
		for h < e && text[h] != '-' {
			h++
		}
		g |= gazetteer.get(hashFold(text, q, h)) & (gazGiven | gazSurname)
		q = h + 1
	}
	return g
}

// upperAt reports whether an upper-case letter starts at p.
func upperAt(text string, p int) bool {
	if c := text[p]; c < utf8.RuneSelf {
		return 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(text[p:])
	return unicode.IsUpper(r)
}

// lowerNameAt reports whether the word at p, in a text without capitals,
// may continue a name: a letter word on no common list, or one letter. In
// a shouted text, where product titles are common ("PRINCESS CHARLOTTE
// DOLL"), the word must be on a name list too.
func lowerNameAt(text string, p int, mode int) bool {
	if !letterAt(text, p) {
		return false
	}
	e := wordEnd(text, p)
	if e-p == 1 {
		return true
	}
	g := flagsOf(text, p, e, hashFold(text, p, e))
	return g&gazCommon == 0 && (mode != caseShout || g&(gazGiven|gazSurname) != 0)
}
