package pii

// Handles and passports: QQ numbers and WeChat ids after their cue,
// passport numbers after a passport cue or in the shape of a Chinese
// passport, and "wxid_" WeChat ids anywhere.

// handleFillers may stand between a cue and its value: "QQ号：", "微信是",
// "passport no. ", "WeChat ID is".
var handleFillers = []string{
	"号码是", "号码为", "号码", "号是", "号为", "号", "账号", "是", "为", "：", ":", "＃", "#", "=",
	"number is", "number", "no.", "no", "nr.", "id is", "id", "is", "num", "account",
}

// skipFillers moves p past blanks and filler words; colon reports whether
// an explicit separator (a colon, "是", "is", "号", "id") was among them.
func skipFillers(text string, p int, fillers []string) (q int, colon bool) {
	for k := 0; k < 6; k++ {
		p = skipBlanks(text, p)
		found := false
		for _, f := range fillers {
			if end, ok := matchFold(text, p, f); ok {
				p, found, colon = end, true, true
				break
			}
		}
		if !found {
			break
		}
	}
	return skipBlanks(text, p), colon
}

func skipBlanks(text string, p int) int {
	for p < len(text) {
		switch {
		case text[p] == ' ' || text[p] == '\t' || text[p] == '\n' || text[p] == '\r':
			p++
		case p+3 <= len(text) && text[p:p+3] == "\u3000": // ideographic space
			p += 3
		default:
			return p
		}
	}
	return p
}

// appendHandles appends the QQ numbers, WeChat ids and passport numbers
// that follow their cues.
func appendHandles(dst []Span, text string, hits []hit) []Span {
	for _, h := range hits {
		if h.start > 0 && text[h.start] < 0x80 && containsByte(".@/-", text[h.start-1]) {
			continue // a piece of a domain or a path: "a@b.qq12345", "/wx/"
		}
		switch h.kind {
		case cueQQ:
			p, _ := skipFillers(text, h.end, handleFillers)
			if e, ok := digitRun(text, p, 5, 11); ok {
				dst = append(dst, Span{QQ, p, e})
			}
		case cueWeChat:
			if e, ok := wechatAfter(text, h); ok {
				p, _ := skipFillers(text, h.end, handleFillers)
				dst = append(dst, Span{WeChat, p, e})
			}
		case cuePassport:
			p, _ := skipFillers(text, h.end, handleFillers)
			if e, ok := passportNumber(text, p); ok {
				dst = append(dst, Span{Passport, p, e})
			}
		}
	}
	return dst
}

// digitRun returns the end of the run of min–max digits (ASCII or
// full-width) at p, which must not go on into a digit, letter, '@' or
// a decimal point.
func digitRun(text string, p, min, max int) (int, bool) {
	n, q := 0, p
	for {
		_, w := digitAt(text, q, len(text))
		if w == 0 {
			break
		}
		q += w
		n++
	}
	if n < min || n > max {
		return 0, false
	}
	if q < len(text) && (isWordByte(text[q]) || text[q] == '@' ||
		text[q] == '.' && q+1 < len(text) && isDigit(text[q+1])) {
		return 0, false
	}
	return q, true
}

// wechatAfter reads the WeChat id after a cue: an id by WeChat's rules (a
// letter, then 5–19 letters, digits, '-' or '_') or the digits of a phone
// or QQ number. An id of letters only after an English cue needs an
// explicit separator ("WeChat: songjuan", not "wechat payment").
func wechatAfter(text string, h hit) (int, bool) {
	english := text[h.start+1] < 0x80 // wx, vx, WeChat; not 微信, v信
	p, colon := skipFillers(text, h.end, handleFillers)
	if p == h.end && english && p < len(text) && isWordByte(text[p]) && !isDigit(text[p]) {
		return 0, false // "wxabc": not a cue
	}
	if p < len(text) && text[p] == '+' {
		return digitRun(text, p+1, 5, 15)
	}
	if _, w := digitAt(text, p, len(text)); w > 0 {
		// A phone number, written without blanks: a spaced one is left
		// to the phone detector, which knows its layouts.
		return digitRun(text, p, 5, 15)
	}
	e, ok := wechatID(text, p)
	if !ok {
		return 0, false
	}
	if english && !colon && allLetters(text[p:e]) {
		return 0, false
	}
	return e, true
}

