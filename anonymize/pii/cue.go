package pii

import (
	"sort"
	"unicode/utf8"
)

// A cue is a word that announces personal data: "我叫" or "my name is"
// before a name, "护照号" before a passport number, "先生" after a name.
// Detectors that cannot tell a value from ordinary text on its own (a
// name, a QQ number, a passport of another country) only look where a cue
// is.
type cueKind uint8

const (
	cueName      cueKind = iota + 1 // a name follows: 我叫, 收件人, my name is, name:
	cueNameWeak                     // a name may follow: 我是, 本人, I'm, this is, under
	cueSignoff                      // a name follows and ends the text: Thanks, / Regards,
	cueHonorific                    // a surname or name follows: Mr, Ms, Dr
	cueTitle                        // a surname or name precedes: 先生, 女士, 小姐
	cueAddress                      // an address follows: 地址, 寄到, ship to
	cueProvince                     // a province-level name: a Chinese address may start here
	cuePassport                     // a passport number follows: 护照号, passport no.
	cueQQ                           // a QQ number follows: QQ, 扣扣
	cueWeChat                       // a WeChat id follows: 微信, wx, WeChat
	cuePhone                        // a phone number may follow: 电话, tel, call
	cueCard                         // a card number may follow: 卡号, card
	cueOrder                        // a shop's number follows, not PII: 订单号, order
	cueSSN                          // a US social security number follows: SSN
	cueBirth                        // a date of birth is near: DOB, born, 出生
	cuePOBox                        // a post office box: PO Box, Postfach
	cueIBAN                         // not a cue: a word that may start an IBAN (DE89…)
)

type cue struct {
	word  string // Chinese exactly; English case-insensitive, ' ' = 1+ blanks
	kind  cueKind
	first int // English: the letters and apostrophes that start word
}

// hit is one cue found in a text: text[start:end] is the cue word.
type hit struct {
	kind       cueKind
	start, end int
}

// maxHits is the room for cues kept on the stack; a chat line has a few,
// a longer text takes more room on the heap (cues are never dropped: a
// cue dropped from a text but read from its redaction, which holds fewer,
// would find there what redaction left).
const maxHits = 16

var (
	// hanCueIndex maps a character of the Basic Multilingual Plane to its
	// cues in hanCues (0: none); an array index is faster than a map.
	hanCueIndex [1 << 16]uint8
	hanMarks    [1 << 16 / 64]uint64    // hanCueIndex != 0 or a full-width digit, small enough to stay cached
	hanCues     = [][]cue{nil}          // longest first
	enCues      [26][maxFirst + 1][]cue // by first letter and c.first, longest first
	// enCueLens[k][second(b)], bit n: a cue in enCues[k][n] starts with
	// the letter 'a'+k then b. Most words are let go on this one test.
	enCueLens [26][28]uint16
)

// second maps the byte after a word's first letter to a column of
// enCueLens: a letter (any case), an apostrophe (' or the lead byte of
// U+2019), or anything else.
var second = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			t[c] = uint8(c|0x20) - 'a'
		case c == '\'' || c == 0xE2:
			t[c] = 26
		default:
			t[c] = 27
		}
	}
	return t
}()

func init() {
	add := func(c cue) {
		r, _ := utf8.DecodeRuneInString(c.word)
		if r < utf8.RuneSelf {
			k := r | 0x20 - 'a'
			c.first = letterRun(c.word)
			enCues[k][c.first] = append(enCues[k][c.first], c)
			col := uint8(27)
			if c.first > 1 {
				col = second[c.word[1]]
			}
			enCueLens[k][col] |= 1 << c.first
			if w := c.word[:c.first]; len(w) <= 8 && isLetters(w) {
				addCueFirst(firstKey(w))
			}
			return
		}
		if hanCueIndex[r] == 0 {
			if len(hanCues) == 256 {
				panic("pii: too many cue characters")
			}
			hanCueIndex[r] = uint8(len(hanCues))
			hanMarks[r/64] |= 1 << (r % 64)
			hanCues = append(hanCues, nil)
		}
		k := hanCueIndex[r]
		hanCues[k] = append(hanCues[k], c)
	}
	for _, c := range cueWords {
		add(cue{word: c.word, kind: c.kind})
	}
	for _, p := range provinces {
		add(cue{word: p, kind: cueProvince})
	}
	for r := rune(0xFF10); r <= 0xFF19; r++ {
		hanMarks[r/64] |= 1 << (r % 64)
	}
	longestFirst := func(cs []cue) {
		sort.SliceStable(cs, func(i, j int) bool { return len(cs[i].word) > len(cs[j].word) })
	}
	for _, cs := range hanCues {
		longestFirst(cs)
	}
	for k := range enCues {
		for _, cs := range enCues[k] {
			longestFirst(cs)
		}
	}
}

