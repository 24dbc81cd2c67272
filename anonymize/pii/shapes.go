package pii

import "strings"

// shape is one kind of number, in the order they are tried.
type shape uint8

const (
	shapeIPv4 shape = iota
	shapeSSN
	shapeResidentID
	shapeCard
	shapeMobileCN
	shapeNANP
	shapeIntl
	shapeTrunk
	shapeCued
)

var shapes = [...]shape{shapeIPv4, shapeSSN, shapeResidentID, shapeCard, shapeMobileCN, shapeNANP, shapeIntl, shapeTrunk, shapeCued}

func (s shape) typ() Type {
	switch s {
	case shapeIPv4:
		return IP
	case shapeSSN:
		return USSSN
	case shapeResidentID:
		return CNResidentID
	case shapeCard:
		return BankCard
	}
	return Phone
}

// shapeDigits holds the fewest and most digits a number of each shape
// has; a window outside is not tried.
var shapeDigits = [...][2]int{
	shapeIPv4:       {4, 12},
	shapeSSN:        {9, 9},
	shapeResidentID: {17, 18}, // 17 and a check X
	shapeCard:       {12, 19},
	shapeMobileCN:   {11, 15}, // 0086 and 11
	shapeNANP:       {10, 13}, // 001 and 10
	shapeIntl:       {8, 15},
	shapeTrunk:      {9, 12},
	shapeCued:       {7, 12},
}

// maxDigits bounds a window: the longest card.
const maxDigits = 19

func (c *cluster) appendSpans(dst []Span, text string) []Span {
	// The shortest shapes: a dotted quad (4 groups), a cued phone (7
	// digits). Prices, years and counts stop here.
	if len(c.groups) < 4 {
		n := 0
		for _, g := range c.groups {
			n += g.n
		}
		if n < 7 {
			return dst
		}
	}
	for i := 0; i < len(c.groups); {
		if sp, j, ok := c.match(text, i); ok {
			dst = append(dst, sp)
			i = j + 1
		} else {
			i++
		}
	}
	return dst
}

func (c *cluster) canStart(i int) bool {
	if i == 0 {
		return c.startOK
	}
	return isSpaces(c.groups[i].sep)
}

func (c *cluster) canEnd(j int) bool {
	if j == len(c.groups)-1 {
		return c.endOK
	}
	return isSpaces(c.groups[j+1].sep)
}

// match finds the best span starting at group i: the first shape that fits
// any window i..j, longest window first. It returns the span and j.
func (c *cluster) match(text string, i int) (Span, int, bool) {
	if !c.canStart(i) {
		return Span{}, 0, false
	}
	jmax, n := i, c.groups[i].n
	for jmax+1 < len(c.groups) && n+c.groups[jmax+1].n <= maxDigits {
		jmax++
		n += c.groups[jmax].n
	}
	if n > maxDigits {
		return Span{}, 0, false
	}
	// The digits of each window i..j and whether it may end at j.
	var digits [maxDigits + 1]int
	var ends [maxDigits + 1]bool
	have := uint32(0) // bit d: a window that may end holds d digits
	for j, n := i, 0; j <= jmax; j++ {
		n += c.groups[j].n
		digits[j-i], ends[j-i] = n, c.canEnd(j)
		if ends[j-i] {
			have |= 1 << n
		}
	}
	var buf [maxDigits + 1]byte
	for _, s := range shapes {
		lo, hi := shapeDigits[s][0], shapeDigits[s][1]
		if have&(1<<(hi+1)-1)>>lo == 0 {
			continue // no window has a length of this shape
		}
		for j := jmax; j >= i; j-- {
			if !ends[j-i] || digits[j-i] < lo || digits[j-i] > hi {
				continue
			}
			if start, ok := c.fits(s, text, i, j, digits[j-i], buf[:0]); ok {
				return Span{s.typ(), start, c.groups[j].tail}, j, true
			}
		}
	}
	return Span{}, 0, false
}

// digits appends the digits of groups i..j to buf.
func (c *cluster) digits(text string, i, j int, buf []byte) []byte {
	for _, g := range c.groups[i : j+1] {
		for p := g.start; p < g.end; {
			d, w := digitAt(text, p, g.end)
			buf = append(buf, d)
			p += w
		}
	}
	return buf
}

// phoneStart returns where a phone span over groups i..j begins: at a leading
// '(' closed after the first group, else at a leading '+', else at the
// first digit.
func (c *cluster) phoneStart(i, j int) int {
	if i != 0 {
		return c.groups[i].start
	}
	if c.parenAt >= 0 && j > 0 && strings.Contains(c.groups[1].sep, ")") {
		return c.parenAt
	}
	if c.plusAt >= 0 {
		return c.plusAt
	}
	return c.groups[0].start
}

