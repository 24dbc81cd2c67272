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
// one pass. The cue and shape detectors must hold it exactly. The name
// models read words around a candidate, and a placeholder where an address
// was is other context than the address: they may find a name in the
// redacted text that they did not in the raw one, which one pass leaves in
// clear; that must stay rare.
func TestFixpoint(t *testing.T) {
	var texts []string
	texts = append(texts, fuzzSeeds...)
	for _, load := range []func(testing.TB) []string{presidioTexts, cluenerTexts, jddcTexts} {
		texts = append(texts, load(t)...)
	}
	t.Run("detectors", func(t *testing.T) {
		withoutNameModels(t)
		if bad := notFixpoints(t, texts, 20); bad > 0 {
			t.Errorf("%d of %d texts not at a fixpoint", bad, len(texts))
		}
	})
	t.Run("with name models", func(t *testing.T) {
		bad := notFixpoints(t, texts, 0)
		t.Logf("%d of %d texts not at a fixpoint", bad, len(texts))
		if float64(bad) > 0.005*float64(len(texts)) {
			t.Errorf("%d of %d texts not at a fixpoint, more than 0.5%%", bad, len(texts))
		}
	})
}

// notFixpoints counts the texts in which Find finds more once its spans
// are replaced, reporting the first show of them as errors.
func notFixpoints(t *testing.T, texts []string, show int) int {
	t.Helper()
	bad := 0
	for _, text := range texts {
		out := placehold(text, Find(text))
		if left := found(out); left != nil {
			bad++
			if bad <= show {
				t.Errorf("after one pass %q still has %q", clip(out, 0, 0)+"…", left)
			}
		}
	}
	return bad
}

// withoutNameModels turns the name models off for the rest of the test:
// for tests of the other detectors and of the conversation's memory.
func withoutNameModels(t *testing.T) {
	useNameModels = false
	t.Cleanup(func() { useNameModels = true })
}
