package pii

import (
	"strings"
	"unicode/utf8"
)

// Chinese addresses are read as a chain of levels: a province from the
// list, a name ending in a level suffix (朝阳区, 建国路, 桂花城), or a
// number ending in a number suffix (88号, 2单元, 1508室, 3-2-501). An
// address stands without a cue when it has two levels or more and ends at
// a number, one of them named (a district or a road); after an address
// cue ("地址：", "寄到") two levels of any kind are enough.

// appendAddresses appends the addresses of text that lie between the spans
// dst[first:], keeping them in order.
func appendAddresses(dst []Span, first int, text string, hits []hit, digit, upper bool, runs, caps []int) []Span {
	for _, h := range hits {
		if h.kind != cueAddress && h.kind != cueProvince && h.kind != cuePOBox {
			continue
		}
		if inSpans(dst[first:], h.start) || h.kind == cueAddress && gluedToPlaceholder(text, h.start) {
			continue
		}
		if h.kind == cuePOBox {
			if s, ok := poBoxAt(text, h, dst[first:]); ok {
				dst = insert(dst, first, s)
			}
			continue
		}
		if r := hanBefore(text, h.start); h.kind == cueProvince && r != 0 && !placeStop[r] {
			continue // inside a name (广州市北京路): read from its number, below
		}
		var s Span
		ok := false
		if h.kind == cueProvince {
			s, ok = cnAddressAt(text, h.start, dst[first:], false)
		} else {
			p, _ := skipFillers(text, h.end, addressFillers)
			if hanAt(text, p) != 0 {
				s, ok = cnAddressAt(text, p, dst[first:], true)
			} else {
				s, ok = enAddressAt(text, p, dst[first:], true)
			}
		}
		if ok {
			dst = insert(dst, first, s)
		}
	}
	if digit {
		dst = appendCNAnchored(dst, first, text, runs)
		// An English street has a capitalised word, or an address context.
		dst = appendENAddresses(dst, first, text, runs, caps, upper)
	}
	return dst
}

// addressFillers may stand between an address cue and the address.
var addressFillers = []string{
	"改成", "改为", "改到", "写成", "是", "为", "在", "写", "：", ":", "-", "is", "was", "now",
}

// hanAt returns the Han character (CJK unified ideograph) at p, or 0.
func hanAt(text string, p int) rune {
	if p+3 > len(text) {
		return 0
	}
	c := text[p]
	if c < 0xE3 || c > 0xE9 || text[p+1]&0xC0 != 0x80 || text[p+2]&0xC0 != 0x80 {
		return 0
	}
	r := rune(c&0x0F)<<12 | rune(text[p+1]&0x3F)<<6 | rune(text[p+2]&0x3F)
	if r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF {
		return r
	}
	return 0
}

// hanBefore returns the Han character that ends at p, or 0.
func hanBefore(text string, p int) rune {
	if p < 3 {
		return 0
	}
	return hanAt(text, p-3)
}

// cnParse counts the levels of an address read so far: named (a district,
// a road), compound (a name with a compound suffix: 阳光花园), bare (a
// compound without one: 绿地海珀), and numbers, of which house numbers
// (号, 弄) and building numbers (栋, 单元, 室) are strong; a floor or a
// phase (3楼, 二期) is not.
type cnParse struct {
	end                                  int
	named, compound, bare, number, house int
	building                             int
}

func (c cnParse) levels() int { return c.named + c.compound + c.bare + c.number }

// standalone reports whether the levels make an address without a cue.
func (c cnParse) standalone() bool {
	return c.levels() >= 2 && c.house >= 1 &&
		(c.named >= 1 || c.compound >= 1 || c.bare >= 1 && c.building >= 1 && c.house >= 2)
}

// cnAddressAt reads a Chinese address starting at p, up to the next span.
func cnAddressAt(text string, p int, spans []Span, cue bool) (Span, bool) {
	limit := nextSpan(spans, p, len(text))
	all, num := parseCN(text, p, limit)
	if cue && all.levels() >= 2 {
		return Span{Address, p, all.end}, true
	}
	if num.standalone() {
		return Span{Address, p, num.end}, true
	}
	return Span{}, false
}