// fits reports whether groups i..j, n digits, form a number of shape s,
// and where its span starts.
func (c *cluster) fits(s shape, text string, i, j, n int, buf []byte) (int, bool) {
	gs, last := c.groups[i:j+1], c.groups[j]
	plus := i == 0 && c.plusAt >= 0
	switch s {
	case shapeIPv4:
		if plus || len(gs) != 4 || last.tail != last.end ||
			!allSeps(gs, func(s string) bool { return s == "." }) {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		return gs[0].start, dottedQuad(gs, d) && !versionBefore(text, gs[0].start)
	case shapeSSN:
		// AAA-GG-SSSS, split by dashes or single blanks, or 9 digits
		// after an SSN cue. Like every window, a spaced one is cut only
		// at blanks, and a "+" number at its start is a phone.
		if plus || last.ext || last.checkX || n != 9 || len(gs) != 1 && len(gs) != 3 {
			return 0, false
		}
		if len(gs) == 3 && (gs[0].n != 3 || gs[1].n != 2 || gs[1].sep != gs[2].sep ||
			gs[1].sep != "-" && gs[1].sep != " ") {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		if !validSSN(d) || orderBefore(text, c.hits, gs[0].start) {
			return 0, false
		}
		return gs[0].start, len(gs) == 3 || cueBefore(text, c.hits, cueSSN, gs[0].start, 32)
	case shapeResidentID:
		if plus || last.ext || n != 18 && !(n == 17 && last.checkX) || !allSeps(gs, isSpaces) {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		if last.checkX {
			d = append(d, 'X')
		}
		return gs[0].start, validResidentID(d)
	case shapeCard:
		if plus || last.ext || last.checkX || n < 12 || n > 19 || !cardLayout(gs) {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		if n == 12 { // Maestro, only after a card cue
			return gs[0].start, (d[0] == '5' || d[0] == '6') && !repeated(d) && luhn(d) &&
				cardBefore(text, c.hits, gs[0].start)
		}
		return gs[0].start, !repeated(d) && cardIIN(d) && luhn(d) && !orderBefore(text, c.hits, gs[0].start)
	}
	if last.checkX {
		return 0, false
	}
	switch s {
	case shapeMobileCN:
		if last.ext || n != 11 && n != 13 && n != 15 { // bare, +86 or 0086
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		k := 0 // first group of the national number
		switch {
		case plus && gs[0].n == 2 && string(d[:2]) == "86":
			k = 1
		case plus && len(gs) == 1 && n == 13 && string(d[:2]) == "86":
			d = d[2:]
		case !plus && len(gs) > 1 && gs[0].n == 4 && string(d[:4]) == "0086":
			k = 1
		case plus:
			return 0, false
		}
		if k == 1 {
			d = d[gs[0].n:]
		}
		ok := len(d) == 11 && mobileCN(d) && mobileLayout(gs[k:])
		return c.phoneStart(i, j), ok && (plus || k == 1 || !orderBefore(text, c.hits, c.phoneStart(i, j)))
	case shapeNANP:
		if n < 10 || n > 13 || len(gs) < 3 {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		k := 0
		switch {
		case plus && gs[0].n == 1 && d[0] == '1':
			k = 1
		case plus:
			return 0, false
		case len(gs) == 4 && (string(d[:gs[0].n]) == "1" || string(d[:gs[0].n]) == "001"):
			k = 1
		}
		rest := gs[k:]
		ok := len(rest) == 3 && rest[0].n == 3 && rest[1].n == 3 && rest[2].n == 4 &&
			d[n-10] >= '2'
		return c.phoneStart(i, j), ok
	case shapeIntl:
		if !plus || n < 8 || n > 15 {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		return c.phoneStart(i, j), d[0] != '0'
	case shapeTrunk:
		// A national number with its trunk prefix: (08) 8747 6301,
		// 010-12345678, 0490 75 40 81, 03.93.92.16.85.
		if plus || len(gs) < 2 || len(gs) > 6 || n < 9 || n > 12 || !groupsOf2(gs) {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		if d[0] != '0' || d[1] == '0' || gs[0].n > 5 || notPhone(gs, d) {
			return 0, false
		}
		start := c.phoneStart(i, j)
		return start, !orderBefore(text, c.hits, start)
	case shapeCued:
		// Any national number of 7–12 digits, in 1–6 groups of 2+ digits,
		// where a phone cue ("tel", "电话", "call me") comes right before.
		if plus || len(gs) > 6 || n < 7 || n > 12 || !groupsOf2(gs) {
			return 0, false
		}
		dots := false
		for _, g := range gs[1:] {
			dots = dots || strings.ContainsRune(g.sep, '.')
		}
		if dots && len(gs) < 3 {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		start := c.phoneStart(i, j)
		if notPhone(gs, d) || orderBefore(text, c.hits, start) ||
			!phoneBefore(text, c.hits, start) && !phoneAfter(text, last.tail) {
			return 0, false
		}
		return start, true
	}
	return 0, false
}

// validSSN reports whether the 9 digits of d are a US social security
// number that may be issued: area 001–899 but 666, group 01–99, serial
// 0001–9999.
func validSSN(d []byte) bool {
	area := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	return area != 0 && area != 666 && area < 900 && string(d[3:5]) != "00" && string(d[5:9]) != "0000"
}

func groupsOf2(gs []group) bool {
	for _, g := range gs {
		if g.n < 2 {
			return false
		}
	}
	return true
}

func allSeps(gs []group, ok func(string) bool) bool {
	for _, g := range gs[1:] {
		if !ok(g.sep) {
			return false
		}
	}
	return true
}

// cardLayout accepts a card written contiguously, or in groups split by one
// kind of separator (a single space or dash): 4-4-4-1..4, 4-4-4-4-1..3,
// 4-6-5 (Amex) or 4-6-4 (Diners).
func cardLayout(gs []group) bool {
	if len(gs) == 1 {
		return true
	}
	sep := gs[1].sep
	if sep != " " && sep != "-" || !allSeps(gs, func(s string) bool { return s == sep }) || gs[0].n != 4 {
		return false
	}
	if len(gs) == 3 && gs[1].n == 6 && (gs[2].n == 5 || gs[2].n == 4) {
		return true
	}
	if len(gs) < 4 || len(gs) > 5 {
		return false
	}
	for _, g := range gs[1 : len(gs)-1] {
		if g.n != 4 {
			return false
		}
	}
	lastN := gs[len(gs)-1].n
	return lastN >= 1 && lastN <= 4 && (len(gs) == 4 || lastN <= 3)
}

// mobileLayout accepts a Chinese mobile written 11, 3-4-4 or 3-8, split by
// single spaces or dashes.
func mobileLayout(gs []group) bool {
	if !allSeps(gs, func(s string) bool { return s == " " || s == "-" }) {
		return false
	}
	switch len(gs) {
	case 1:
		return true
	case 2:
		return gs[0].n == 3
	case 3:
		return gs[0].n == 3 && gs[1].n == 4
	}
	return false
}

func mobileCN(d []byte) bool { return d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

func repeated(d []byte) bool {
	for _, b := range d[1:] {
		if b != d[0] {
			return false
		}
	}
	return true
}

// notPhone rejects grouped numbers that read as something else: a date
// (2024-01-15, 15.01.2024, optionally followed by a time), a year range
// (1998-2005) or a dotted quad (192.168.10.25, 1.2.3.4).
func notPhone(gs []group, d []byte) bool {
	vals := make([]int, 0, 6)
	off := 0
	for _, g := range gs {
		v := 0
		for _, b := range d[off : off+g.n] {
			v = v*10 + int(b-'0')
		}
		vals = append(vals, v)
		off += g.n
	}
	isYear := func(k int) bool { return gs[k].n == 4 && vals[k] >= 1900 && vals[k] <= 2099 }
	isDM := func(k int) bool { return gs[k].n <= 2 && vals[k] >= 1 && vals[k] <= 31 }
	isMonth := func(k int) bool { return gs[k].n <= 2 && vals[k] >= 1 && vals[k] <= 12 }
	date := func(k int) bool { // groups k..k+2
		return k >= 0 && k+2 < len(gs) && (isYear(k) && isMonth(k+1) && isDM(k+2) ||
			isDM(k) && isDM(k+1) && (isMonth(k) || isMonth(k+1)) && isYear(k+2))
	}
	if date(0) || date(len(gs)-3) {
		return true
	}
	if len(gs) == 2 && isYear(0) && isYear(1) {
		return true
	}
	if len(gs) == 4 && allSeps(gs, func(s string) bool { return s == "." }) {
		for _, g := range gs {
			if g.n > 3 {
				return false
			}
		}
		return true
	}
	return false
}

// cardIIN reports whether the digits of a 13–19 digit number start the
// way a payment card of that length does: Visa 4 (13, 16, 19), Mastercard
// and Maestro 5, UnionPay, Discover and Maestro 6, Mir and Mastercard 2,
// JCB 3528–3589 (16) and 1800/2131 (15), Amex 34/37 (15), Diners 30/36/38/39
// (14, 16), domestic cards 9 (16–19, e.g. ICBC 9558). Order and tracking
// numbers that pass Luhn by chance mostly fail it.
func cardIIN(d []byte) bool {
	n := len(d)
	switch d[0] {
	case '4':
		return n == 13 || n == 16 || n == 19
	case '5', '6', '9':
		return n >= 16
	case '2':
		return n == 15 && string(d[:4]) == "2131" || n >= 16 && d[1] >= '2' && d[1] <= '7'
	case '1':
		return n == 15 && string(d[:4]) == "1800"
	case '3':
		switch d[1] {
		case '4', '7':
			return n == 15
		case '5':
			v := int(d[2]-'0')*10 + int(d[3]-'0')
			return n == 16 && v >= 28 && v <= 89
		case '0', '6', '8', '9':
			return n == 14 || n == 16
		}
	}
	return false
}
