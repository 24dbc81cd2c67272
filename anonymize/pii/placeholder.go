package pii

import "strings"

// Placeholders cannot be forged. A text may already hold something shaped
// like a veil placeholder, "<PHONE_1>" typed by a buyer or left by an
// earlier tool; read as veil's, it would stand for a value it never
// replaced and collide with the one veil numbers 1. Redact therefore
// escapes every placeholder-shaped run of its input first, turning its
// ASCII angle brackets into full-width ones (＜PHONE_1＞): a reader (or a
// model in training) still sees the same words, and every "<TYPE_N>" left
// in the output is one veil assigned. JD-style masks ("[姓名x]") are not
// placeholder-shaped and stay as they are.

// EscapeForged returns text with each placeholder-shaped run
// ("<" [A-Z][A-Z0-9_]* "_" digits ">") escaped to full-width brackets. It
// returns text itself, without allocating, when there is none.
func EscapeForged(text string) string {
	i := strings.IndexByte(text, '<')
	if i < 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for ; i >= 0 && i < len(text); i = nextLT(text, i+1) {
		e := placeholderEnd(text, i)
		if e < 0 {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(text) + 8)
		}
		b.WriteString(text[last:i])
		b.WriteString("＜")
		b.WriteString(text[i+1 : e-1])
		b.WriteString("＞")
		last = e
		i = e - 1
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func nextLT(text string, from int) int {
	if from >= len(text) {
		return -1
	}
	j := strings.IndexByte(text[from:], '<')
	if j < 0 {
		return -1
	}
	return from + j
}

// placeholderEnd returns the end of the placeholder-shaped run at text[i]
// ('<'), or -1.
func placeholderEnd(text string, i int) int {
	p := i + 1
	if p >= len(text) || text[p] < 'A' || text[p] > 'Z' {
		return -1
	}
	underscore := -1
	for p < len(text) && (text[p] >= 'A' && text[p] <= 'Z' || text[p] >= '0' && text[p] <= '9' || text[p] == '_') {
		if text[p] == '_' {
			underscore = p
		}
		p++
	}
	if p >= len(text) || text[p] != '>' || underscore < 0 || underscore == p-1 {
		return -1
	}
	for q := underscore + 1; q < p; q++ {
		if text[q] < '0' || text[q] > '9' {
			return -1
		}
	}
	return p + 1
}

// CountPlaceholders returns how many veil placeholders text holds.
func CountPlaceholders(text string) int {
	n := 0
	for i := nextLT(text, 0); i >= 0; i = nextLT(text, i+1) {
		if e := placeholderEnd(text, i); e > 0 {
			n++
			i = e - 1
		}
	}
	return n
}

// PlaceholderAt returns the end of the veil placeholder that starts at
// text[i], or -1: readers of redacted text (language tagging, duplicate
// detection) step over placeholders with it.
func PlaceholderAt(text string, i int) int {
	if i < 0 || i >= len(text) || text[i] != '<' {
		return -1
	}
	return placeholderEnd(text, i)
}
