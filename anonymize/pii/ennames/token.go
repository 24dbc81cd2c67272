package ennames

import (
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// A tok is one word of the text as the tagger sees it: its bytes, a hash of
// its folded form (lower case, Latin diacritics dropped: "Gábor" and "gabor"
// hash alike) and what it looks like.
type tok struct {
	start, end int
	hash       uint64 // folded word
	suf2, suf3 uint64 // folded last two and three letters
	pre2       uint32 // folded first two bytes: "mc", "o'", "al"
	shape      uint8
	gaz        uint8 // list flags
	gap        uint8 // what separates it from the word before
	gapAfter   uint8 // what separates it from the word after, for words before a run
	possessive bool  // followed by 's, which is not part of it
	cap        bool  // starts with an upper-case letter
	particle   bool  // van, de, bin … inside a name
	initial    bool  // one letter, maybe with a full stop: "J."
	ph         bool  // a placeholder such as <PHONE_1>
	glued      bool  // touches Chinese or a bracket: a brand or code, never a name
}

// Word shapes.
const (
	shapeLower   uint8 = iota // "with"
	shapeCap                  // "Jane"
	shapeUpper                // "JANE", "NY"
	shapeInitial              // "J", "J."
	shapeMixed                // "McDonald", "iPhone"
	shapeDigit                // contains a digit
	shapeHyphen               // "Jean-Luc"
	shapeApos                 // "O'Brien"
	shapePH                   // <PHONE_1>
	shapeNone                 // no word
)

// Gaps between a word and the one before it.
const (
	gapSpace    uint8 = iota // one or more spaces
	gapStart                 // start of the text
	gapLine                  // a line break
	gapSentence              // . ! ? then a space
	gapComma                 // , or ;
	gapColon                 // :
	gapOpen                  // a quote, bracket or dash
	gapOther
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// wordRune reports whether r continues a word.
func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

var asciiWord = func() (t [256]bool) { // 256: any byte indexes it
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	return t
}()

// han reports whether r is a Chinese character: it bounds English words.
func han(r rune) bool {
	if 0x4E00 <= r && r <= 0x9FFF { // CJK Unified Ideographs, most of Chinese text
		return true
	}
	return r >= 0x2E80 && unicode.Is(unicode.Han, r)
}

// wordEnd returns the end of the word that starts at p: letters and digits,
// with one apostrophe or hyphen inside between letters ("O'Brien",
// "Jean-Luc").
func wordEnd(text string, p int) int {
	p = asciiWordEnd(text, p)
	for p < len(text) {
		c := text[p]
		if c < utf8.RuneSelf {
			if asciiWord[c] {
				p++
				continue
			}
			if (c == '\'' || c == '-') && p+1 < len(text) && p > 0 && letterAt(text, p+1) && letterBefore(text, p) {
				p++
				continue
			}
			if c == '-' && p+1 < len(text) && '0' <= text[p+1] && text[p+1] <= '9' && p > 0 && letterBefore(text, p) {
				p++ // "Blink-182", "COVID-19": one word, with a digit
				continue
			}
			return p
		}
		r, w := utf8.DecodeRuneInString(text[p:])
		if r == '\u2019' && p+w < len(text) && letterAt(text, p+w) && letterBefore(text, p) {
			p += w
			continue
		}
		if !wordRune(r) || han(r) {
			return p
		}
		p += w
	}
	return p
}

func letterAt(text string, p int) bool {
	r, _ := utf8.DecodeRuneInString(text[p:])
	return unicode.IsLetter(r) && !han(r)
}

func letterBefore(text string, p int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:p])
	return unicode.IsLetter(r) && !han(r)
}

// wordStart returns the start of the word that ends at e.
func wordStart(text string, e int) int {
	p := e
	for p > 0 && text[p-1] < utf8.RuneSelf && asciiWord[text[p-1]] {
		p--
	}
	for p > 0 {
		if c := text[p-1]; c < utf8.RuneSelf && asciiWord[c] {
			p--
			continue
		}
		r, w := utf8.DecodeLastRuneInString(text[:p])
		if wordRune(r) && !han(r) {
			p -= w
			continue
		}
		if (r == '\'' || r == '-' || r == '\u2019') && p-w > 0 && p < e && letterBefore(text, p-w) && letterAt(text, p) {
			p -= w
			continue
		}
		break
	}
	return p
}

// fold maps a rune to lower case without Latin diacritics.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	r = unicode.ToLower(r)
	if r >= 0xC0 && r < 0x180 {
		if b := latinBase[r-0xC0]; b != ' ' {
			return rune(b)
		}
	}
	return r
}

