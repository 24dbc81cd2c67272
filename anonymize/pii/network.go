package pii

import "strings"

// IP addresses. IPv4 is read with the other numbers (a cluster of four
// dot-separated groups, shapeIPv4); IPv6 is read here, from each ':'.

// dottedQuad reports whether four groups of digits are the octets of an
// IPv4 address: 0–255, no leading zero.
func dottedQuad(gs []group, d []byte) bool {
	off := 0
	for _, g := range gs {
		if g.n > 3 || g.n > 1 && d[off] == '0' {
			return false
		}
		v := 0
		for _, b := range d[off : off+g.n] {
			v = v*10 + int(b-'0')
		}
		if v > 255 {
			return false
		}
		off += g.n
	}
	return true
}

// versionBefore reports whether a version word comes right before start:
// "version 1.2.3.4", "ver. 10.0.0.1", "版本 1.2.3.4", "固件1.0.0.12".
func versionBefore(text string, start int) bool {
	p := trimBack(text, start, " \t:：")
	return hasSuffixFold(text[:p], "version") || hasSuffixFold(text[:p], "ver") ||
		hasSuffixFold(text[:p], "ver.") || hasSuffixFold(text[:p], "v.") ||
		hasSuffixFold(text[:p], "build") || hasSuffixFold(text[:p], "版本") ||
		hasSuffixFold(text[:p], "版本号") || hasSuffixFold(text[:p], "固件") ||
		hasSuffixFold(text[:p], "系统")
}

// appendIPv6 appends the IPv6 addresses of text: a run of hex digits,
// ':' and (for an embedded IPv4 tail) '.', not glued to a word, that
// parses as 8 groups of 1–4 hex digits, fewer with one "::", or ending in
// a dotted quad. Times ("10:30:00") and MAC addresses (6 groups) are not.
func appendIPv6(dst []Span, text string) []Span {
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], ':') // a vectorised search
		if k < 0 {
			break
		}
		i += k
		s := i
		for s > 0 && isIPv6Byte(text[s-1]) {
			s--
		}
		run := i
		for run < len(text) && isIPv6Byte(text[run]) {
			run++
		}
		i = run + 1
		// Not glued to a word or an e-mail address, nor touching a
		// placeholder ("<IP_1>::1", "0:0::<EMAIL_1>").
		if s > 0 && (isWordByte(text[s-1]) || text[s-1] == '.' || text[s-1] == '>') ||
			run < len(text) && (isWordByte(text[run]) || text[run] == '@' || text[run] == '<') {
			continue
		}
		e := run
		for e > s && text[e-1] == '.' { // a full stop after the address
			e--
		}
		// "::" may open the address; a lone ':' may not.
		for s < e && text[s] == ':' && !(s+1 < e && text[s+1] == ':') {
			s++
		}
		for e > s && text[e-1] == ':' && !(e-2 >= s && text[e-2] == ':') {
			e--
		}
		if validIPv6(text[s:e]) {
			dst = append(dst, Span{IP, s, e})
		}
	}
	return dst
}

func isIPv6Byte(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' || c == ':' || c == '.'
}

func validIPv6(s string) bool {
	if len(s) < 3 {
		return false
	}
	groups, compressed, digits := 0, false, false
	for p := 0; p < len(s); {
		if s[p] == ':' {
			if p+1 < len(s) && s[p+1] == ':' {
				if compressed {
					return false
				}
				compressed = true
				p += 2
				continue
			}
			if p == 0 || p+1 == len(s) {
				return false
			}
			p++
			continue
		}
		q := p
		for q < len(s) && s[q] != ':' {
			q++
		}
		g := s[p:q]
		if q == len(s) && containsByte(g, '.') {
			if !ipv4Text(g) {
				return false
			}
			groups += 2
			digits = true
		} else {
			if len(g) > 4 || containsByte(g, '.') {
				return false
			}
			groups++
		}
		for k := 0; k < len(g); k++ {
			digits = digits || isDigit(g[k])
		}
		p = q
	}
	if compressed {
		return groups >= 2 && groups <= 7 && digits
	}
	return groups == 8
}

// ipv4Text reports whether s is a dotted quad.
func ipv4Text(s string) bool {
	parts, v, n := 0, 0, 0
	for k := 0; k <= len(s); k++ {
		if k == len(s) || s[k] == '.' {
			if n == 0 || n > 3 || v > 255 || n > 1 && s[k-n] == '0' {
				return false
			}
			parts++
			v, n = 0, 0
			continue
		}
		if !isDigit(s[k]) {
			return false
		}
		v = v*10 + int(s[k]-'0')
		n++
	}
	return parts == 4
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
