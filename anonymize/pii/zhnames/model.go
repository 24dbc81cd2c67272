package zhnames

import (
	_ "embed"
	"math"
	"strconv"
	"strings"
	"sync"
)

// The tables are derived by internal/gen from jieba's dictionary (MIT) as
// gse ships it; surnames.txt is written for veil.
var (
	//go:embed words.txt
	wordsTxt string
	//go:embed given.txt
	givenTxt string
	//go:embed surnames.txt
	surnamesTxt string
)

// Han characters of the basic plane that the tables index: CJK extension A
// and the unified ideographs.
const (
	hanLo = 0x3400
	hanHi = 0x9fff
)

func isHan(r rune) bool { return r >= hanLo && r <= hanHi }

// model holds costs, natural logs of inverse probabilities: the lower, the
// likelier.
type model struct {
	words wordTable
	// surname[r] is the cost of r as a single-character surname, +Inf for
	// a character that is none; compound lists two-character surnames.
	surname  []float32
	compound map[[2]rune]float32
	ctx      flagTable // context words, by the ctx flags
	// candBits, ctxHead and ctxTail are bit sets of the characters that
	// start a name, start a context word and end one: small enough to stay
	// in the first-level cache while the text is scanned.
	candBits, translitBits, ctxHead, ctxTail []uint64
	// headLong[n-2] and tailLong[n-2] mark the characters that start or
	// end a context word of n characters or more, so that the lookups of
	// longer words are skipped where none can match.
	headLong, tailLong [3][]uint64
	scanBits           []uint64  // candBits | translitBits
	known              wordTable // names of two characters jieba found beyond its dictionary
	// one is the cost of each character as a word; pairs has a bit set
	// for the first two characters of every longer word, so most
	// lookups in words are skipped.
	one      []float32
	oneClass []uint8
	pairs    []uint64
	persons  []uint64    // a bit set for each word tagged as a name
	has      [3][]uint64 // words of two, three and four characters
	// compFirst marks the first characters of compound surnames; the
	// others mark the characters of the lists of the same names.
	compFirst, notGiven, placeEnd, translit, foreignCh, translitWide []uint64 // bit sets
	// rareGiven marks the characters of no name jieba lists (颐, 跻):
	// given only after a title.
	rareGiven []uint64
	// first, second and single are the costs of a character as the first
	// or second of two given-name characters, or as the only one.
	first, second, single []float32
	// ch holds one, first, second and single side by side, one cache
	// line a character on the hot path.
	ch      []charCost
	unknown float32 // a character in no word
}

var (
	loadOnce sync.Once
	tables   *model
)

func get() *model {
	loadOnce.Do(func() { tables = load() })
	return tables
}

func load() *model {
	m := &model{
		surname:      filled(infCost),
		compound:     map[[2]rune]float32{},
		first:        filled(0),
		second:       filled(0),
		single:       filled(0),
		compFirst:    make([]uint64, (hanHi-hanLo+64)/64),
		candBits:     make([]uint64, (hanHi-hanLo+64)/64),
		translitBits: make([]uint64, (hanHi-hanLo+64)/64),
		ctxHead:      make([]uint64, (hanHi-hanLo+64)/64),
		ctxTail:      make([]uint64, (hanHi-hanLo+64)/64),
		notGiven:     runeFlags(notGiven),
		rareGiven:    make([]uint64, (hanHi-hanLo+64)/64),
		placeEnd:     runeFlags(placeEnd),
		translit:     runeFlags(translit + foreignChars),
		foreignCh:    runeFlags(foreignChars),
		translitWide: runeFlags(translitWide),
	}
	for _, r := range translit + foreignChars {
		if isHan(r) {
			setBit(m.translitBits, r)
		}
	}
	m.loadWords()
	m.loadNames()
	m.ch = make([]charCost, len(m.one))
	for i := range m.ch {
		m.ch[i] = charCost{m.one[i], m.first[i], m.second[i], m.single[i]}
	}
	m.scanBits = make([]uint64, len(m.candBits))
	for i := range m.scanBits {
		m.scanBits[i] = m.candBits[i] | m.translitBits[i]
	}
	for i := range m.headLong {
		m.headLong[i] = make([]uint64, len(m.ctxHead))
		m.tailLong[i] = make([]uint64, len(m.ctxTail))
	}
	n := 0
	for _, ws := range ctxWords {
		n += len(strings.Fields(ws))
	}
	m.ctx.init(n)
	for flag, ws := range ctxWords {
		for _, w := range strings.Fields(ws) {
			if k, ok := packString(w); ok {
				m.ctx.put(k, m.ctx.get(k)|flag)
				rs := []rune(w)
				setBit(m.ctxHead, rs[0])
				setBit(m.ctxTail, rs[len(rs)-1])
				for n := 2; n <= min(len(rs), 4); n++ {
					setBit(m.headLong[n-2], rs[0])
					setBit(m.tailLong[n-2], rs[len(rs)-1])
				}
			}
		}
	}
	return m
}

