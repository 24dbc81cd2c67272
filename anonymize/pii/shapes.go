package pii

import "strings"

// shape is one kind of number, in the order they are tried.
type shape uint8

const (
	shapeResidentID shape = iota
	shapeCard
	shapeMobileCN
	shapeNANP
	shapeIntl
	shapeNational
)

var shapes = [...]shape{shapeResidentID, shapeCard, shapeMobileCN, shapeNANP, shapeIntl, shapeNational}

func (s shape) typ() Type {
	switch s {
	case shapeResidentID:
		return CNResidentID
	case shapeCard:
		return BankCard
	}
	return Phone
}

// maxDigits bounds a window: the longest card.
const maxDigits = 19

func (c *cluster) appendSpans(dst []Span, text string) []Span {
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
	var buf [maxDigits + 1]byte
	for _, s := range shapes {
		for j := jmax; j >= i; j-- {
			if !c.canEnd(j) {
				continue
			}
			if start, ok := c.fits(s, text, i, j, buf[:0]); ok {
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

// fits reports whether groups i..j form a number of shape s, and where its
// span starts.
func (c *cluster) fits(s shape, text string, i, j int, buf []byte) (int, bool) {
	gs, last := c.groups[i:j+1], c.groups[j]
	plus := i == 0 && c.plusAt >= 0
	n := 0
	for _, g := range gs {
		n += g.n
	}
	switch s {
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
		if plus || last.ext || last.checkX || n < 13 || n > 19 || !cardLayout(gs) {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		return gs[0].start, !repeated(d) && luhn(d)
	}
	if last.checkX {
		return 0, false
	}
	switch s {
	case shapeMobileCN:
		if last.ext {
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
		return c.phoneStart(i, j), ok
	case shapeNANP:
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
	case shapeNational:
		if plus || len(gs) < 2 || len(gs) > 6 || n < 7 || n > 12 {
			return 0, false
		}
		dots := false
		for k, g := range gs {
			if g.n < 2 {
				return 0, false
			}
			if k > 0 && strings.ContainsRune(g.sep, '.') {
				dots = true
			}
		}
		if dots && len(gs) < 3 {
			return 0, false
		}
		d := c.digits(text, i, j, buf)
		if notPhone(gs, d) {
			return 0, false
		}
		return c.phoneStart(i, j), true
	}
	return 0, false
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
// (1998-2005) or a dotted quad (192.168.10.25).
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
		for k, g := range gs {
			if g.n > 3 || vals[k] > 255 {
				return false
			}
		}
		return true
	}
	return false
}