// parseCN reads the levels at p; all is everything read, num what was
// read up to the last number level.
func parseCN(text string, p, limit int) (all, num cnParse) {
	all.end = p
	afterBuilding := false
	for seg := 0; seg < 16; seg++ {
		q := p
		if seg > 0 && q < limit && text[q] == ' ' {
			q++
		}
		if e := provinceAt(text, q, limit); e > 0 {
			all.named++
			p, all.end = e, e
			continue
		}
		if e, class := numberLevel(text, q, limit); e > 0 {
			all.number++
			if class >= classHouse {
				all.house++
			}
			if class == classBuilding {
				all.building++
			}
			p, all.end = e, e
			num = all
			afterBuilding = class == classBuilding && !strings.HasSuffix(text[:e], "室")
			continue
		}
		// A room without 室 right after a building or unit: 3单元502.
		if e := roomNumber(text, p, limit); afterBuilding && e > 0 {
			all.number++
			all.building++
			p, all.end = e, e
			num = all
			break
		}
		e, runEnd, named, compound, rest := hanRun(text, q, limit)
		if named+compound > 0 {
			all.named += named
			all.compound += compound
			p, all.end = e, e
			continue
		}
		// A compound without a suffix: 绿地海珀9栋; short if it comes first.
		if e, _ := numberLevel(text, runEnd, limit); rest >= 2 && (rest <= 5 || seg > 0 && rest <= 8) && e > 0 {
			all.bare++
			p = runEnd
			continue
		}
		break
	}
	return all, num
}

// roomNumber returns the end of a room number of 3–4 digits at p (502,
// 1202) that ends there, or 0: not followed by a digit, a letter, a
// decimal point or a measure word (502元, 1202件).
func roomNumber(text string, p, limit int) int {
	q := p
	for q < limit && isDigit(text[q]) {
		q++
	}
	if n := q - p; n < 3 || n > 4 || text[p] == '0' {
		return 0
	}
	if q < limit && (isWordByte(text[q]) || text[q] == '.' || text[q] == '-' || text[q] == '/') ||
		notRoom[hanAt(text, q)] {
		return 0
	}
	if _, w := digitAt(text, q, limit); w > 0 {
		return 0
	}
	return q
}

// notRoom follow a number that counts or measures rather than names a
// room.
var notRoom = runeSet(`元块件个次天年月日号分秒米斤克台位人条张本箱包瓶元角毛岁`)

// provinceAt returns the end of a province name and its suffix at p, or 0.
func provinceAt(text string, p, limit int) int {
	r := hanAt(text, p)
	if r == 0 || hanCueIndex[r] == 0 {
		return 0
	}
	for _, c := range hanCues[hanCueIndex[r]] {
		if c.kind != cueProvince || !strings.HasPrefix(text[p:limit], c.word) {
			continue
		}
		e := p + len(c.word)
		for _, s := range provinceSuffixes {
			if strings.HasPrefix(text[e:limit], s) {
				return e + len(s)
			}
		}
		return e
	}
	return 0
}

// Classes of number levels.
const (
	classFloor    = 1 + iota // 3楼, 二期
	classHouse               // 318号, 12弄
	classBuilding            // 9栋, 2单元, 1508室
)

// numberLevel returns the end of a number level at p and its class, or 0:
// digits (or a letter, A座) in groups joined by '-' and a number suffix,
// or two or more groups without one (3-2-501); Chinese numerals only
// before a building suffix (三栋, 二单元).
func numberLevel(text string, p, limit int) (int, int) {
	groups, numerals := 0, false
	for {
		start, n := p, 0
		for p < limit {
			if _, w := digitAt(text, p, limit); w > 0 {
				p += w
				n++
			} else if r := hanAt(text, p); r != 0 && chineseNumerals[r] && p+3 <= limit {
				p += 3
				n++
				numerals = true
			} else {
				break
			}
		}
		if n == 0 && groups == 0 && p < limit && isLetter(text[p]) && (p == 0 || !isAlnum(text[p-1])) &&
			(p+1 >= limit || !isLetter(text[p+1])) {
			p++ // A座, B2栋
			for p < limit && isDigit(text[p]) {
				p++
			}
			n = p - start
		}
		if n == 0 || n > 6 {
			return 0, 0
		}
		groups++
		if p+1 < limit && text[p] == '-' && isDigit(text[p+1]) && groups < 4 {
			p++
			continue
		}
		break
	}
	for _, s := range numberSuffixes {
		if !strings.HasPrefix(text[p:limit], s) {
			continue
		}
		e := p + len(s)
		class := numberClass(s)
		if s == "号" && notHouse[hanAt(text, e)] || numerals && (class != classBuilding || s == "座") && s != "期" {
			return 0, 0
		}
		return e, class
	}
	if groups >= 2 && !numerals {
		return p, classHouse
	}
	return 0, 0
}

