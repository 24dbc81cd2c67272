package ennames

// Features of a word in a run, hashed into the model's weight table. Each
// is a template id mixed with the values it reads; collisions are rare at
// the table's size and cost little.

// maxFeatures bounds the features of one word; nFeatures are set.
const (
	maxFeatures = 40
	nFeatures   = 36
)

// Feature templates.
const (
	fBias = iota + 1
	fWord
	fSuf3
	fSuf2
	fShape
	fShapeLen
	fGaz
	fGapBefore
	fGapAfter
	fPrev1
	fPrev2
	fNext1
	fNext2
	fPrev1Shape
	fNext1Shape
	fRunPos
	fPrevLabel
	fPrev1Gap
	fNext1Gap
	fWordStart
	fGazStartShape
	fPrev12
	fNext12
	fGazNeighbours
	fPrevLabelGaz
	fShapes3
	fPrev1WordShape
	fPossessive
	fNext1Gaz
	fPrev1Gaz
	fGapNextShape
	fSuf3Shape
	fRunLenGaz
	fNearName
	fSeen
	fPrefixShape
)

func mix(h, v uint64) uint64 {
	h ^= v
	h *= 0xff51afd7ed558ccd
	return h ^ h>>32
}

func feat(id int, v uint64) uint64 { return mix(uint64(id)*0x9E3779B97F4A7C15, v) }

func feat2(id int, v, w uint64) uint64 { return mix(feat(id, v), w) }

func feat3(id int, v, w, x uint64) uint64 { return mix(feat2(id, v, w), x) }

// neighbour values: a missing word and a placeholder have fixed hashes.
func wordOf(t *tok) uint64 {
	if t.shape == shapeNone {
		return 1
	}
	return t.hash
}

func lenBucket(t *tok) uint64 {
	n := t.end - t.start
	switch {
	case n <= 2:
		return uint64(n)
	case n <= 4:
		return 3
	case n <= 7:
		return 4
	case n <= 10:
		return 5
	}
	return 6
}

func startOf(gap uint8) uint64 {
	if gap == gapStart || gap == gapLine || gap == gapSentence {
		return 1
	}
	return 0
}

// features writes the hashed features of run word i (0-based) of win to
// out and returns how many. prev is the label given to the word before it
// in the run (0 none, 1 not a name, 2 a name).
func features(win *window, i int, prev uint64, m *memo, out *[maxFeatures]uint64) int {
	t := &win.toks
	w := &t[2+i]
	p1, p2 := &t[1+i], &t[i]
	n1, n2 := &t[3+i], &t[4+i]
	word, shape, gaz := w.hash, uint64(w.shape), uint64(w.gaz)
	gap0, gap1 := uint64(w.gap), uint64(n1.gap)
	if n1.shape == shapeNone {
		gap1 = uint64(n1.gap) | 8
	}
	st := startOf(w.gap)
	pos := uint64(0) // single
	switch {
	case win.n > 1 && i == 0:
		pos = 1
	case win.n > 1 && i == win.n-1:
		pos = 2
	case win.n > 1:
		pos = 3
	}
	runLen := uint64(min(win.n, 4))
	poss := uint64(0)
	if w.possessive {
		poss = 1
	}
	near := uint64(0) // the word before the run, or the one before that, was tagged a name
	if i == 0 && m.lastStart >= 0 {
		if p1.shape != shapeNone && p1.start == m.lastStart {
			near = 1
		} else if p2.shape != shapeNone && p2.start == m.lastStart {
			near = 2
		}
	}
	seen := uint64(0)
	if m.has(word) {
		seen = 1
	}
	o := out[:nFeatures:nFeatures]
	o[0] = feat(fBias, 0)
	o[1] = feat(fWord, word)
	o[2] = feat(fSuf3, w.suf3)
	o[3] = feat(fSuf2, w.suf2)
	o[4] = feat(fShape, shape)
	o[5] = feat2(fShapeLen, shape, lenBucket(w))
	o[6] = feat(fGaz, gaz)
	o[7] = feat(fGapBefore, gap0)
	o[8] = feat(fGapAfter, gap1)
	o[9] = feat(fPrev1, wordOf(p1))
	o[10] = feat(fPrev2, wordOf(p2))
	o[11] = feat(fNext1, wordOf(n1))
	o[12] = feat(fNext2, wordOf(n2))
	o[13] = feat2(fPrev1Shape, uint64(p1.shape), uint64(p1.gaz))
	o[14] = feat2(fNext1Shape, uint64(n1.shape), uint64(n1.gaz))
	o[15] = feat2(fRunPos, pos, runLen)
	o[16] = feat(fPrevLabel, prev)
	o[17] = feat2(fPrev1Gap, wordOf(p1), gap0)
	o[18] = feat2(fNext1Gap, wordOf(n1), gap1)
	o[19] = feat2(fWordStart, word, st)
	o[20] = feat3(fGazStartShape, gaz, st, shape)
	o[21] = feat2(fPrev12, wordOf(p1), wordOf(p2))
	o[22] = feat2(fNext12, wordOf(n1), wordOf(n2))
	o[23] = feat3(fGazNeighbours, gaz, uint64(p1.gaz), uint64(n1.gaz))
	o[24] = feat3(fPrevLabelGaz, prev, gaz, shape)
	o[25] = feat3(fShapes3, uint64(p1.shape), shape, uint64(n1.shape))
	o[26] = feat2(fPrev1WordShape, wordOf(p1), shape)
	o[27] = feat2(fPossessive, poss, gaz)
	o[28] = feat2(fNext1Gaz, wordOf(n1), gaz)
	o[29] = feat2(fPrev1Gaz, wordOf(p1), gaz)
	o[30] = feat3(fGapNextShape, gap0, uint64(n1.shape), st)
	o[31] = feat2(fSuf3Shape, w.suf3, shape)
	o[32] = feat3(fRunLenGaz, runLen, pos, gaz)
	o[33] = feat3(fNearName, near, wordOf(p1), shape)
	o[34] = feat3(fSeen, seen, gaz, shape)
	o[35] = feat2(fPrefixShape, uint64(w.pre2), shape)
	return nFeatures
}
