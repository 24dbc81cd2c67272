package pii

import "strings"

// Person names are only read where a cue is: after 我叫, 收件人, "my name
// is", "Mr" (a name follows) or before 先生, 女士 (a surname or name
// precedes). After a weak cue (我是, 本人, "I'm", "this is", "under") the
// words must also look like a name: Chinese given-name characters, or an
// English given name or surname from the lists.

// appendNames appends the names of text that lie between the spans
// dst[first:], keeping them in order. It reads the cues again while that
// finds more: a name found from one cue bounds another ("我叫张三李四女士":
// 李四, found from 女士, ends 张三), as its placeholder will.
func appendNames(dst []Span, first int, text string, hits []hit) []Span {
	for {
		n := len(dst)
		var missed bool
		if dst, missed = appendNamesOnce(dst, first, text, hits); len(dst) == n || !missed {
			return dst
		}
	}
}

// appendNamesOnce reads the name cues once; missed reports a cue that gave
// no name.
func appendNamesOnce(dst []Span, first int, text string, hits []hit) (_ []Span, missed bool) {
	for _, h := range hits {
		spans := dst[first:]
		if inSpans(spans, h.start) {
			continue
		}
		var s Span
		ok := false
		switch h.kind {
		case cueName, cueNameWeak, cueSignoff, cueHonorific:
			s, ok = nameAfter(text, h, spans)
		case cueTitle:
			s, ok = nameBefore(text, h, spans)
		default:
			continue
		}
		if ok && !overlapsSorted(dst[first:], s.Start, s.End) {
			dst = insert(dst, first, s)
		} else {
			missed = true
		}
	}
	return dst, missed
}

// cnNameFillers may stand between a Chinese cue and the name.
var cnNameFillers = []string{"写的是", "改成", "改为", "就是", "是", "为", "叫", "写", "填", "：", ":"}

// enNameFillers may stand between an English cue and the name.
var enNameFillers = []string{":", "-", "is", "of"}

func nameAfter(text string, h hit, spans []Span) (Span, bool) {
	weak := h.kind == cueNameWeak
	if text[h.start] >= 0x80 {
		p, _ := skipFillers(text, h.end, cnNameFillers)
		return cnNameAt(text, p, spans, weak)
	}
	p := h.end
	if h.kind != cueSignoff && h.kind != cueHonorific {
		p, _ = skipFillers(text, p, enNameFillers)
	} else {
		p = skipBlanks(text, p)
	}
	if hanAt(text, p) != 0 {
		if h.kind == cueName {
			return cnNameAt(text, p, spans, false)
		}
		return Span{}, false
	}
	return enNameAt(text, p, spans, h.kind)
}

// cnSurnameLen returns the length in bytes of the surname at p, or 0.
func cnSurnameLen(text string, p int) int {
	for _, s := range cnCompoundSurnames {
		if strings.HasPrefix(text[p:], s) {
			return len(s)
		}
	}
	if r := hanAt(text, p); r != 0 && cnSurnames[r] {
		return 3
	}
	return 0
}

// cnNameAt reads a Chinese name at p: a surname and one or two given-name
// characters, or a surname alone before a title, ending where a name can
// end.
func cnNameAt(text string, p int, spans []Span, weak bool) (Span, bool) {
	limit := nextSpan(spans, p, len(text))
	sl := cnSurnameLen(text, p)
	if sl == 0 {
		return Span{}, false
	}
	for g := 2; g >= 0; g-- {
		e := p + sl + 3*g
		if e > limit {
			continue
		}
		ok := true
		for q := p + sl; q < e && ok; q += 3 {
			r := hanAt(text, q)
			ok = r != 0 && !cnNameStop[r] && titleAt(text, q) == 0 && (!weak || cnGivenChars[r])
		}
		if !ok {
			continue
		}
		if g == 0 && titleAt(text, e) == 0 {
			continue
		}
		if e == limit || spanEdge(spans, e) || cnNameEnds(text, e) {
			return Span{Person, p, e}, true
		}
	}
	return Span{}, false
}

