package pii

import "strings"

// numberKey appends the digits of raw (ASCII or full-width), a Chinese
// mobile without its +86 or 0086.
func numberKey(d []byte, raw string) []byte {
	return trimCountry(appendDigits(d, raw))
}

// appendDigits appends the digits of raw, ASCII or full-width, and an X
// (a resident ID's check character) as 'X'; nothing else.
func appendDigits(d []byte, raw string) []byte {
	for p := 0; p < len(raw); {
		if v, w := digitAt(raw, p, len(raw)); w > 0 {
			d = append(d, v)
			p += w
			continue
		}
		if raw[p]|0x20 == 'x' {
			d = append(d, 'X')
		}
		p++
	}
	return d
}

func trimCountry(d []byte) []byte {
	switch {
	case len(d) == 13 && string(d[:2]) == "86" && d[2] == '1':
		return d[2:]
	case len(d) == 15 && string(d[:4]) == "0086" && d[4] == '1':
		return d[4:]
	}
	return d
}

// findNumbers finds remembered numbers whatever their separators: a
// cluster of digit groups joined by up to two of " -.()" is read, and the
// longest run of whole groups whose digits are a remembered number is
// taken.
func (m *memory) findNumbers(text string, dst []mspan) []mspan {
	type group struct{ start, end int }
	for i := 0; i < len(text); {
		if _, w := digitAt(text, i, len(text)); w == 0 || i > 0 && memWordByte(text[i-1]) {
			i++
			continue
		}
		var gbuf [12]group
		groups := gbuf[:0]
		p := i
		for len(groups) < len(gbuf) {
			s := p
			for {
				_, w := digitAt(text, p, len(text))
				if w == 0 {
					break
				}
				p += w
			}
			groups = append(groups, group{s, p})
			q := p
			for q < len(text) && q-p < 2 && strings.IndexByte(" -.()", text[q]) >= 0 {
				q++
			}
			if _, w := digitAt(text, q, len(text)); q == p || w == 0 {
				break
			}
			p = q
		}
		if p < len(text) && memWordByte(text[p]) && text[p] != '_' {
			i = p // glued to letters: an order or SKU code
			for i < len(text) && memWordByte(text[i]) {
				i++
			}
			continue
		}
		for g := 0; g < len(groups); {
			best := -1
			var buf [40]byte
			d := buf[:0]
			for h := g; h < len(groups); h++ {
				for q := groups[h].start; q < groups[h].end; {
					v, w := digitAt(text, q, groups[h].end)
					d = append(d, v)
					q += w
				}
				if len(d) > 20 {
					break
				}
				if len(d) >= minNumberDigits {
					if _, ok := m.numbers[string(trimCountry(d))]; ok {
						best = h
					}
				}
			}
			if best < 0 {
				g++
				continue
			}
			var kbuf [40]byte
			k := kbuf[:0]
			for h := g; h <= best; h++ {
				for q := groups[h].start; q < groups[h].end; {
					v, w := digitAt(text, q, groups[h].end)
					k = append(k, v)
					q += w
				}
			}
			a := m.numbers[string(trimCountry(k))]
			start := groups[g].start
			if start > 0 && text[start-1] == '+' {
				start--
			}
			dst = append(dst, mspan{start: start, end: groups[best].end, typ: a.typ, n: a.n})
			g = best + 1
		}
		i = p
	}
	return dst
}

// mergeMspans sorts the numbers found (dst[first:]) into the surface forms
// before them, dropping a number that overlaps a form.
func mergeMspans(dst []mspan, first int) []mspan {
	var fbuf, nbuf [16]mspan // on the stack for the usual few
	forms := append(fbuf[:0], dst[:first]...)
	nums := append(nbuf[:0], dst[first:]...)
	dst = dst[:0]
	i, j := 0, 0
	for i < len(forms) || j < len(nums) {
		if j == len(nums) || i < len(forms) && forms[i].start <= nums[j].start {
			dst = append(dst, forms[i])
			i++
			continue
		}
		n := nums[j]
		j++
		if len(dst) > 0 && dst[len(dst)-1].end > n.start || i < len(forms) && forms[i].start < n.end {
			continue
		}
		dst = append(dst, n)
	}
	return dst
}
