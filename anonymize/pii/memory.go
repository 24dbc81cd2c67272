package pii

import (
	"strings"
	"unicode/utf8"
)

// memory is what a Conversation remembers of the values it has numbered,
// as surface forms to find again in any message of the conversation:
//
//   - every value as it was written;
//   - a person's parts: an English given name or surname alone, as a
//     capitalised whole word ("Jane", "Doe"), if it has 3 letters or more
//     and is not a common word; a Chinese given name of two characters
//     alone (小明), unless it is a common word (明天); a Chinese surname
//     before a title (王先生, 王总), of which only the surname is replaced,
//     as the detectors do;
//   - an address's street and number (建国路88号, "12 Main Street");
//   - a number (phone, card, ID, QQ) by its digits, so it is found again
//     with other separators ("138 1234 5678", "138-1234-5678",
//     "+86 13812345678").
//
// Surface forms are found with an index on their first two bytes behind
// a 1024-bit filter: one pass over a message, a table probe per character
// start, a prefix compare only where the filter passes. A conversation
// remembers tens of forms, so this beats building an automaton per
// conversation and stays allocation-free on text that holds none.
type memory struct {
	aliases []alias
	byPat   map[string]int32
	heads   map[uint16][]int32 // first two bytes -> aliases, longest first
	filter  [16]uint64         // bit per hashed first two bytes
	numbers map[string]alias   // digits of a number -> its placeholder
	// parts maps a normalised part of a full name (a surname, a given
	// name, lower case) to the full name's number, so a detector's span
	// of the part alone ("王" of 王先生, "Doe" of "Mr Doe") gets it.
	parts map[string]int
	// partial maps a name first seen as one part to its number, so the
	// full name, seen later, takes that number (until one full name has).
	partial map[string]int
}

// alias is one surface form: its placeholder replaces pat[:cut] (the rest
// of pat, a title, stays).
type alias struct {
	pat string
	cut int
	typ Type
	n   int
}

// mspan is a remembered value found in a text.
type mspan struct {
	start, end int
	typ        Type
	n          int
}

// minNumberDigits is the fewest digits a remembered number has to be found
// with other separators: shorter runs are prices and quantities.
const minNumberDigits = 6

func (m *memory) size() int { return len(m.aliases) + len(m.numbers) }

// add remembers pat as a surface form of placeholder (t, n), unless a form
// with the same text is remembered already (the first value keeps it).
func (m *memory) add(pat string, cut int, t Type, n int) {
	if len(pat) < 2 || cut <= 0 || cut > len(pat) {
		return
	}
	if _, ok := m.byPat[pat]; ok {
		return
	}
	if m.byPat == nil {
		m.byPat = map[string]int32{}
		m.heads = map[uint16][]int32{}
	}
	k := int32(len(m.aliases))
	m.aliases = append(m.aliases, alias{pat: strings.Clone(pat), cut: cut, typ: t, n: n})
	m.byPat[m.aliases[k].pat] = k
	h := head(pat[0], pat[1])
	w, bit := filterBit(h)
	m.filter[w] |= bit
	list := append(m.heads[h], k)
	// Longest first: "Jane Doe" before "Jane".
	for i := len(list) - 1; i > 0 && len(m.aliases[list[i]].pat) > len(m.aliases[list[i-1]].pat); i-- {
		list[i], list[i-1] = list[i-1], list[i]
	}
	m.heads[h] = list
}

// lookup returns the surface form pat, if remembered.
func (m *memory) lookup(pat string) (alias, bool) {
	k, ok := m.byPat[pat]
	if !ok {
		return alias{}, false
	}
	return m.aliases[k], true
}

