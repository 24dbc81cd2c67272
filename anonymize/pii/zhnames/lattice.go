package zhnames

import "unicode/utf8"

// Window sizes, in characters: the words before a candidate that may
// swallow its surname (提高兴趣), the longest name, and the words after it
// that may swallow its last characters (王小明明天).
const (
	before  = 4
	maxName = 4
	after   = 3
	window  = before + maxName + after
)

// Model weights, natural logs: nameToken is the cost of a token being a
// person name at all; margin is how much cheaper the segmentation with the
// name must be; dictName is the cost of a word jieba tags as a name, over
// its own, when it may stand as one; knownName is taken off a name jieba
// found beyond its dictionary. They were chosen on the odd lines of
// CLUENER (TestSweep) and are variables so that it can vary them.
var (
	nameToken float32 = 5.3
	margin    float32 = 3
	dictName  float32 = 0
	knownName float32 = 2
	// dictLong is taken off a name of three characters that jieba tags
	// as one (徐悲鸿, 王羲之) when its given name is no common word
	// (cheaper than dictGivenMax) and it is no part of words (dictWordy):
	// 于长江, 段时间, 黄金周 are tagged too.
	dictLong     float32 = 2
	dictGivenMax float32 = 12
	// dictLongGiven is the most a dictionary name's given part may cost
	// without a strong cue: jieba tags words as names too (连衣裙, whose
	// 衣裙 costs 17.8; 小明 9.6, 嘉诚 12.6, 白石 13.4; 17.5 loses no held-out name).
	dictLongGiven float32 = 17.5
	// dictShortCtx is the bonus of cues a two-character word tagged as
	// a name needs to stand as one without a title (金庸说).
	dictShortCtx float32 = 4
	// strongName is taken off a name of a frequent surname (cost at most
	// strongSur: 王, 李, 吴, 周) and two given characters that are both
	// common in their places (cost at most strongGiven each: 王建国,
	// 李志强, not 杨一直): such a name is rarely a word by chance. So is
	// one of a single given character common alone (cost at most
	// strongSingle: 王刚) that is no word of the dictionary (李宁 is a
	// brand too).
	strongName   float32 = 2.25
	strongSur    float32 = 4.6
	strongGiven  float32 = 6.6
	strongSingle float32 = 8.5
)

// win is the Han characters around a candidate, with their byte offsets.
type win struct {
	r   [window]rune
	off [window + 1]int
	n   int // characters
	at  int // index of the candidate
	// cost[i][k] is the cost of characters [i, i+k+1) as a word, infCost
	// for none; info holds its class and personWord.
	cost [window][4]float32
	info [window][4]uint8
}

// personWord marks in win.info a word jieba tags as a name.
const personWord = 0x80

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

// key packs characters [i, j) of w as the word tables do.
func (w *win) key(i, j int) uint64 {
	var k uint64
	for x := i; x < j; x++ {
		k = k<<16 | uint64(w.r[x])
	}
	return k
}

