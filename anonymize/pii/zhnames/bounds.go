package zhnames

import "strings"

// Bounds and cues read around a candidate before and while it is
// segmented: what a cue can take off a name's cost, and the upper bound of
// its gain that rejects most candidates without segmenting.

// beforeBonus returns the most a cue ending at p takes off a name's cost.
func (m *model) beforeBonus(text string, p int) float32 {
	var k uint64
	var f uint8
	var tail rune
	for n := 0; n < 4; n++ {
		r := hanBefore(text, p)
		if r == 0 {
			if n == 0 {
				return m.punctBefore(text, p)
			}
			break
		}
		if n == 0 && !hasBit(m.ctxTail, r) {
			return 0
		}
		if n > 0 && !hasBit(m.tailLong[n-1], tail) {
			break // no context word this long ends here
		}
		if n == 0 {
			tail = r
		}
		k |= uint64(r) << (16 * n)
		f |= m.ctx.get(k)
		p -= 3
	}
	switch {
	case f&ctxTitle != 0:
		return titleCue
	case f&ctxBefore != 0:
		return weakCue
	}
	return 0
}

// gainPossible bounds the gain of a name of a single surname at p over
// the words: the words cost at most the characters one by one, and the
// name at least its cost less the cues it could have. It answers false
// only when no segmentation can make the name win, so nothing is lost.
func (m *model) gainPossible(text string, p int, r0, r1 rune, sur, need float32) bool {
	before := max(m.beforeBonus(text, p), weakCue)
	if sur <= strongSur {
		before += strongName // an upper bound: whether it applies is known later
	}
	// The cue after is read only when the most it can be would change
	// the answer: most candidates fail even with it.
	most := max(strongCue, startCue, weakCue)
	words := m.ch[r0-hanLo].one + m.ch[r1-hanLo].one
	gain := words - (nameToken + sur + m.ch[r1-hanLo].single - before - most)
	if gain+knownName > need {
		gain += m.afterBound(text, p+6) - most
	}
	if gain > need {
		return true
	}
	if gain+knownName > need {
		if _, _, ok := m.known.get(uint64(r0)<<16 | uint64(r1)); ok {
			return true
		}
	}
	if k := uint64(r0)<<16 | uint64(r1); m.mayPerson(k) {
		if s, ok := m.words.slotOf(k); ok && s.person && m.ctx.get(k)&ctxNever == 0 {
			return true // a name of the dictionary: 金庸等人
		}
	}
	r2 := hanAt(text, p+6)
	if r2 == 0 {
		return false
	}
	k := uint64(r0)<<32 | uint64(r1)<<16 | uint64(r2)
	if m.mayPerson(k) {
		if s, ok := m.words.slotOf(k); ok && s.person {
			return true // a name of the dictionary may cost less than the model's
		}
	}
	words += m.ch[r2-hanLo].one
	name := nameToken + sur + m.ch[r1-hanLo].first + m.ch[r2-hanLo].second - before - most
	if words-name <= need {
		return false
	}
	name += most - m.afterBound(text, p+9)
	if words-name <= need {
		return false
	}
	// The words cost at most the three characters one by one, or a word
	// of two and one (谢谢 你, 单 金额).
	if k := uint64(r1)<<16 | uint64(r2); m.mayHave(k, 2) {
		words = min(words, m.ch[r0-hanLo].one+m.wordCost(k))
	}
	if k := uint64(r0)<<16 | uint64(r1); m.mayHave(k, 2) {
		words = min(words, m.wordCost(k)+m.ch[r2-hanLo].one)
	}
	return words-name > need
}

// afterBound returns the most a cue starting at e can take off a name's
// cost; -infCost when a veto starts there.
func (m *model) afterBound(text string, e int) float32 {
	var k uint64
	var f uint8
	for n := 0; n < 4; n++ {
		r := hanAt(text, e+3*n)
		if r == 0 {
			if n == 0 {
				return max(weakCue, punctCue(text[min(e, len(text)):], false))
			}
			break
		}
		if n == 0 && !hasBit(m.ctxHead, r) {
			return weakCue
		}
		if n > 0 && !hasBit(m.headLong[n-1], hanAt(text, e)) {
			break // no context word this long starts here
		}
		k = k<<16 | uint64(r)
		f |= m.ctx.get(k)
	}
	switch {
	case f&ctxVeto != 0:
		return -infCost
	case f&ctxSpeech != 0:
		return strongCue
	}
	return weakCue
}

// longVeto reports whether a veto word of two characters or more starts at
// character i.
func (m *model) longVeto(w *win, i int) bool {
	if i >= w.n || !hasBit(m.ctxHead, w.r[i]) {
		return false
	}
	for j := i + 2; j <= min(w.n, i+4); j++ {
		if m.ctx.get(w.key(i, j))&ctxVeto != 0 {
			return true
		}
	}
	return false
}

// spokeAfter reports whether a verb of saying, a colon or 的 and a work
// or a role follows character e of w.
func (m *model) spokeAfter(text string, w *win, e int) bool {
	if e < w.n && w.r[e] == '的' && m.ctxAfterAt(w, e+1)&ctxTitle != 0 {
		return true // 黄胄的作品, 陈冲的经纪人
	}
	return m.ctxAfterAt(w, e)&ctxSpeech != 0 || e == w.n && punctCue(text[w.off[e]:], false) >= strongCue
}

// wordCost returns the cost of the word k as the segmentation counts it,
// infCost for none.
func (m *model) wordCost(k uint64) float32 {
	c, person, ok := m.words.get(k)
	switch {
	case !ok:
		return infCost
	case person:
		return c + nrPenalty
	}
	return c
}

// punctBefore returns the bonus of the punctuation that ends at p: a title
// before a colon or a slash counts as a title (作者：金庸, 记者/吴军).
func (m *model) punctBefore(text string, p int) float32 {
	n := 0
	switch {
	case p == 0:
	case text[p-1] == ':' || text[p-1] == '/':
		n = 1
	case strings.HasSuffix(text[:p], "："):
		n = len("：")
	}
	if n > 0 && hanBefore(text, p-n) != 0 && m.beforeBonus(text, p-n) == titleCue {
		return titleCue
	}
	return punctCue(text[:p], true)
}
