package ennames

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// Shops, companies, brands and places that look like people's names
// ("Welcome to Sunny Mart", "Calvin Klein jeans", "Zhejiang") are ruled out
// before the model reads a run: presidio's texts, which the model learnt
// from, hold few of them, and shop chat is full of them. The rules read
// the lists in lists/trade.txt and the name lists, never a whole string.

//go:embed lists/trade.txt
var tradeList string

// Trade flags of a word, or of a pair of words.
const (
	tradeInside uint8 = 1 << iota // "Store", "Inc": the run words before it name a shop
	tradeAfter                    // "jeans", "shop": the run before it is a brand or shop
	tradeBefore                   // the pair "welcome to": the run after it is a shop
	tradeBrand                    // the pair "calvin klein": a brand
	tradeVerb                     // an after word that is also a verb: "Let Anna watch", "Did Kate shop"
)

// trade maps word hashes, and pair keys, to trade flags.
var trade = func() *tradeTable {
	m := make(map[uint64]uint8, 512)
	var flag uint8
	for _, line := range strings.Split(tradeList, "\n") {
		if s, ok := strings.CutPrefix(line, "#! "); ok {
			switch name, _, _ := strings.Cut(s, ":"); name {
			case "inside":
				flag = tradeInside
			case "after":
				flag = tradeAfter
			case "after-verb":
				flag = tradeAfter | tradeVerb
			case "before":
				flag = tradeBefore
			case "brands":
				flag = tradeBrand
			}
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		w := strings.Fields(line)
		if flag&(tradeBefore|tradeBrand) == 0 {
			for _, x := range w {
				m[hashString(x)] |= flag
			}
			continue
		}
		for i := 0; i+1 < len(w); i++ {
			m[pairKey(hashString(w[i]), hashString(w[i+1]))] |= flag
		}
	}
	t := &tradeTable{gazTable: newGazTable(m)}
	for h := range m {
		t.bloom[h>>49/64] |= 1 << (h >> 49 % 64)
	}
	return t
}()

// A tradeTable is a gazTable with a bit set of its keys in front: most
// words and pairs of a run are on no trade list, and a bit costs less
// than a probe.
type tradeTable struct {
	*gazTable
	bloom [1 << 15 / 64]uint64
}

func (t *tradeTable) get(h uint64) uint8 {
	if t.bloom[h>>49/64]&(1<<(h>>49%64)) == 0 {
		return 0
	}
	return t.gazTable.get(h)
}

// pairKey mixes the hashes of two words in order.
func pairKey(a, b uint64) uint64 { return mix(a*0x9E3779B97F4A7C15, b) }

// nameWord reports whether t is on a given-name or surname list.
func nameWord(t *tok) bool { return t.gaz&(gazGiven|gazSurname) != 0 }

// tradeVeto returns the words of the run in win that cannot be names, as
// bits (1<<i for run word i).
func tradeVeto(text string, win *window) uint8 {
	t := &win.toks
	n := win.n
	run := t[2 : 2+n]
	all := uint8(1)<<n - 1
	// A shop or company word inside the run: "Blue Fern Boutique",
	// "Sunny Official Store", "Saint Mary Hospital".
	// The word itself ends a shop's name when a capitalised word stands
	// right before the run: "Harbor Mart", where "Harbor" is common.
	var veto uint8
	for i := 0; i < n; i++ {
		if run[i].cap && trade.get(run[i].hash)&tradeInside != 0 && (i > 0 || t[1].cap && t[1].gapAfter == gapSpace) {
			veto = uint8(1)<<(i+1) - 1
		}
	}
	// A product noun or shop word right after: "Michael Kors bag", "Sunny
	// shop", "the Luma team"; not after a possessive ("Anna's bag").
	// One given name before a word that is also a verb stays a name: "Let
	// Anna watch the kids".
	if a := &t[2+n]; a.shape != shapeNone && !a.ph && a.gap == gapSpace && !run[n-1].possessive {
		if f := trade.get(a.hash); f&tradeAfter != 0 && (f&tradeVerb == 0 || n > 1 || run[0].gaz&gazGiven == 0) {
			return all
		}
	}
	// "Welcome to …", "the virtual assistant of …": the second word is
	// short.
	if t[0].shape != shapeNone && t[1].shape != shapeNone && t[1].gapAfter == gapSpace && t[1].end-t[1].start <= 3 &&
		trade.get(pairKey(t[0].hash, t[1].hash))&tradeBefore != 0 {
		return all
	}
	// A known brand named after people, with the words on either side:
	// "Ralph Lauren", "Dr. Martens", "Ben & Jerry's"; the whole run goes.
	for j := 1; j < 2+n; j++ {
		a, b := &t[j], &t[j+1]
		if a.shape == shapeNone || b.shape == shapeNone || a.ph || b.ph || b.gap >= gapSentence && b.gap <= gapColon {
			continue
		}
		if trade.get(pairKey(a.hash, b.hash))&tradeBrand != 0 {
			return all // the rest of the run names a product: "Ralph Lauren Polo"
		}
	}
	// A run with no word on a name list needs more than its looks where
	// English names are rare or the text says nothing else: a single word
	// that is the whole text ("Zhejiang", "Applepay"), or Latin words in
	// Chinese text ("Visionsky", brands and models).
	for i := range run {
		if nameWord(&run[i]) {
			return veto
		}
	}
	if n == 1 && alone(text, run[0].start, run[0].end) || hanNear(text, run[0].start, run[n-1].end) {
		return all
	}
	return veto
}

// hanNear reports whether a Chinese character stands within a few bytes
// before s or after e: "无法更换的哦 Visionsky", "请问 Quorvix 的耳机".
func hanNear(text string, s, e int) bool {
	const near = 12 // four Chinese characters, or spaces and punctuation
	for i := max(s-near, 0); i < s; i++ {
		if text[i] >= 0xE2 {
			if r, _ := utf8.DecodeRuneInString(text[i:]); han(r) {
				return true
			}
		}
	}
	for i := e; i < min(e+near, len(text)); i++ {
		if text[i] >= 0xE2 {
			if r, _ := utf8.DecodeRuneInString(text[i:]); han(r) {
				return true
			}
		}
	}
	return false
}

// alone reports whether text holds nothing but text[s:e] and ASCII spaces
// and punctuation.
func alone(text string, s, e int) bool {
	for i := 0; i < len(text); i++ {
		if i == s {
			i = e - 1
			continue
		}
		if c := text[i]; c >= 0x80 || asciiWord[c] {
			return false
		}
	}
	return true
}