func head(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

func (m *memory) mayStart(h uint16) bool {
	w, bit := filterBit(h)
	return m.filter[w]&bit != 0
}

// filterBit spreads the first two bytes (ASCII letters, UTF-8 lead and
// continuation bytes) over the filter's 1024 bits.
func filterBit(h uint16) (int, uint64) {
	x := uint32(h) * 0x9E3779B1 >> 22
	return int(x >> 6), 1 << (x & 63)
}

// learn remembers the surface forms of value raw of type t, numbered n.
func (m *memory) learn(t Type, raw string, n int) {
	switch t {
	case Phone, BankCard, CNResidentID, QQ:
		var buf [40]byte
		if d := numberKey(buf[:0], raw); len(d) >= minNumberDigits {
			if m.numbers == nil {
				m.numbers = map[string]alias{}
			}
			if _, ok := m.numbers[string(d)]; !ok {
				m.numbers[string(d)] = alias{typ: t, n: n}
			}
			return
		}
	case Person:
		m.learnPerson(raw, n)
		return
	case Address:
		if s := streetOf(raw); s != "" {
			m.add(s, len(s), t, n)
		}
	case Email:
		m.add(strings.ToLower(raw), len(raw), t, n)
	}
	m.add(raw, len(raw), t, n)
}

// Chinese titles after a surname that the memory finds with it.
var memTitles = []string{"先生", "女士", "小姐", "总", "经理", "老师"}

// Compound surnames: the first two characters of a name are its surname.
var memCompound = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕
		令狐 钟离 端木 西门 南宫 独孤 呼延 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 闻人 万俟 赫连`) {
		memCompound[s] = true
	}
}

func (m *memory) learnPerson(raw string, n int) {
	raw = strings.TrimSpace(raw)
	if surname, given, ok := splitHanName(raw); ok {
		if given != "" {
			m.add(raw, len(raw), Person, n)
			if utf8.RuneCountInString(given) == 2 && !zhCommonWords[given] {
				m.add(given, len(given), Person, n)
				m.setPart(given, n)
			}
			m.setPart(surname, n)
		}
		if utf8.RuneCountInString(surname) >= 2 {
			m.add(surname, len(surname), Person, n)
		}
		for _, title := range memTitles {
			m.add(surname+title, len(surname), Person, n)
		}
		return
	}
	words := strings.FieldsFunc(raw, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' })
	if len(words) == 0 {
		return
	}
	m.add(raw, len(raw), Person, n)
	if tc := titleCase(words); tc != raw {
		m.add(tc, len(tc), Person, n)
	}
	for _, w := range words {
		lw := strings.ToLower(strings.TrimRight(w, "."))
		if !asciiLetters(lw) || len(lw) < 3 || enCommonWords[lw] {
			continue
		}
		tw := strings.ToUpper(lw[:1]) + lw[1:]
		m.add(tw, len(tw), Person, n)
		if len(words) > 1 {
			m.setPart(lw, n)
		}
	}
}

func (m *memory) setPart(p string, n int) {
	if m.parts == nil {
		m.parts = map[string]int{}
	}
	if _, ok := m.parts[p]; !ok {
		m.parts[p] = n
	}
}

// personNumber returns the number a new person value takes from what the
// memory holds, or 0: a part of a remembered full name takes the full
// name's; a full name takes that of one of its parts seen alone before.
func (m *memory) personNumber(raw string) int {
	raw = strings.TrimSpace(raw)
	if surname, given, ok := splitHanName(raw); ok {
		if given == "" {
			return m.parts[surname]
		}
		if n := m.partial[surname]; n > 0 {
			delete(m.partial, surname)
			return n
		}
		if n := m.partial[given]; n > 0 && len(given) > 3 {
			delete(m.partial, given)
			return n
		}
		return 0
	}
	words := strings.Fields(strings.ToLower(raw))
	if len(words) == 1 {
		return m.parts[strings.TrimRight(words[0], ".")]
	}
	for _, w := range words {
		if n := m.partial[w]; n > 0 {
			delete(m.partial, w)
			return n
		}
	}
	return 0
}

// notePartial records a one-part name's number for a full name to take.
func (m *memory) notePartial(raw string, n int) {
	raw = strings.TrimSpace(raw)
	key := ""
	if surname, given, ok := splitHanName(raw); ok {
		if given != "" {
			return
		}
		key = surname
	} else if w := strings.Fields(strings.ToLower(raw)); len(w) == 1 {
		key = strings.TrimRight(w[0], ".")
	}
	if key == "" {
		return
	}
	if m.partial == nil {
		m.partial = map[string]int{}
	}
	if _, ok := m.partial[key]; !ok {
		m.partial[key] = n
	}
}

// splitHanName splits a Chinese name of 1–4 Han characters into surname
// (two characters for a compound surname) and given name.
func splitHanName(raw string) (surname, given string, ok bool) {
	n := 0
	for _, r := range raw {
		if !isHan(r) {
			return "", "", false
		}
		n++
	}
	if n == 0 || n > 4 {
		return "", "", false
	}
	_, w := utf8.DecodeRuneInString(raw)
	if n >= 3 && memCompound[raw[:2*w]] {
		w *= 2
	}
	return raw[:w], raw[w:], true
}

func isHan(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF }

func titleCase(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if asciiLetters(strings.TrimRight(w, ".")) {
			w = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
		b.WriteString(w)
	}
	return b.String()
}

func asciiLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// streetOf returns the street and number of an address when they are a
// proper part of it: 建国路88号 of 北京市朝阳区建国路88号院3号楼, "12 Main
// Street" of "12 Main Street, Springfield, IL 62704"; or "".
func streetOf(raw string) string {
	if c := raw[0]; c >= '0' && c <= '9' {
		line, _, ok := strings.Cut(raw, ",")
		if !ok || len(strings.Fields(line)) < 3 {
			return ""
		}
		return strings.TrimSpace(line)
	}
	end := strings.Index(raw, "号")
	for end > 0 {
		// digits before 号, a road suffix before them
		d := end
		for d > 0 && raw[d-1] >= '0' && raw[d-1] <= '9' {
			d--
		}
		if d < end {
			if start, ok := roadStart(raw, d); ok {
				s := raw[start : end+len("号")]
				if s != raw {
					return s
				}
				return ""
			}
		}
		next := strings.Index(raw[end+len("号"):], "号")
		if next < 0 {
			break
		}
		end += len("号") + next
	}
	return ""
}

// roadStart returns where the road name that ends at p (with 路, 街, 道,
// 巷, 弄 or 胡同) starts: after the district, town or city before it.
func roadStart(raw string, p int) (int, bool) {
	r, w := utf8.DecodeLastRuneInString(raw[:p])
	if !strings.ContainsRune("路街道巷弄同", r) {
		return 0, false
	}
	q := p - w
	names := 0
	for q > 0 {
		r, w := utf8.DecodeLastRuneInString(raw[:q])
		if !isHan(r) || strings.ContainsRune("省市区县镇乡旗州", r) {
			break
		}
		q -= w
		names++
	}
	return q, names >= 1
}

// find appends to dst the remembered values in text, in order and
// disjoint, skipping veil's placeholders.
func (m *memory) find(text string, dst []mspan) []mspan {
	if len(m.aliases) > 0 {
		for i := 0; i+1 < len(text); i++ {
			c := text[i]
			if c&0xC0 == 0x80 {
				continue
			}
			if c == '<' {
				if e := placeholderEnd(text, i); e > 0 {
					i = e - 1
					continue
				}
			}
			h := head(c, text[i+1])
			if !m.mayStart(h) {
				continue
			}
			for _, k := range m.heads[h] {
				a := &m.aliases[k]
				if strings.HasPrefix(text[i:], a.pat) && memBoundary(text, i, i+len(a.pat)) {
					dst = append(dst, mspan{start: i, end: i + a.cut, typ: a.typ, n: a.n})
					i += len(a.pat) - 1
					break
				}
			}
		}
	}
	if len(m.numbers) > 0 {
		first := len(dst)
		dst = m.findNumbers(text, dst)
		if first > 0 && len(dst) > first {
			dst = mergeMspans(dst, first)
		}
	}
	return dst
}

// memBoundary reports whether text[s:e] stands alone where it starts or
// ends with an ASCII letter or digit: "Jane" not in "Janet", 10.0.0.1 not
// in 10.0.0.10.
func memBoundary(text string, s, e int) bool {
	if memWordByte(text[s]) && s > 0 && memWordByte(text[s-1]) {
		return false
	}
	if memWordByte(text[e-1]) && e < len(text) && memWordByte(text[e]) {
		return false
	}
	return true
}

func memWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_'
}