// nameAt decides whether a name starts at p, a surname character, and
// returns its end.
func (m *model) nameAt(text string, p int, need float32) (int, bool) {
	r0, r1 := hanAt(text, p), hanAt(text, p+3)
	if r1 == 0 {
		return 0, false // a surname alone
	}
	// Cheap rejection: the character after a single surname must be
	// able to start a given name, unless a compound surname starts here.
	var comp float32
	isComp := false
	if hasBit(m.compFirst, r0) {
		comp, isComp = m.compound[[2]rune{r0, r1}]
	}
	sur := m.surname[r0-hanLo]
	if c := &m.ch[r1-hanLo]; !isComp && (hasBit(m.notGiven, r1) || (hasBit(m.rareGiven, r1) || min(c.first, c.single) > givenCutoff) && (c.one < rareWord || m.beforeBonus(text, p) < titleCue)) {
		return 0, false // a rare given character needs a title: 总经理仲跻伟
	}
	rb := hanBefore(text, p)
	if rb != 0 && hasBit(m.translit, rb) && hasBit(m.translit, r1) && (hasBit(m.foreignCh, rb) || hasBit(m.translit, r0) && hasBit(m.foreignCh, r1)) {
		return 0, false // inside a transliteration: 布鲁京斯, 多罗迈特
	}
	if !isComp && !m.gainPossible(text, p, r0, r1, sur, need) {
		return 0, false
	}
	// A name must beat a common word through the surname (安全, 订单):
	// when the word alone costs less than the cheapest name could, the
	// segmentation is not run.
	low := sur
	if isComp {
		low = min(low, comp)
	}
	low += nameToken + min(m.ch[r1-hanLo].single, m.ch[r1-hanLo].first) - strongCue - m.beforeBonus(text, p)
	if sur <= strongSur {
		low -= strongName
	}
	if k := uint64(r0)<<16 | uint64(r1); m.mayHave(k, 2) {
		if c, _, ok := m.words.get(k); ok && c+need < low {
			return 0, false
		}
	}
	if k := uint64(rb)<<16 | uint64(r0); rb != 0 && m.mayHave(k, 2) {
		if c, _, ok := m.words.get(k); ok && c+need < low {
			return 0, false
		}
	}
	var w win
	w.fill(text, p)
	a := w.at
	if a > 0 && hasBit(m.placeEnd, r0) && m.ctxBeforeAt(&w, a) == 0 {
		return 0, false // the end of a place name: 永福路泽源居
	}
	// The cost of every word in the window, then the best costs from its
	// start to each character and from each character to its end.
	cost := &w.cost
	for i := 0; i < w.n; i++ {
		cost[i] = [4]float32{m.ch[w.r[i]-hanLo].one, infCost, infCost, infCost}
		w.info[i] = [4]uint8{m.oneClass[w.r[i]-hanLo]}
		if i+1 >= w.n {
			continue
		}
		k := uint64(w.r[i])<<16 | uint64(w.r[i+1])
		if !m.pairAt(k) {
			continue
		}
		for n := 2; n <= 4 && i+n <= w.n; n++ {
			if n > 2 {
				k = k<<16 | uint64(w.r[i+n-1])
			}
			if !m.mayHave(k, n) {
				continue
			}
			if s, ok := m.words.slotOf(k); ok {
				cost[i][n-1], w.info[i][n-1] = s.cost, s.class
				if s.person {
					cost[i][n-1] += nrPenalty
					w.info[i][n-1] |= personWord
				}
			}
		}
	}
	var f, b [window + 1]float32
	for j := 1; j <= w.n; j++ {
		f[j] = infCost
		for i := max(0, j-4); i < j; i++ {
			f[j] = min(f[j], f[i]+cost[i][j-i-1])
		}
	}
	for i := w.n - 1; i >= 0; i-- {
		b[i] = infCost
		for j := i + 1; j <= min(w.n, i+4); j++ {
			b[i] = min(b[i], cost[i][j-i-1]+b[j])
		}
	}
	best, end := float32(infCost), 0
	if sur < infCost {
		best, end = m.tryName(text, &w, f[a], &b, sur, 1, best, end, need < margin)
	}
	if isComp {
		best, end = m.tryName(text, &w, f[a], &b, comp, 2, best, end, need < margin)
	}
	if end == 0 || f[w.n]-best <= need {
		return 0, false
	}
	return w.off[end], true
}

// tryName scores the names of one or two given-name characters after the
// surname of sl characters at the candidate, whose cost is s; lead is the
// best cost of the words before it. It returns the better of them and of
// best (ending at character end). inList tells a name beside a name in a
// list, where a name of the dictionary stands as one: 张伟、李娜.
func (m *model) tryName(text string, w *win, lead float32, b *[window + 1]float32, s float32, sl int, best float32, end int, inList bool) (float32, int) {
	a := w.at
	g0 := 1
	if m.ctxAfterAt(w, a+sl)&ctxSurTitle != 0 {
		if w.r[a+sl] != '家' || m.ctxAfterAt(w, a+sl+1)&ctxSurTitle != 0 {
			return best, end // a surname and a title: 王先生, 裴总
		}
		g0 = 2 // 温家 is a family, 温家宝 a name
	}
	titled := (m.ctxBeforeAt(w, a)&ctxTitle != 0 || m.titleSuffix(w, a) || a == 0 && m.punctBefore(text, w.off[0]) == titleCue) && m.ctxAfterAt(w, a)&(ctxTitle|ctxSurTitle) == 0
	for g := g0; g <= 2; g++ {
		e := a + sl + g
		if e > w.n || hasBit(m.notGiven, w.r[e-1]) || hasBit(m.rareGiven, w.r[e-1]) && !titled && !m.spokeAfter(text, w, e) {
			break
		}
		if g == 2 && m.longVeto(w, e-1) {
			break // 庞博国际: the second character starts 国际
		}
		if hasBit(m.placeEnd, w.r[e-1]) && m.ctxAfterAt(w, e)&ctxSpeech == 0 || m.foreign(w, a, e) {
			continue // 武胜路, but 张路说
		}
		if g == 2 && hasBit(m.candBits, w.r[e-1]) && m.ctxAfterAt(w, e)&(ctxSurTitle|ctxTitle) != 0 && w.cost[a][e-a-2] < infCost {
			continue // the last is a surname before a title: 谢谢陈老师
		}
		if hasBit(m.ctxHead, w.r[a]) && m.ctx.get(w.key(a, e))&ctxNever != 0 {
			continue
		}
		ctx := m.context(text, w, a, e)
		c := nameToken + s + m.givenCost(w, a+sl, g)
		if g == 2 && sl == 1 && m.strongGiven(s, w.r[a+1], w.r[a+2]) || g == 1 && sl == 1 && s <= strongSur && m.ch[w.r[a+1]-hanLo].single <= strongSingle && w.cost[a][1] >= infCost {
			c -= strongName
		}
		if w.info[a][e-a-1]&personWord != 0 && m.ctx.get(w.key(a, e))&(ctxTitle|ctxSurTitle) == 0 {
			// jieba tags the word as a name: 齐白石, 李嘉诚, but also
			// places and transliterations (桑德兰, 马德里), which must
			// have a title or a verb of saying by them, and words (谢谢,
			// 文明), so one of two characters needs a title before it
			// or cues on both sides.
			long := e-a >= 3 && (ctx <= -strongCue || !m.foreignAny(w, a+sl, e) &&
				m.givenCost(w, a+sl, min(e-a-sl, 2)) <= dictLongGiven) // 连衣裙: 衣裙 names no one
			// A verb of saying after it, not a title, which follows words
			// too: 谢谢老板.
			spoke := m.spokeAfter(text, w, e)
			short := e-a == 2 && (spoke && ctx <= -dictShortCtx && !m.foreignAny(w, a+sl, e) || inList)
			if long || short || titled {
				dc := w.cost[a][e-a-1] - nrPenalty + dictName
				if long && e-a-sl == 2 && w.cost[a+sl][1] > dictGivenMax && !m.dictWordy(w, a, e) {
					dc -= dictLong
				}
				c = min(c, dc)
			}
		}
		if e-a == 2 {
			if _, _, ok := m.known.get(w.key(a, e)); ok {
				c -= knownName
			}
		}
		c += ctx
		if total := lead + c + b[e]; total < best {
			best, end = total, e
		}
	}
	return best, end
}