// cueWords are the cues, Chinese and English. English cues match at the
// start of a word, in any case.
var cueWords = []struct {
	word string
	kind cueKind
}{
	// Names, Chinese.
	{"我叫", cueName}, {"我的名字是", cueName}, {"我的名字叫", cueName}, {"名字是", cueName},
	{"名字叫", cueName}, {"名字：", cueName}, {"名字:", cueName}, {"姓名", cueName},
	{"收件人", cueName}, {"收货人", cueName}, {"联系人", cueName}, {"寄件人", cueName},
	{"签收人", cueName}, {"持卡人", cueName}, {"开户名", cueName}, {"开户人", cueName},
	{"户名", cueName}, {"取件人", cueName}, {"提货人", cueName}, {"叫我", cueNameWeak},
	{"我是", cueNameWeak}, {"本人", cueNameWeak}, {"找一下", cueNameWeak},
	{"先生", cueTitle}, {"女士", cueTitle}, {"小姐", cueTitle}, {"太太", cueTitle},
	// Names, English.
	{"my name is", cueName}, {"my name's", cueName}, {"name is", cueName}, {"name:", cueName},
	{"full name", cueName}, {"recipient:", cueName}, {"recipient is", cueName},
	{"receiver:", cueName}, {"addressee:", cueName}, {"consignee:", cueName},
	{"contact person", cueName}, {"contact name", cueName}, {"attn:", cueName},
	{"attn", cueName}, {"attention:", cueName}, {"c/o", cueName}, {"under the name of", cueName},
	{"under the name", cueName}, {"signed,", cueName},
	{"i'm", cueNameWeak}, {"i am", cueNameWeak}, {"this is", cueNameWeak}, {"it's", cueNameWeak},
	{"under", cueNameWeak}, {"dear", cueNameWeak}, {"hi", cueNameWeak}, {"hello", cueNameWeak},
	{"hey", cueNameWeak}, {"thanks,", cueSignoff}, {"thank you,", cueSignoff},
	{"regards,", cueSignoff}, {"best,", cueSignoff}, {"cheers,", cueSignoff},
	{"sincerely,", cueSignoff}, {"yours,", cueSignoff}, {"br,", cueSignoff},
	{"mr", cueHonorific}, {"mr.", cueHonorific}, {"mrs", cueHonorific}, {"mrs.", cueHonorific},
	{"ms", cueHonorific}, {"ms.", cueHonorific}, {"miss", cueHonorific}, {"dr", cueHonorific},
	{"dr.", cueHonorific}, {"prof.", cueHonorific}, {"prof", cueHonorific},
	// Addresses.
	{"地址", cueAddress}, {"收货地址", cueAddress}, {"寄到", cueAddress}, {"送到", cueAddress},
	{"发到", cueAddress}, {"寄往", cueAddress}, {"送至", cueAddress}, {"寄至", cueAddress},
	{"住在", cueAddress}, {"住址", cueAddress}, {"家住", cueAddress}, {"位于", cueAddress},
	{"ship to", cueAddress}, {"ship it to", cueAddress}, {"send it to", cueAddress},
	{"deliver to", cueAddress}, {"deliver it to", cueAddress}, {"address is", cueAddress},
	{"address:", cueAddress}, {"live at", cueAddress}, {"lives at", cueAddress},
	{"living at", cueAddress}, {"located at", cueAddress}, {"lives on", cueAddress},
	{"moved to", cueAddress},
	// Passports.
	{"护照", cuePassport}, {"passport", cuePassport},
	// QQ.
	{"qq", cueQQ}, {"扣扣", cueQQ}, {"q号", cueQQ},
	// WeChat.
	{"微信", cueWeChat}, {"wechat", cueWeChat}, {"weixin", cueWeChat}, {"wx", cueWeChat},
	{"vx", cueWeChat}, {"v信", cueWeChat}, {"威信", cueWeChat},
	// Phones: a national number without a trunk prefix is a phone only
	// after one of these.
	{"phone", cuePhone}, {"tel", cuePhone}, {"telephone", cuePhone}, {"mobile", cuePhone},
	{"cell", cuePhone}, {"fax", cuePhone}, {"call", cuePhone}, {"text me", cuePhone},
	{"whatsapp", cuePhone}, {"contact", cuePhone}, {"reach me", cuePhone}, {"number", cuePhone},
	{"desk", cuePhone}, {"电话", cuePhone}, {"手机", cuePhone}, {"联系方式", cuePhone},
	{"座机", cuePhone}, {"号码", cuePhone}, {"致电", cuePhone}, {"打我", cuePhone},
	{"拨打", cuePhone}, {"热线", cuePhone}, {"传真", cuePhone},
	// Cards: a 12-digit (Maestro) number is a card only after one of these.
	{"card", cueCard}, {"cc", cueCard}, {"卡号", cueCard}, {"银行卡", cueCard}, {"信用卡", cueCard},
	{"储蓄卡", cueCard},
	// US social security numbers: 9 digits without dashes only after these.
	{"ssn", cueSSN}, {"social security", cueSSN}, {"soc. sec.", cueSSN},
	// Dates of birth: a date near one of these is one.
	{"dob", cueBirth}, {"d.o.b.", cueBirth}, {"d.o.b", cueBirth}, {"date of birth", cueBirth},
	{"birth date", cueBirth}, {"birthdate", cueBirth}, {"birthday", cueBirth}, {"born", cueBirth},
	{"出生日期", cueBirth}, {"出生年月日", cueBirth}, {"出生年月", cueBirth}, {"出生", cueBirth},
	{"生日", cueBirth}, {"生于", cueBirth},
	// Post office boxes.
	{"po box", cuePOBox}, {"p.o. box", cuePOBox}, {"p. o. box", cuePOBox}, {"p.o.box", cuePOBox},
	{"post office box", cuePOBox}, {"postfach", cuePOBox}, {"postbus", cuePOBox},
	{"postboks", cuePOBox},
	// A shop's own numbers: what follows is no phone or card.
	{"订单号", cueOrder}, {"订单编号", cueOrder}, {"订单", cueOrder}, {"单号", cueOrder},
	{"运单", cueOrder}, {"快递单", cueOrder}, {"物流单", cueOrder}, {"交易号", cueOrder},
	{"流水号", cueOrder}, {"编号", cueOrder}, {"货号", cueOrder}, {"工单", cueOrder},
	{"发票号", cueOrder}, {"商品", cueOrder}, {"order", cueOrder}, {"orders", cueOrder},
	{"tracking", cueOrder}, {"waybill", cueOrder}, {"invoice", cueOrder},
	{"transaction", cueOrder}, {"ref", cueOrder}, {"reference", cueOrder}, {"sku", cueOrder},
	{"item", cueOrder}, {"parcel", cueOrder}, {"shipment", cueOrder},
}