func runeFlags(s string) []uint64 {
	f := make([]uint64, (hanHi-hanLo+64)/64)
	for _, r := range s {
		if isHan(r) {
			setBit(f, r)
		}
	}
	return f
}

func filled(v float32) []float32 {
	s := make([]float32, hanHi-hanLo+1)
	for i := range s {
		s[i] = v
	}
	return s
}

// nrPenalty is added to the cost of a word jieba tags as a name (nr):
// many of them are words (谢谢, 文明, 吉林), but a share of their
// occurrences are the person, whom the name model then claims.
var nrPenalty float32 = 2

func (m *model) loadWords() {
	lines := strings.Split(wordsTxt, "\n")
	total := 0.0
	m.words.init(len(lines))
	for _, line := range lines {
		fs := strings.Fields(line)
		if len(fs) < 2 || fs[0] == "#" {
			continue
		}
		n, err := strconv.Atoi(fs[1])
		if err != nil {
			panic("zhnames: words.txt: " + err.Error()) // a committed table, checked by tests
		}
		if fs[0] == "total" {
			total = float64(n)
			continue
		}
		k, ok := packString(fs[0])
		if !ok {
			continue
		}
		c := float32(math.Log(total / float64(n)))
		slot := wordSlot{key: k, cost: c}
		if len(fs) > 2 {
			slot.person, slot.class = fs[2] == "p", classOf[fs[2]]
		}
		m.words.putSlot(slot)
		m.notePair(k)
		if slot.person {
			if m.persons == nil {
				m.persons = make([]uint64, wordBits/64)
			}
			h := bitSlot(k)
			m.persons[h/64] |= 1 << (h % 64)
		}
	}
	for _, w := range extraWords {
		if k, ok := packString(w); ok {
			if c, _, found := m.words.get(k); !found || c > float32(math.Log(total/extraFreq)) {
				m.words.put(k, float32(math.Log(total/extraFreq)), false)
				m.notePair(k)
			}
		}
	}
	m.unknown = float32(math.Log(total))
	m.one = filled(m.unknown)
	m.oneClass = make([]uint8, len(m.one))
	for i := range m.one {
		if s, ok := m.words.slotOf(uint64(i + hanLo)); ok {
			m.one[i], m.oneClass[i] = s.cost, s.class
			if s.person {
				m.one[i] += nrPenalty
			}
		}
	}
}

// wordBits is the size of each bit set of words, by length.
const wordBits = 1 << 20

func bitSlot(k uint64) uint64 { return k * 0x9e3779b97f4a7c15 >> (64 - 20) }

// notePair sets the bits of the word k: its own in the set of its length,
// and that of its first two characters in pairs.
func (m *model) notePair(k uint64) {
	if m.pairs == nil {
		m.pairs = make([]uint64, wordBits/64)
		for i := range m.has {
			m.has[i] = make([]uint64, wordBits/64)
		}
	}
	n := 0
	for x := k; x != 0; x >>= 16 {
		n++
	}
	if n < 2 {
		return
	}
	h := bitSlot(k)
	m.has[n-2][h/64] |= 1 << (h % 64)
	h = bitSlot(k >> (16 * (n - 2)))
	m.pairs[h/64] |= 1 << (h % 64)
}