// latinBase is the base letter of U+00C0–U+017F, ' ' where there is none.
const latinBase = "aaaaaaaceeeeiiii" + "dnooooo ouuuuyts" + "aaaaaaaceeeeiiii" + "dnooooo ouuuuyty" +
	"aaaaaaccccccccdd" + "ddeeeeeeeeeegggg" + "gggghhhhiiiiiiii" + "iijjjjkkklllllll" +
	"lllnnnnnnnnnoooo" + "oooorrrrrrssssss" + "ssttttttuuuuuuuu" + "uuuuwwyyyzzzzzzs"

// A wordHasher hashes the bytes of a folded word eight at a time: one
// multiply per eight bytes, where a byte-wise hash needs one per byte.
type wordHasher struct {
	h, c uint64
	n    uint
}

func (w *wordHasher) add(b byte) {
	w.c |= uint64(b) << (8 * (w.n & 7))
	w.n++
	if w.n&7 == 0 {
		w.h = mixChunk(w.h, w.c)
		w.c = 0
	}
}

func (w *wordHasher) addRune(r rune) {
	if r < utf8.RuneSelf {
		w.add(byte(r))
		return
	}
	var buf [utf8.UTFMax]byte
	for _, b := range buf[:utf8.EncodeRune(buf[:], r)] {
		w.add(b)
	}
}

func (w *wordHasher) sum() uint64 {
	h := w.h
	if w.n&7 != 0 {
		h = mixChunk(h, w.c)
	}
	if h = mix(h, uint64(w.n)); h == 0 {
		h = 1 // 0 marks an empty slot of the gazetteer
	}
	return h
}

func mixChunk(h, c uint64) uint64 {
	h = (h ^ c) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// hashWord hashes the folded text[s:e] and its last two and three letters.
func hashWord(text string, s, e int) (h, suf2, suf3 uint64) {
	var w wordHasher
	w.h = fnvOffset
	var a, b, c uint64 // the last three folded runes
	for p := s; p < e; {
		r := rune(text[p])
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			p++
			w.add(byte(r))
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(text[p:])
			p += n
			if r = fold(r); r == '\u2019' {
				r = '\''
			}
			w.addRune(r)
		}
		a, b, c = b, c, uint64(r)
	}
	suf2 = ((fnvOffset^b)*fnvPrime ^ c) * fnvPrime
	suf3 = ((fnvOffset^a)*fnvPrime ^ suf2) * fnvPrime
	return w.sum(), suf2, suf3
}

// hashString hashes a folded string as hashWord does.
func hashString(s string) uint64 { return hashFold(s, 0, len(s)) }

// phHash is the hash a placeholder such as <PHONE_1> reads as.
var phHash = hashString("<ph>")

// hashFold is the first result of hashWord, with a path for ASCII words.
func hashFold(text string, s, e int) uint64 {
	h := uint64(fnvOffset)
	for p := s; p < e; p += 8 {
		var x uint64
		if p+8 <= len(text) {
			x = load8(text, p) & (1<<(8*uint(min(e-p, 8))) - 1)
		} else {
			x = chunk(text, p, e)
		}
		if x&high != 0 {
			h, _, _ = hashWord(text, s, e)
			return h
		}
		h = mixChunk(h, x|(x+0x3F*ones)&^(x+0x25*ones)&high>>2)
	}
	if h = mix(h, uint64(e-s)); h == 0 {
		h = 1
	}
	return h
}

// chunk returns the bytes of text[p:e] from p, eight at most, little-endian,
// byte by byte: for the end of text. Elsewhere the callers load eight.
func chunk(text string, p, e int) uint64 {
	var x uint64
	for i := e - 1; i >= p; i-- {
		x = x<<8 | uint64(text[i])
	}
	return x
}

const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// hashASCII is hashWord's hash of the ASCII text[s:e], eight bytes at a
// time (the chunks wordHasher packs are the bytes little-endian), with the
// counts of its capitals and digits. It reports false when a byte is not
// ASCII.
func hashASCII(text string, s, e int) (h uint64, upper, digit int, ok bool) {
	h = fnvOffset
	for p := s; p < e; p += 8 {
		var x uint64
		if p+8 <= len(text) {
			x = load8(text, p) & (1<<(8*uint(min(e-p, 8))) - 1)
		} else {
			x = chunk(text, p, e)
		}
		if x&high != 0 {
			return 0, 0, 0, false
		}
		// A byte's top bit is set by x + 0x3F when it is >= 'A', by
		// x + 0x25 when it is > 'Z'; likewise 0x50 and 0x46 for digits.
		u := (x + 0x3F*ones) &^ (x + 0x25*ones) & high
		d := (x + 0x50*ones) &^ (x + 0x46*ones) & high
		upper += bits.OnesCount64(u)
		digit += bits.OnesCount64(d)
		h = mixChunk(h, x|u>>2)
	}
	if h = mix(h, uint64(e-s)); h == 0 {
		h = 1
	}
	return h, upper, digit, true
}