// dictWordy reports whether the dictionary name at characters [a, e) of
// w is rather part of words: a longer word starts with it, its last
// character starts a word with the next (管弦乐队), or its first two
// characters are a word that is almost never a name (黄金周).
func (m *model) dictWordy(w *win, a, e int) bool {
	if e < w.n && (e-a < 4 && w.cost[a][e-a] < infCost || w.cost[e-1][1] < infCost) {
		return true
	}
	return hasBit(m.ctxHead, w.r[a]) && m.ctx.get(w.key(a, a+2))&ctxNever != 0
}

// rareWord is the least cost as a word of a character that no name
// holds and may still be given after a strong cue: 颐 and 跻 may, 是 and
// 在 may not.
const rareWord = 9

// givenCutoff rejects a candidate whose next character almost never
// starts a given name (的, 是, 了): e^-11 is about one name in 60,000.
var givenCutoff float32 = 11

// strongGiven reports whether a surname of cost s and the given
// characters g1, g2 make a name that earns strongName.
func (m *model) strongGiven(s float32, g1, g2 rune) bool {
	return s <= strongSur && m.ch[g1-hanLo].first <= strongGiven && m.ch[g2-hanLo].second <= strongGiven
}

func (m *model) givenCost(w *win, i, g int) float32 {
	if g == 1 {
		return m.ch[w.r[i]-hanLo].single
	}
	return m.ch[w.r[i]-hanLo].first + m.ch[w.r[i+1]-hanLo].second
}

// foreign reports whether characters [s, e) of w are all transliteration
// characters inside a longer run of them (费耶诺德).
func (m *model) foreign(w *win, s, e int) bool {
	all := true
	for i := s + 1; i < e; i++ {
		all = all && hasBit(m.foreignCh, w.r[i])
	}
	if all {
		return true
	}
	for i := s; i < e; i++ {
		if !hasBit(m.translit, w.r[i]) {
			return false
		}
	}
	return s > 0 && hasBit(m.translit, w.r[s-1]) || e < w.n && hasBit(m.translit, w.r[e])
}

// foreignAny reports whether a character of [s, e) of w is one of
// transliterations (foreignCh, or 德 里 亚 …).
func (m *model) foreignAny(w *win, s, e int) bool {
	for i := s; i < e; i++ {
		if hasBit(m.foreignCh, w.r[i]) || hasBit(m.translitWide, w.r[i]) {
			return true
		}
	}
	return false
}

// hanAt returns the Han character of the basic plane encoded at p, or 0.
func hanAt(text string, p int) rune {
	if p < 0 || p+2 >= len(text) {
		return 0
	}
	b0, b1, b2 := text[p], text[p+1], text[p+2]
	if b0-0xe3 > 0xe9-0xe3 || b1&0xc0 != 0x80 || b2&0xc0 != 0x80 {
		return 0
	}
	r := rune(b0&0x0f)<<12 | rune(b1&0x3f)<<6 | rune(b2&0x3f)
	if r < hanLo {
		return 0
	}
	return r
}

// hanBefore returns the Han character that ends at p, or 0.
func hanBefore(text string, p int) rune {
	if p < 3 {
		return 0
	}
	return hanAt(text, p-3)
}
