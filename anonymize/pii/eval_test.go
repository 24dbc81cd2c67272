package pii

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// tally counts, per type, labelled values and those caught, and detections
// and those on no label, for recall and precision over a corpus.
type tally struct {
	labelled, caught map[Type]int
	found, stray     map[Type]int // detections; detections on no labelled value
	missed, strays   map[Type][]string
}

func newTally() *tally {
	return &tally{
		labelled: map[Type]int{}, caught: map[Type]int{}, found: map[Type]int{}, stray: map[Type]int{},
		missed: map[Type][]string{}, strays: map[Type][]string{},
	}
}

// label counts the value text[start:end] of type typ as caught when every
// letter and digit of it lies inside spans of that type.
func (t *tally) label(text string, spans []Span, typ Type, start, end int) bool {
	t.labelled[typ]++
	if coveredBy(text, spans, typ, start, end) {
		t.caught[typ]++
		return true
	}
	t.missed[typ] = append(t.missed[typ], fmt.Sprintf("%q in %q", text[start:end], clip(text, start, end)))
	return false
}

// detections counts spans, and as strays those for which onLabel is false.
func (t *tally) detections(text string, spans []Span, onLabel func(Span) bool) {
	for _, s := range spans {
		t.found[s.Type]++
		if !onLabel(s) {
			t.stray[s.Type]++
			t.strays[s.Type] = append(t.strays[s.Type], fmt.Sprintf("%q in %q", text[s.Start:s.End], clip(text, s.Start, s.End)))
		}
	}
}

func (t *tally) recall(typ Type) float64 {
	if t.labelled[typ] == 0 {
		return 1
	}
	return float64(t.caught[typ]) / float64(t.labelled[typ])
}

func (t *tally) precision(typ Type) float64 {
	if t.found[typ] == 0 {
		return 1
	}
	return 1 - float64(t.stray[typ])/float64(t.found[typ])
}

// report logs recall and precision per type, and a few misses and strays.
func (t *tally) report(tb testing.TB, show int) {
	tb.Helper()
	for _, typ := range Types {
		if t.labelled[typ] == 0 && t.found[typ] == 0 {
			continue
		}
		tb.Logf("%-14s recall %4d/%4d = %.3f   precision %4d/%4d = %.3f", typ,
			t.caught[typ], t.labelled[typ], t.recall(typ),
			t.found[typ]-t.stray[typ], t.found[typ], t.precision(typ))
	}
	for _, typ := range Types {
		for _, kind := range []struct {
			what string
			list []string
		}{{"missed", t.missed[typ]}, {"stray", t.strays[typ]}} {
			for k, s := range kind.list {
				if k == show {
					tb.Logf("  %s %s: … %d more", kind.what, typ, len(kind.list)-show)
					break
				}
				tb.Logf("  %s %s: %s", kind.what, typ, s)
			}
		}
	}
}

// floors asserts recall and precision floors per type.
func (t *tally) floors(tb testing.TB, recall, precision map[Type]float64) {
	tb.Helper()
	for _, typ := range sortedTypes(recall) {
		if got := t.recall(typ); got < recall[typ] {
			tb.Errorf("recall of %s = %.3f, below the floor %.2f", typ, got, recall[typ])
		}
	}
	for _, typ := range sortedTypes(precision) {
		if got := t.precision(typ); got < precision[typ] {
			tb.Errorf("precision of %s = %.3f, below the floor %.2f", typ, got, precision[typ])
		}
	}
}

func sortedTypes(m map[Type]float64) []Type {
	var ts []Type
	for t := range m {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts
}

// coveredBy reports whether every letter and digit of text[start:end] lies
// inside spans of type typ.
func coveredBy(text string, spans []Span, typ Type, start, end int) bool {
	for i := start; i < end; {
		r, w := utf8.DecodeRuneInString(text[i:])
		if isAlnum(text[i]) || r >= 0x80 && !strings.ContainsRune("，。、：；！？ ", r) {
			in := false
			for _, s := range spans {
				in = in || s.Type == typ && s.Start <= i && i < s.End
			}
			if !in {
				return false
			}
		}
		i += w
	}
	return true
}

func overlaps(s Span, start, end int) bool { return s.Start < end && start < s.End }

// clip returns the text around [start, end), shortened.
func clip(text string, start, end int) string {
	lo, hi := max(start-40, 0), min(end+40, len(text))
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	return text[lo:hi]
}

// runeToByte converts a code-point offset of s to a byte offset.
func runeToByte(s string, cp int) int {
	b := 0
	for i := 0; i < cp && b < len(s); i++ {
		_, w := utf8.DecodeRuneInString(s[b:])
		b += w
	}
	return b
}