// wechatID reads [A-Za-z][-_A-Za-z0-9]{5,19} at p, not followed by
// another such byte.
func wechatID(text string, p int) (int, bool) {
	if p >= len(text) || !isLetter(text[p]) {
		return 0, false
	}
	q := p + 1
	for q < len(text) && (isAlnum(text[q]) || text[q] == '-' || text[q] == '_') {
		q++
	}
	if n := q - p; n < 6 || n > 20 {
		return 0, false
	}
	if q < len(text) && (text[q] == '@' || text[q] == '.' && q+1 < len(text) && !isBlank(text[q+1])) {
		return 0, false // an e-mail address, a domain, a file name
	}
	return q, true
}

// appendWxid appends the WeChat ids that carry WeChat's own prefix
// ("wxid_o4rlciigup8o1v"), cue or not.
func appendWxid(dst []Span, text string) []Span {
	for off := 0; off+5 < len(text); {
		k := indexFold(text[off:], "wxid_")
		if k < 0 {
			break
		}
		p := off + k
		off = p + 5
		if p > 0 && (isWordByte(text[p-1]) || text[p-1] == '<' || text[p-1] == '.') {
			continue
		}
		if e, ok := wechatID(text, p); ok {
			dst = append(dst, Span{WeChat, p, e})
			off = e
		}
	}
	return dst
}

// passportNumber reads a passport number after a cue: 6–12 letters and
// digits, with a digit or else all capitals (German numbers may have no
// digit: CMJODVVYJ), not glued to a word.
func passportNumber(text string, p int) (int, bool) {
	q, digits, lower := p, 0, 0
	for q < len(text) && isAlnum(text[q]) {
		switch c := text[q]; {
		case isDigit(c):
			digits++
		case c >= 'a':
			lower++
		}
		q++
	}
	if n := q - p; n < 6 || n > 12 || digits == 0 && lower > 0 || q < len(text) && (text[q] == '_' || text[q] == '@') {
		return 0, false
	}
	return q, true
}

// appendCNPassports appends Chinese passport numbers, cue or not: E, G,
// P, S or D and 8 digits, or E, a letter and 7 digits, standing alone
// (Chinese text may touch it).
func appendCNPassports(dst []Span, text string, hits []hit, runs []int) []Span {
	end := 0
	for _, r := range runs {
		if r == 0 || !isUpper(text[r-1]) {
			continue // most numbers: no capital right before
		}
		// The digits start one letter (E12345678) or two (EA1234567) in.
		for _, i := range [2]int{r - 1, r - 2} {
			if i < end || i < 0 {
				continue
			}
			if e := cnPassportAt(text, i, hits); e > 0 {
				dst = append(dst, Span{Passport, i, e})
				end = e
				break
			}
		}
	}
	return dst
}

// cnPassportAt returns the end of a Chinese passport number at i, or 0.
func cnPassportAt(text string, i int, hits []hit) int {
	if i+9 > len(text) {
		return 0
	}
	c := text[i]
	if c != 'E' && c != 'G' && c != 'P' && c != 'S' && c != 'D' {
		return 0
	}
	if i > 0 && (isWordByte(text[i-1]) || text[i-1] == '-' || text[i-1] == '<') {
		return 0
	}
	k := i + 1
	if c == 'E' && isUpper(text[k]) {
		k++
	}
	e := i + 9
	for q := k; q < e; q++ {
		if !isDigit(text[q]) {
			return 0
		}
	}
	if e < len(text) && (isWordByte(text[e]) || text[e] == '-' || text[e] == '@') || orderBefore(text, hits, i) {
		return 0
	}
	return e
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func hasPrefixFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	return hasSuffixFold(s[:len(w)], w)
}

// indexFold is strings.Index with ASCII letters of w (lower case) matching
// either case.
func indexFold(s, w string) int {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i]|0x20 == w[0] && hasPrefixFold(s[i:], w) {
			return i
		}
	}
	return -1
}