// shapeOf classifies text[s:e].
func shapeOf(text string, s, e int) uint8 {
	if sh, ok := shapeASCII(text, s, e); ok {
		return sh
	}
	var upper, lower, digit, hyphen, apos, letters int
	for p := s; p < e; {
		r, w := rune(text[p]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(text[p:])
		}
		p += w
		switch {
		case unicode.IsUpper(r):
			upper++
			letters++
		case unicode.IsLetter(r):
			lower++
			letters++
		case unicode.IsDigit(r):
			digit++
		case r == '-':
			hyphen++
		default:
			apos++
		}
	}
	first, _ := utf8.DecodeRuneInString(text[s:])
	switch {
	case digit > 0:
		return shapeDigit
	case letters == 1 && upper == 1:
		return shapeInitial
	case upper == 0:
		return shapeLower
	case lower == 0:
		return shapeUpper
	case !unicode.IsUpper(first):
		return shapeMixed
	case hyphen > 0:
		return shapeHyphen
	case apos > 0:
		return shapeApos
	case upper > 1:
		return shapeMixed
	}
	return shapeCap
}

// shapeASCII classifies an ASCII word of letters, or reports false.
func shapeASCII(text string, s, e int) (uint8, bool) {
	upper := 0
	for p := s; p < e; p++ {
		c := text[p]
		switch {
		case 'A' <= c && c <= 'Z':
			upper++
		case 'a' <= c && c <= 'z':
		default:
			return 0, false
		}
	}
	first := text[s]
	switch {
	case e-s == 1 && upper == 1:
		return shapeInitial, true
	case upper == 0:
		return shapeLower, true
	case upper == e-s:
		return shapeUpper, true
	case first < 'A' || first > 'Z' || upper > 1:
		return shapeMixed, true
	}
	return shapeCap, true
}

// scanASCII reads into tk the word at p when it is ASCII letters and
// digits only, in one pass: its end, hash, suffixes and shape. It reports
// false, leaving the word to the general path, for any other word
// ("O'Brien", "Jean-Luc", "Gábor").
func scanASCII(text string, p int, tk *tok) (int, bool) {
	q := asciiWordEnd(text, p)
	if q == p || q < len(text) && (text[q] >= utf8.RuneSelf || text[q] == '\'' || text[q] == '-') {
		return 0, false
	}
	h, upper, digit, _ := hashASCII(text, p, q)
	n := q - p
	shape := shapeCap
	switch first := text[p]; {
	case digit > 0:
		shape = shapeDigit
	case n == 1 && upper == 1:
		shape = shapeInitial
	case upper == 0:
		shape = shapeLower
	case upper == n:
		shape = shapeUpper
	case first < 'A' || first > 'Z' || upper > 1:
		shape = shapeMixed
	}
	// The last three folded letters, 0 before the first.
	var a, b, c uint64
	c = uint64(text[q-1] | 0x20)
	if n >= 2 {
		b = uint64(text[q-2] | 0x20)
	}
	if n >= 3 {
		a = uint64(text[q-3] | 0x20)
	}
	suf2 := ((fnvOffset^b)*fnvPrime ^ c) * fnvPrime
	*tk = tok{start: p, end: q, hash: h, suf2: suf2, suf3: ((fnvOffset^a)*fnvPrime ^ suf2) * fnvPrime, shape: shape}
	return q, true
}

// asciiWordEnd returns the end of the ASCII letters and digits at p, eight
// bytes at a time.
func asciiWordEnd(text string, p int) int {
	for p+8 <= len(text) {
		x := load8(text, p)
		y := x &^ high                          // no carry between bytes below
		word := ((y+0x3F*ones)&^(y+0x25*ones) | // A-Z
			(y+0x1F*ones)&^(y+0x05*ones) | // a-z
			(y+0x50*ones)&^(y+0x46*ones)) &^ x & high // 0-9, and ASCII
		if stop := ^word & high; stop != 0 {
			return p + bits.TrailingZeros64(stop)/8
		}
		p += 8
	}
	for p < len(text) && asciiWord[text[p]] {
		p++
	}
	return p
}