// cnNameEnds reports whether a Chinese name can end at e: at the end, at a
// character that is not Han, at a particle or verb, a title or a province.
func cnNameEnds(text string, e int) bool {
	r := hanAt(text, e)
	return r == 0 || cnNameStop[r] || titleAt(text, e) > 0 || provinceAt(text, e, len(text)) > 0
}

// titleAt returns the length of the title (先生, 女士, …) at p, or 0.
func titleAt(text string, p int) int {
	for _, t := range cnTitles {
		if strings.HasPrefix(text[p:], t) {
			return len(t)
		}
	}
	return 0
}

// nameBefore reads the name before a title: 张三先生, 王先生. The longest
// surname and given-name characters before the title are taken; a surname
// alone only when the character before it does not repeat it (谢谢先生 is
// thanks).
func nameBefore(text string, h hit, spans []Span) (Span, bool) {
	t := h.start
	rest := text[h.end:]
	if strings.HasPrefix(rest, "们") || text[h.start:h.end] == "小姐" && strings.HasPrefix(rest, "姐") {
		return Span{}, false
	}
	for n := 4; n >= 1; n-- { // characters before the title
		s := t - 3*n
		if s < 0 || hanAt(text, s) == 0 {
			continue
		}
		sl := cnSurnameLen(text, s)
		if sl == 0 || sl > 3*n || inSpans(spans, s) || nextSpan(spans, s, len(text)) < t {
			continue
		}
		ok := true
		for q := s + sl; q < t && ok; q += 3 {
			r := hanAt(text, q)
			ok = r != 0 && cnGivenChars[r] && !cnNameStop[r]
		}
		if !ok {
			continue
		}
		if s+sl == t && hanBefore(text, s) == hanAt(text, s) {
			continue // a surname alone, repeated: 谢谢先生
		}
		return Span{Person, s, t}, true
	}
	return Span{}, false
}

// enNameAt reads an English name at p: one to three capitalised words (an
// initial, "J.", may stand inside), none of enNotName.
func enNameAt(text string, p int, spans []Span, kind cueKind) (Span, bool) {
	limit := nextSpan(spans, p, len(text))
	end, words, firstEnd := p, 0, p
	for pos := p; words < 3; {
		w, upper := enWord(text, pos, limit)
		if w == pos || !upper || w < limit && isAlnum(text[w]) {
			break
		}
		word := strings.TrimSuffix(text[pos:w], ".")
		if words > 0 && len(word) == 1 {
			// an initial: "Fredrik L Sommerseth", "Janka M. Szász"
		} else if len(word) < 2 || inSet(&enNotName, word) && (words == 0 || !inSet(&enSurnames, word)) {
			break
		} else if w > pos && text[w-1] == '.' {
			w-- // a full stop, not part of the name
		}
		if hasSuffixFold(text[pos:w], "'s") || strings.HasSuffix(text[pos:w], "\u2019s") {
			w = pos + strings.LastIndexAny(text[pos:w], "'\u2019")
			end = w
			words++
			break
		}
		end = w
		words++
		if words == 1 {
			firstEnd = w
		}
		if w+1 >= limit || text[w] != ' ' {
			break
		}
		pos = w + 1
	}
	// A trailing initial is not part of the name.
	for words > 1 && end-p > 0 && (end-2 < p || text[end-2] == ' ') {
		end -= 2
		words--
	}
	if words == 0 {
		return Span{}, false
	}
	given := inSet(&enGivenNames, text[p:firstEnd])
	last := end
	for last > p && text[last-1] != ' ' {
		last--
	}
	family := words >= 2 && inSet(&enSurnames, text[last:end])
	switch kind {
	case cueNameWeak:
		if !given && !family {
			return Span{}, false
		}
	case cueSignoff:
		if !given && words < 2 || !endsText(text, end) {
			return Span{}, false
		}
	}
	return Span{Person, p, end}, true
}

// endsText reports whether only blanks and punctuation follow p.
func endsText(text string, p int) bool {
	for ; p < len(text); p++ {
		switch text[p] {
		case ' ', '\t', '\n', '\r', '.', '!', '~':
		default:
			return false
		}
	}
	return true
}