// wordClass classes the bytes of English words: a table look-up is the
// cheapest test a byte loop can make.
var wordClass = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z':
			t[c] = classLetter
		case c >= 'A' && c <= 'Z':
			t[c] = classLetter | classUpper
		case c >= '0' && c <= '9':
			t[c] = classDigit
		}
	}
	return t
}()

const (
	classLetter = 1 << iota
	classUpper
	classDigit
)

// maxFirst bounds the first word of an English cue ("telephone").
const maxFirst = 15

// readWord matches the English cues at the word starting at i and returns
// the cue found (kind 0 if none), the end of the word and whether it holds
// a digit.
func (s *scan) readWord(text string, i int) (hit, int, bool) {
	w, acc := text[i:], byte(0)
	j := 0
	for ; j < len(w); j++ { // on a slice from i, with no bounds check
		k := wordClass[w[j]]
		if k == 0 {
			break
		}
		acc |= k
	}
	j += i
	if acc&classUpper != 0 {
		s.upper = true
	}
	if acc&classDigit != 0 {
		s.digit = true
	}
	// An apostrophe ends a word here (what follows it starts one, as it
	// would after a placeholder), but not a cue: "I'm", "it's".
	var n int
	if acc&classDigit == 0 && (j == len(text) || text[j] != '\'' && text[j] != 0xE2) {
		n = j - i // letters only, and no apostrophe: the common case
	} else {
		n = letterRun(text[i:])
	}
	var h hit
	if n == 2 && ibanStart(text, i, j) {
		return hit{cueIBAN, i, j}, j, true
	}
	if text[i]|0x20 == 'w' && hasPrefixFold(text[i:j], "wxid") {
		s.wxid = true
	}
	k := text[i] | 0x20 - 'a'
	col := uint8(27)
	if n > 1 {
		col = second[text[i+1]]
	}
	if n > maxFirst || enCueLens[k][col]&(1<<n) == 0 {
		return h, j, acc&classDigit != 0
	}
	for _, c := range enCues[k][n] {
		if n > 1 && second[c.word[1]] != col {
			continue
		}
		if end, ok := matchFold(text, i, c.word); ok {
			h = hit{c.kind, i, end}
			if end > j { // a cue of several words: go past it
				j = end
			}
			break
		}
	}
	return h, j, acc&classDigit != 0
}

