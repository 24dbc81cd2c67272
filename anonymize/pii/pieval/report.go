package pieval

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/veil-data/veil/anonymize/pii"
)

// WriteTable prints the result as a table, then its examples.
func (r *Result) WriteTable(w io.Writer) {
	const row = "%-14s %6s %6s %7s %6s %7s %6s %6s\n"
	fmt.Fprintf(w, row, "type", "gold", "found", "recall", "typed", "t.rec", "spans", "stray")
	line := func(s TypeScore) {
		rec, trec := "-", "-"
		if s.Gold > 0 {
			rec, trec = fmt.Sprintf("%.3f", s.Recall), fmt.Sprintf("%.3f", s.TypedRecall)
		}
		fmt.Fprintf(w, row, s.Type, strconv.Itoa(s.Gold), strconv.Itoa(s.Found), rec, strconv.Itoa(s.Typed), trec, strconv.Itoa(s.Spans), strconv.Itoa(s.Stray))
	}
	for _, s := range r.Types {
		line(s)
	}
	line(r.All)
	fmt.Fprintf(w, "\nchar precision %.3f  (%d of %d redacted characters inside a gold span of any label; whitespace not counted)\n",
		r.Precision, r.InGold, r.Redacted)
	fmt.Fprintln(w, "found: at least half the span's characters redacted by any detection; typed: by a detection of its type; stray: a detection with a character outside every gold span")
	for _, set := range []struct {
		what, count string
		ex          []Example
	}{{"missed", "redacted", r.Misses}, {"stray", "outside gold", r.Strays}} {
		if len(set.ex) > 0 {
			fmt.Fprintf(w, "\n%s:\n", set.what)
		}
		for _, e := range set.ex {
			fmt.Fprintf(w, "  %-10s record %d, %d/%d chars %s: %s\n", e.Type, e.Record, e.Count, e.Chars, set.count, e.Context)
		}
	}
}

// example renders text[start:end] of rec in up to 40 characters of
// context either side, redacted as Example says.
func example(rec Record, spans []pii.Span, ri int, t pii.Type, start, end, count, chars int, raw bool) Example {
	text := rec.Text
	lo, hi := start, end
	for range 40 {
		if lo > 0 {
			_, w := utf8.DecodeLastRuneInString(text[:lo])
			lo -= w
		}
		if hi < len(text) {
			_, w := utf8.DecodeRuneInString(text[hi:])
			hi += w
		}
	}
	// Every other labelled or detected region becomes one tag.
	type region struct {
		start, end int
		tag        string
	}
	var regions []region
	for _, g := range rec.Spans {
		regions = append(regions, region{g.Start, g.End, g.Label})
	}
	for _, s := range spans {
		regions = append(regions, region{s.Start, s.End, string(s.Type)})
	}
	// A region cut by the window is shown whole, as its tag.
	for _, g := range regions {
		if g.start < lo && lo < g.end {
			lo = g.start
		}
		if g.start < hi && hi < g.end {
			hi = g.end
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString("…")
	}
	for p := lo; p < hi; {
		if p == start {
			b.WriteString("⟦")
			if raw {
				b.WriteString(text[start:end])
			} else {
				b.WriteString(Shape(text[start:end]))
			}
			b.WriteString("⟧")
			p = end
			continue
		}
		if i := slices.IndexFunc(regions, func(g region) bool { return g.start <= p && p < g.end }); i >= 0 {
			b.WriteString("<" + regions[i].tag + ">")
			// Overlapping regions (a detection on a label) make one tag.
			from := regions[i].start
			for p = regions[i].end; ; {
				j := slices.IndexFunc(regions, func(g region) bool { return g.start < p && p < g.end })
				if j < 0 {
					break
				}
				from, p = min(from, regions[j].start), regions[j].end
			}
			if p > start && from < start {
				p = start // the example is always shown
			}
			continue
		}
		_, w := utf8.DecodeRuneInString(text[p:])
		b.WriteString(text[p : p+w])
		p += w
	}
	if hi < len(text) {
		b.WriteString("…")
	}
	return Example{Type: t, Record: ri, Count: count, Chars: chars, Context: controls.Replace(b.String())}
}

// controls keeps an example on one line.
var controls = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

// Shape hides a value but keeps its form: upper-case letters become X,
// other letters x, Han and other characters 〇, digits 9; blanks and
// punctuation stay.
func Shape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			b.WriteByte('9')
		case unicode.IsUpper(r):
			b.WriteByte('X')
		case unicode.Is(unicode.Han, r):
			b.WriteRune('〇')
		case unicode.IsLetter(r):
			b.WriteByte('x')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