// mayPerson reports whether the word k may be tagged as a name.
func (m *model) mayPerson(k uint64) bool {
	h := bitSlot(k)
	return m.persons[h/64]&(1<<(h%64)) != 0
}

// pairAt reports whether some word may start with the two characters k.
func (m *model) pairAt(k uint64) bool {
	h := bitSlot(k)
	return m.pairs[h/64]&(1<<(h%64)) != 0
}

// mayHave reports whether the word k of n characters, two to four, may be
// in the table.
func (m *model) mayHave(k uint64, n int) bool {
	h := bitSlot(k)
	return m.has[n-2][h/64]&(1<<(h%64)) != 0
}

// Shares of one- and two-character given names. jieba's entries give
// 0.13 for one character; modern names use one more often than its
// sources, so the model takes 0.2.
const (
	oneGiven   = 0.2
	twoGiven   = 0.8
	smooth     = 0.2 // added to every character count
	minGiven   = 1   // a character in no name is never a given name
	givenPrior = 10  // names added for each character of commonGiven
)

func (m *model) loadNames() {
	type counts struct{ f, s, o float64 }
	given := map[rune]counts{}
	sur := map[string]float64{}
	var nf, ns, no, nsur float64
	m.known.init(strings.Count(givenTxt, "\nN "))
	for _, line := range strings.Split(givenTxt, "\n") {
		fs := strings.Fields(line)
		switch {
		case len(fs) == 3 && fs[0] == "S":
			n, _ := strconv.Atoi(fs[2])
			sur[fs[1]] = float64(n)
			nsur += float64(n)
		case len(fs) == 2 && fs[0] == "N":
			if k, ok := packString(fs[1]); ok {
				m.known.put(k, 0, true)
			}
		case len(fs) == 5 && fs[0] == "G":
			r := []rune(fs[1])[0]
			f, _ := strconv.Atoi(fs[2])
			s, _ := strconv.Atoi(fs[3])
			o, _ := strconv.Atoi(fs[4])
			given[r] = counts{float64(f), float64(s), float64(o)}
			nf += float64(f)
			ns += float64(s)
			no += float64(o)
		}
	}
	for _, r := range commonGiven {
		c := given[r]
		c.f += givenPrior
		c.s += givenPrior
		c.o += givenPrior / 4
		given[r] = c
		nf += givenPrior
		ns += givenPrior
		no += givenPrior / 4
	}
	v := float64(len(given))
	for i := range m.first {
		c := given[rune(i+hanLo)]
		if c.f+c.s+c.o < minGiven {
			setBit(m.rareGiven, rune(i+hanLo))
		}
		m.first[i] = float32(-math.Log(twoGiven * (c.f + smooth) / (nf + smooth*v)))
		m.second[i] = float32(-math.Log((c.s + smooth) / (ns + smooth*v)))
		m.single[i] = float32(-math.Log(oneGiven * (c.o + smooth) / (no + smooth*v)))
	}
	singles, compounds := surnameLists()
	nsur += float64(len(singles) + len(compounds))
	for _, r := range singles {
		m.surname[r-hanLo] = float32(-math.Log((sur[string(r)] + 1) / nsur))
		setBit(m.candBits, r)
	}
	for _, s := range compounds {
		rs := []rune(s)
		m.compound[[2]rune{rs[0], rs[1]}] = float32(-math.Log((sur[s] + 1) / nsur))
		setBit(m.candBits, rs[0])
		setBit(m.compFirst, rs[0])
	}
}