// cueFirsts is the set of the first words of English cues, as firstKey
// packs them: a word of letters that is none is no cue, and is told so
// without a call. An open-addressing table; 0 is an empty slot.
var cueFirsts [256]uint64

// firstKey packs a word of 1–8 ASCII letters, in lower case, in a uint64.
func firstKey(w string) uint64 {
	k := uint64(0)
	for p := 0; p < len(w) && p < 8; p++ {
		k |= uint64(w[p]|0x20) << (8 * p)
	}
	return k
}

func addCueFirst(k uint64) {
	for h := k * 0x9E3779B97F4A7C15 >> 56; ; h = (h + 1) & 0xFF {
		if cueFirsts[h] == k {
			return
		}
		if cueFirsts[h] == 0 {
			cueFirsts[h] = k
			return
		}
	}
}

// maybeCueFirst reports whether the word w of ASCII letters may be the
// first word of an English cue.
func maybeCueFirst(w string) bool {
	if len(w) > 8 {
		return true // not in the table: "telephone"
	}
	k := firstKey(w)
	for h := k * 0x9E3779B97F4A7C15 >> 56; ; h = (h + 1) & 0xFF {
		switch cueFirsts[h] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

func isLetters(w string) bool {
	for p := 0; p < len(w); p++ {
		if !isLetter(w[p]) {
			return false
		}
	}
	return true
}

// letterRun returns how many ASCII letters and apostrophes (' or U+2019,
// counted as one) start s.
func letterRun(s string) int {
	n := 0
	for p := 0; p < len(s); {
		switch {
		case isLetter(s[p]) || s[p] == '\'':
			p++
		case len(s)-p >= 3 && s[p:p+3] == "\u2019":
			p += 3
		default:
			return n
		}
		n++
	}
	return n
}

func hanCue(text string, i int, k uint8) hit {
	for _, c := range hanCues[k] {
		if len(text)-i >= len(c.word) && text[i:i+len(c.word)] == c.word {
			return hit{c.kind, i, i + len(c.word)}
		}
	}
	return hit{}
}

// matchFold matches the English cue word at text[i:]: letters in any case,
// a space as one or more spaces or tabs, anything else exactly. A word
// ending in a letter must not be followed by one ("QQ123456" is a cue,
// "qqq" is not). It returns the end.
func matchFold(text string, i int, word string) (int, bool) {
	p := i
	for k := 0; k < len(word); k++ {
		w := word[k]
		if w == ' ' {
			q := p
			for q < len(text) && (text[q] == ' ' || text[q] == '\t') {
				q++
			}
			if q == p {
				return 0, false
			}
			p = q
			continue
		}
		if p >= len(text) {
			return 0, false
		}
		c := text[p]
		if c >= 'A' && c <= 'Z' {
			c |= 0x20
		}
		if c == '\'' && w == '\'' || c == w {
			p++
			continue
		}
		// A typographic apostrophe (U+2019) for '.
		if w == '\'' && len(text)-p >= 3 && text[p:p+3] == "\u2019" {
			p += 3
			continue
		}
		return 0, false
	}
	if last := word[len(word)-1]; isLetter(last) && p < len(text) && isLetter(text[p]) {
		return 0, false
	}
	return p, true
}
