package pii

import (
	"strconv"
	"strings"
	"testing"
)

// placehold replaces the spans of text with placeholders as Redact writes
// them ("<PHONE_1>"), numbered in order per type.
func placehold(text string, spans []Span) string {
	var b strings.Builder
	var n Counts
	last := 0
	for _, s := range spans {
		n.inc(s.Type)
		b.WriteString(text[last:s.Start])
		b.WriteString("<" + string(s.Type) + "_" + strconv.Itoa(n.Get(s.Type)) + ">")
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// TestFixpoint checks that Find is a fixpoint on real text: once its spans
// are replaced by placeholders, Find finds nothing more, so Redact needs
// one pass.
func TestFixpoint(t *testing.T) {
	var texts []string
	texts = append(texts, fuzzSeeds...)
	for _, load := range []func(testing.TB) []string{presidioTexts, cluenerTexts, jddcTexts} {
		texts = append(texts, load(t)...)
	}
	bad := 0
	for _, text := range texts {
		out := placehold(text, Find(text))
		if left := found(out); left != nil {
			bad++
			if bad <= 20 {
				t.Errorf("after one pass %q still has %q", clip(out, 0, 0)+"…", left)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d texts not at a fixpoint", bad, len(texts))
	}
}