// surnameLists reads surnames.txt: single characters on lines without a
// blank, compound surnames between blanks.
func surnameLists() (singles []rune, compounds []string) {
	for _, line := range strings.Split(surnamesTxt, "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
		case strings.Contains(line, " "):
			compounds = append(compounds, strings.Fields(line)...)
		default:
			for _, r := range line {
				if isHan(r) {
					singles = append(singles, r)
				}
			}
		}
	}
	return singles, compounds
}

// packString packs a word of one to four Han characters of the basic plane
// into a key, 16 bits a character.
func packString(w string) (uint64, bool) {
	var k uint64
	n := 0
	for _, r := range w {
		if !isHan(r) || n == 4 {
			return 0, false
		}
		k = k<<16 | uint64(r)
		n++
	}
	return k, n > 0
}

// wordTable is an open-addressing hash table from packed words to costs,
// a slot to a cache line's quarter so that a lookup costs one miss.
type wordTable struct {
	slots []wordSlot
	shift uint
}

type wordSlot struct {
	key    uint64
	cost   float32
	person bool  // tagged as a name (nr)
	class  uint8 // classVerb, …, or 0
}

// Word classes from jieba's tags, which tell a name beside them.
const (
	classVerb = 1 << iota
	classAdverb
	classPrep
	classConj
	classParticle
)

var classOf = map[string]uint8{"V": classVerb, "D": classAdverb, "P": classPrep, "C": classConj, "U": classParticle}

func (t *wordTable) init(n int) {
	size, bits := 1, uint(0)
	for size < n*3/2 {
		size <<= 1
		bits++
	}
	t.slots = make([]wordSlot, size)
	t.shift = 64 - bits
}

func (t *wordTable) slot(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> t.shift }

func (t *wordTable) put(k uint64, c float32, person bool) {
	t.putSlot(wordSlot{key: k, cost: c, person: person})
}

func (t *wordTable) putSlot(w wordSlot) {
	mask := uint64(len(t.slots) - 1)
	for i := t.slot(w.key); ; i = (i + 1) & mask {
		if s := &t.slots[i]; s.key == 0 || s.key == w.key {
			*s = w
			return
		}
	}
}

// slotOf returns the slot of the word k, or false.
func (t *wordTable) slotOf(k uint64) (*wordSlot, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch s.key {
		case k:
			return s, true
		case 0:
			return nil, false
		}
	}
}

// get returns the cost of the word k and whether it is tagged as a name,
// or false.
func (t *wordTable) get(k uint64) (c float32, person, ok bool) {
	mask := uint64(len(t.slots) - 1)
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch s.key {
		case k:
			return s.cost, s.person, true
		case 0:
			return 0, false, false
		}
	}
}

// flagTable is an open-addressing hash table from packed words to flags.
type flagTable struct {
	keys  []uint64
	flags []uint8
	shift uint
}

func (t *flagTable) init(n int) {
	size, bits := 1, uint(0)
	for size < 4*n {
		size <<= 1
		bits++
	}
	t.keys = make([]uint64, size)
	t.flags = make([]uint8, size)
	t.shift = 64 - bits
}

func (t *flagTable) put(k uint64, f uint8) {
	mask := uint64(len(t.keys) - 1)
	for i := (k * 0x9e3779b97f4a7c15) >> t.shift; ; i = (i + 1) & mask {
		if t.keys[i] == 0 || t.keys[i] == k {
			t.keys[i], t.flags[i] = k, f
			return
		}
	}
}

func (t *flagTable) get(k uint64) uint8 {
	mask := uint64(len(t.keys) - 1)
	for i := (k * 0x9e3779b97f4a7c15) >> t.shift; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return t.flags[i]
		case 0:
			return 0
		}
	}
}

func setBit(set []uint64, r rune) {
	i := uint(r - hanLo)
	set[i/64] |= 1 << (i % 64)
}

func hasBit(set []uint64, r rune) bool {
	i := uint(r - hanLo)
	return set[i/64]&(1<<(i%64)) != 0
}

// charCost is a character's cost as a word and as a given name's first,
// second or only character.
type charCost struct{ one, first, second, single float32 }