func numberClass(suffix string) int {
	switch suffix {
	case "号", "号院", "弄":
		return classHouse
	case "号楼", "栋", "幢", "座", "单元", "室":
		return classBuilding
	}
	return classFloor
}

// notHouse follow 号 when it is no house number: 3号线 (a metro line),
// 5号码, 8号机, 2号店.
var notHouse = runeSet(`线码机店位车台窗柜`)

// hanRun reads the run of Han characters (none a placeStop) at p, at most
// 20, and finds the level suffixes in it, the first after a name of one
// character or more. It returns the end of the last suffix (p if none),
// the end of the run, the named and compound levels, and how many
// characters follow the last suffix.
func hanRun(text string, p, limit int) (end, runEnd, named, compound, rest int) {
	runEnd = p
	for k := 0; k < 20; k++ {
		r := hanAt(text, runEnd)
		if r == 0 || runEnd+3 > limit || placeStop[r] {
			break
		}
		runEnd += 3
	}
	end = p
	for k := p + 3; k < runEnd; {
		kind, n := levelSuffix(text[p:runEnd], k-p)
		if n == 0 {
			k += 3
			continue
		}
		if kind == 1 {
			named++
		} else {
			compound++
		}
		end = k + n
		k = end // 学院路: a suffix may follow a suffix
	}
	return end, runEnd, named, compound, (runEnd - end) / 3
}

// levelSuffix returns the kind (1 named, 2 compound) and length of the
// level suffix at run[k:], or 0 if none or if it ends a word of notPlace.
func levelSuffix(run string, k int) (int, int) {
	if r := hanAt(run, k); suffixStart[r/64&1023]&(1<<(r%64)) == 0 {
		return 0, 0 // most characters start no suffix: one look decides
	}
	kind, n := 0, 0
	for _, l := range [...]struct {
		kind int
		list []string
	}{{1, adminSuffixes}, {1, roadSuffixes}, {2, compoundSuffixes}} {
		for _, s := range l.list {
			if len(s) > n && strings.HasPrefix(run[k:], s) {
				kind, n = l.kind, len(s)
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	for _, w := range notPlace {
		if e := k + n; e >= len(w) && run[e-len(w):e] == w {
			return 0, 0
		}
	}
	return kind, n
}

// suffixStart marks the first characters of the level suffixes.
var suffixStart = func() (m [1 << 16 / 64]uint64) {
	for _, l := range [][]string{adminSuffixes, roadSuffixes, compoundSuffixes} {
		for _, s := range l {
			r, _ := utf8.DecodeRuneInString(s)
			m[r/64] |= 1 << (r % 64)
		}
	}
	return m
}()

// appendCNAnchored appends the Chinese addresses found from their numbers:
// for each number level right after a Han character, the address is read
// from the earliest point before it (back to a placeStop, at most 24
// characters) from which it parses through the number.
func appendCNAnchored(dst []Span, first int, text string, runs []int) []Span {
	k := 0
	for i := 3; i < len(text); i++ {
		for k < len(runs) && runs[k] < i {
			k++
		}
		if k == len(runs) {
			break
		}
		i = runs[k]
		if _, w := digitAt(text, i, len(text)); w == 0 || hanBefore(text, i) == 0 {
			continue
		}
		spans := dst[first:]
		if inSpans(spans, i) {
			continue
		}
		e, _ := numberLevel(text, i, nextSpan(spans, i, len(text)))
		if e == 0 {
			continue
		}
		rs := i
		for k := 0; k < 24; k++ {
			r := hanBefore(text, rs)
			if r == 0 || placeStop[r] || spanEdge(spans, rs) {
				break
			}
			rs -= 3
		}
		for s := rs; s < i; s += 3 {
			if sp, ok := cnAddressAt(text, s, spans, false); ok && sp.End >= e {
				dst = insert(dst, first, sp)
				i = sp.End - 1
				break
			}
		}
	}
	return dst
}
