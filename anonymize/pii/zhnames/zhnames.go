package zhnames

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Span is a name's byte offsets in the text.
type Span struct{ Start, End int }

// Append appends the names of text to dst, in order and not overlapping.
// It allocates nothing when it finds nothing (the tables load once, on
// first use).
func Append(dst []Span, text string) []Span {
	m := get()
	first, last, masked := len(dst), -1, -1
	scan := m.scanBits
	for p := 0; p < len(text); {
		c := text[p]
		if c < 0x80 {
			if c == '[' || c == '<' {
				if q := skipPlaceholder(text, p); q > p+1 {
					p, masked = q, q
					continue
				}
				p++
				continue
			}
			p++
			continue
		}
		if c >= 0xe3 && c <= 0xe9 && p+2 < len(text) {
			// Most characters start no name: one bit tells, before the
			// character is even checked for being well formed.
			r := uint(c&0x0f)<<12 | uint(text[p+1]&0x3f)<<6 | uint(text[p+2]&0x3f)
			if i := r - hanLo; r >= hanLo && scan[i/64]&(1<<(i%64)) == 0 && text[p+1]&0xc0 == 0x80 && text[p+2]&0xc0 == 0x80 {
				p += 3
				continue
			}
		}
		if r := hanAt(text, p); r != 0 {
			if !hasBit(m.scanBits, r) {
				p += 3
				continue
			}
			if masked >= 0 && (p == masked || p == masked+1 && text[masked] == ' ') {
				// What follows a placeholder belongs to what it masked:
				// [地址x] 金泉名府, [姓名x]康康.
				p += 3
				continue
			}
			if hasBit(m.candBits, r) {
				need := margin
				if last >= 0 && listed(text[last:p]) {
					need -= listSlack // 张伟、李娜: a list holds one kind
				}
				if e, ok := m.nameAt(text, p, need); ok {
					low := 0
					if len(dst) > first {
						low = dst[len(dst)-1].End
					}
					dst = m.appendListed(dst, text, low, p)
					dst = append(dst, Span{p, e})
					p, last = e, e
					continue
				}
			}
			if hasBit(m.translitBits, r) {
				if e, ok := m.foreignAt(text, p); ok {
					dst = append(dst, Span{p, e})
					p, last = e, e
					continue
				}
			}
			p += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(text[p:])
		if r == '《' {
			// The title of a work: 《白鹿原》 is no person.
			if q := strings.Index(text[p:min(len(text), p+titleMax)], "》"); q > 0 {
				p += q
				continue
			}
		}
		p += size
	}
	if len(dst) > first {
		dst = appendRepeats(dst, first, text)
	}
	return dst
}

// listSlack is how much less a name must win by right after a name and
// a list separator.
var listSlack float32 = 3.5

// listed reports whether sep joins two items of a list.
func listed(sep string) bool {
	switch sep {
	case "、", "和", "与", "及", "，", ",", "/", "跟":
		return true
	}
	return false
}

// appendRepeats adds the other places of text where a name found in
// dst[first:] stands again, as the same person: 于海…于海. The names stay
// in order and do not overlap.
func appendRepeats(dst []Span, first int, text string) []Span {
	m := get()
	n := len(dst)
	for i := first; i < min(n, first+maxRepeated); i++ {
		name := text[dst[i].Start:dst[i].End]
		seen := false
		for _, o := range dst[first:i] {
			seen = seen || text[o.Start:o.End] == name
		}
		if seen {
			continue
		}
		dst = m.appendAll(dst, first, text, name, false)
		if len(name) == 9 && !hasBit(m.compFirst, hanAt(name, 0)) {
			// The given name alone, once the full name is found:
			// 王小明…小明说. It must stand apart, not inside a word.
			dst = m.appendAll(dst, first, text, name[3:], true)
		}
	}
	if len(dst) > n {
		slices.SortFunc(dst[first:], func(a, b Span) int { return a.Start - b.Start })
	}
	return dst
}

// appendAll appends the places of text where needle stands and no name
// found since first is, unless a place or brand word follows it (苏梅岛) or
// it continues a transliteration; apart asks for no Han character or a
// cue before it.
func (m *model) appendAll(dst []Span, first int, text, needle string, apart bool) []Span {
	for p := 0; p < len(text); {
		q := strings.Index(text[p:], needle)
		if q < 0 {
			break
		}
		s := Span{p + q, p + q + len(needle)}
		p = s.End
		free := m.afterBound(text, s.End) > -infCost && !inWord(text, s)
		if apart && hanBefore(text, s.Start) != 0 && m.beforeBonus(text, s.Start) < weakCue {
			free = false
		}
		for _, o := range dst[first:] {
			free = free && (s.End <= o.Start || o.End <= s.Start)
		}
		if free {
			dst = append(dst, s)
		}
	}
	return dst
}

// maxRepeated bounds the names whose repeats are looked for, so that a
// long text with many names is not read once for each.
const maxRepeated = 32

// titleMax is the longest title of a work, in bytes, that is skipped.
const titleMax = 96

// infCost marks a character that is no surname.
const infCost = 1e30

// skipPlaceholder returns where scanning resumes after a placeholder at p:
// JD's masks ([姓名x], [地址x]) and veil's (<PHONE_1>), which are never
// names; past the bracket otherwise.
func skipPlaceholder(text string, p int) int {
	closer := byte(']')
	if text[p] == '<' {
		closer = '>'
	}
	for q := p + 1; q < len(text) && q < p+32; q++ {
		switch text[q] {
		case closer:
			if closer == '>' || text[q-1] == 'x' {
				return q + 1
			}
			return p + 1
		case ' ', '\n', '[', '<':
			return p + 1
		}
	}
	return p + 1
}

// foreignAt reads a transliterated name at p, the start of a run of
// transliteration characters (穆里尼奥, 西摩尔·霍夫曼): two to eight of
// them, one at least used almost only in transliterations, with a title
// before it or a verb of saying after it; transliterations name teams and
// places as often as people.
func (m *model) foreignAt(text string, p int) (int, bool) {
	if r := hanAt(text, p+3); r == 0 && !strings.HasPrefix(text[p+3:], "·") || r != 0 && !hasBit(m.translit, r) {
		return 0, false // a run of one
	}
	if r := hanBefore(text, p); r != 0 && hasBit(m.translit, r) {
		return 0, false // inside a run
	}
	e, n, strict := p, 0, false
	for n < 9 {
		if strings.HasPrefix(text[e:], "·") && n > 0 {
			e += len("·")
			continue
		}
		r := hanAt(text, e)
		if r == 0 || !hasBit(m.translit, r) {
			break
		}
		strict = strict || hasBit(m.foreignCh, r)
		e += 3
		n++
	}
	for strings.HasSuffix(text[p:e], "·") {
		e -= len("·")
	}
	if n < 2 || n > 8 || !strict {
		return 0, false
	}
	if m.beforeBonus(text, p) < strongCue && (m.afterBound(text, e) < strongCue || hanAt(text, e) == 0) {
		return 0, false // a colon after a team is as likely: 阿森纳：
	}
	return e, true
}

// inWord reports whether the span s of text continues a run of
// transliteration characters: a repeat there is part of a foreign word.
func inWord(text string, s Span) bool {
	m := get()
	r := hanBefore(text, s.Start)
	return r != 0 && hasBit(m.translit, r) && hasBit(m.foreignCh, r)
}

// appendListed appends a name that ends, after a list separator, where a
// found name starts at p and that was not found on its own (李娜、张伟):
// it needs less margin, as a name after a name does. low is where the
// last name found ends.
func (m *model) appendListed(dst []Span, text string, low, p int) []Span {
	s := p - 3
	if s < low || !listed(text[max(s, 0):p]) {
		s = p - 1
		if s < low || !listed(text[max(s, 0):p]) {
			return dst
		}
	}
	for n := 3; n >= 2; n-- {
		q := s - 3*n
		if q < low {
			continue
		}
		if r := hanAt(text, q); r == 0 || !hasBit(m.candBits, r) {
			continue
		}
		if e, ok := m.nameAt(text, q, margin-listSlack); ok && e == s {
			return append(dst, Span{q, e})
		}
	}
	return dst
}
