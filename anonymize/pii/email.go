package pii

import "strings"

// appendEmails appends the e-mail addresses of text. An address is found
// from each '@' outwards: the local part leftwards over [A-Za-z0-9._%+-]
// (all of it, even past the 64 bytes an address may have: a redaction must
// not leave a tail), the domain rightwards over [A-Za-z0-9.-], as many
// labels as make a valid domain: two or more, the last of 2+ letters. Each
// byte is scanned from one '@' at most, so the work is linear.
func appendEmails(dst []Span, text string) []Span {
	lo := 0 // the local part of an address cannot reach into the previous one
	for off := 0; off < len(text); {
		k := strings.IndexByte(text[off:], '@')
		if k < 0 {
			break
		}
		at := off + k
		off = at + 1
		s := at
		for s > lo && isLocalByte(text[s-1]) {
			s--
		}
		for s < at && text[s] == '.' {
			s++
		}
		if s == at {
			continue
		}
		e := at + 1
		for e < len(text) && isDomainByte(text[e]) {
			e++
		}
		n := domainLen(text[at+1 : e])
		if n == 0 {
			continue
		}
		e = at + 1 + n
		dst = append(dst, Span{Email, s, e})
		off, lo = e, e
	}
	return dst
}

func isLocalByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainByte(c byte) bool { return isAlnum(c) || c == '.' || c == '-' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// isWordByte reports whether c glues to a number: an ASCII letter, digit or
// underscore.
func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

// domainLen returns the length of the longest prefix of d that is a valid
// domain: whole labels of [A-Za-z0-9-] (1–63 bytes, no leading or trailing
// '-'), two or more, the last being 2+ letters; 0 if none.
func domainLen(d string) int {
	best, labels := 0, 0
	for off := 0; off < len(d); {
		label, _, more := strings.Cut(d[off:], ".")
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			break
		}
		labels++
		off += len(label)
		if labels >= 2 && len(label) >= 2 && allLetters(label) {
			best = off
		}
		if !more {
			break
		}
		off++ // the dot
	}
	return best
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
