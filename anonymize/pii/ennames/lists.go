package ennames

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// The word lists are facts written for veil (see the headers of the files
// in lists/). They are features of the tagger, never rules on their own.
var (
	//go:embed lists/given.txt
	givenList string
	//go:embed lists/surnames.txt
	surnameList string
	//go:embed lists/common.txt
	commonList string
	//go:embed lists/vocab.txt
	vocabList string
	//go:embed lists/places.txt
	placesList string
)

// List flags of a word.
const (
	gazGiven uint8 = 1 << iota
	gazSurname
	gazCommon
	gazParticle
	gazTitle
)

// particles stand inside a name in lower case: "Ludwig van Beethoven".
const particles = "van von de der den del della di da das dos du la le bin ibn al el ter ten"

// titles stand before a name and are not part of it.
const titles = "mr mrs ms miss mx dr prof sir madam madame mme mlle herr frau lord lady rev fr capt col gen lt sgt"

// gazetteer maps a folded word's hash to its list flags.
var gazetteer = func() *gazTable {
	m := make(map[uint64]uint8, 6000)
	add := func(list string, flag uint8) {
		for _, line := range strings.Split(list, "\n") {
			if strings.HasPrefix(line, "#") {
				continue
			}
			for _, w := range strings.Fields(line) {
				m[hashString(w)] |= flag
				if flag&(gazGiven|gazSurname|gazTitle) != 0 && len(w) > 2 {
					k1, k2 := prefixKey(w, 0, len(w))
					nameStarts[k1/64] |= 1 << (k1 % 64)
					nameStarts[k2/64] |= 1 << (k2 % 64)
				}
			}
		}
	}
	add(givenList, gazGiven)
	add(surnameList, gazSurname)
	add(commonList, gazCommon)
	add(vocabList, gazCommon)
	add(placesList, gazCommon)
	add(titles, gazTitle)
	for _, w := range strings.Fields(particles) {
		h := hashString(w)
		m[h] = m[h]&^gazSurname | gazParticle // "de", "van": not surnames alone
	}
	return newGazTable(m)
}()

// nameStarts is a bit set of the first four and last letters and the
// length of the ASCII names and titles on the lists: a word of a text
// without capitals whose bit is clear is no name, and costs no look-up.
var nameStarts [1 << 10]uint64

// prefixKey hashes the folded first four and last bytes and the length of
// text[p:e], an ASCII word of three or more letters, to two bits of
// nameStarts (a Bloom filter).
func prefixKey(text string, p, e int) (uint32, uint32) {
	k := uint64(text[p]|0x20)<<24 | uint64(text[p+1]|0x20)<<16 | uint64(text[p+2]|0x20)<<8 |
		uint64(text[min(p+3, e-1)]|0x20) | uint64(text[e-1]|0x20)<<32 | uint64(min(e-p, 15))<<40
	k *= 0x9E3779B97F4A7C15
	return uint32(k >> 48), uint32(k>>32) & 0xFFFF
}

// mayBeName reports whether the ASCII word text[p:e] may be on a name list.
func mayBeName(text string, p, e int) bool {
	k1, k2 := prefixKey(text, p, e)
	return nameStarts[k1/64]&(1<<(k1%64)) != 0 && nameStarts[k2/64]&(1<<(k2%64)) != 0
}

// gazTable is an open-addressing hash table from word hashes to flags,
// faster than a map for the few look-ups a run makes. A slot holds the
// hash with its low byte replaced by the flags: one cache line per look-up.
type gazTable struct {
	slots []uint64
	mask  uint64
}

func newGazTable(m map[uint64]uint8) *gazTable {
	n := 1
	for n < 2*len(m) {
		n <<= 1
	}
	t := &gazTable{slots: make([]uint64, n), mask: uint64(n - 1)}
	for h, f := range m {
		i := h >> 32 & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = h&^0xFF | uint64(f) | 1<<8 // bit 8 set: never 0
	}
	return t
}

// get returns the flags of hash h, 0 if it is in no list.
func (t *gazTable) get(h uint64) uint8 {
	key := h&^0xFF | 1<<8
	for i := h >> 32 & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s&^0xFF == key {
			return uint8(s)
		}
		if s == 0 {
			return 0
		}
	}
}

// flagsOf returns the list flags of the word text[s:e] whose hash is h. A
// word on no list whose stem is a common word is common too: "Deals",
// "Approved", "Secretly", "Shipping" (the lists hold base forms).
func flagsOf(text string, s, e int, h uint64) uint8 {
	if g := gazetteer.get(h); g != 0 || e-s < 5 {
		return g
	}
	w := text[s:e]
	last := w[len(w)-1] | 0x20
	switch last { // the last letters of the suffixes below
	case 's', 'd', 'g', 'y', 'r', 't', 'n':
	default:
		return 0
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return 0
		}
	}
	if len(w) >= 8 {
		for _, s := range occupations {
			if len(w) > len(s)+2 && hasSuffixFold(w, s) {
				return gazCommon // "Echocardiographer", "Radiologist"
			}
		}
	}
	if last == 't' || last == 'n' {
		return 0
	}
	for _, st := range stemsEnding(last) {
		if len(w) > len(st.suffix)+2 && hasSuffixFold(w, st.suffix) {
			if gazetteer.get(hashStem(w[:len(w)-len(st.suffix)], st.add))&gazCommon != 0 {
				return gazCommon
			}
		}
	}
	return 0
}

// occupations are endings of job titles, which no name shares.
var occupations = [...]string{"grapher", "ologist", "ographers", "ologists", "ician", "icians", "iatrist", "therapist"}

// stems undo English inflections: a suffix and what replaces it, grouped
// by the suffix's last letter.
var stems = [...]struct{ suffix, add string }{
	{"ies", "y"}, {"es", ""}, {"s", ""}, {"ers", ""}, // s: 0-4
	{"ied", "y"}, {"ed", ""}, {"ed", "e"}, // d: 4-7
	{"ing", ""}, {"ing", "e"}, // g: 7-9
	{"ily", "y"}, {"ly", ""}, // y: 9-11
	{"er", ""}, // r: 11-12
}

// stemsEnding returns the stems whose suffix ends with the letter c.
func stemsEnding(c byte) []struct{ suffix, add string } {
	switch c {
	case 's':
		return stems[0:4]
	case 'd':
		return stems[4:7]
	case 'g':
		return stems[7:9]
	case 'y':
		return stems[9:11]
	case 'r':
		return stems[11:12]
	}
	return nil
}

func hasSuffixFold(w, suffix string) bool {
	if len(w) < len(suffix) {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		c := w[len(w)-len(suffix)+i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
	}
	return true
}

// hashStem hashes the folded ASCII stem followed by add, as hashWord would
// hash the word they spell.
func hashStem(stem, add string) uint64 {
	w := wordHasher{h: fnvOffset}
	for i := 0; i < len(stem); i++ {
		b := stem[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		w.add(b)
	}
	for i := 0; i < len(add); i++ {
		w.add(add[i])
	}
	return w.sum()
}
