package pii

import (
	"strings"
	"testing"
)

// TestNamesWithoutCue checks names the cue detectors cannot see, found by
// the name models, in English and Chinese.
func TestNamesWithoutCue(t *testing.T) {
	for _, tc := range []struct{ text, name string }{
		{"Follow up with Satsita Umkhayev about the refund", "Satsita Umkhayev"},
		{"Jane Doe will pick it up at the counter", "Jane Doe"},
		{"Please send it to Michael O'Connor tomorrow", "Michael O'Connor"},
		{"记者李华报道，新品下周上市", "李华"},
		{"副总经理张建国表示会尽快发货", "张建国"},
	} {
		var got []string
		for _, s := range Find(tc.text) {
			if s.Type == Person {
				got = append(got, tc.text[s.Start:s.End])
			}
		}
		if len(got) != 1 || got[0] != tc.name {
			t.Errorf("Find(%q) names %q, want [%q]", tc.text, got, tc.name)
		}
	}
}

// TestModelNamesRemembered: a name found by a model, without a cue, in one
// message is masked where it recurs in others, before and after, and its
// parts too.
func TestModelNamesRemembered(t *testing.T) {
	msgs := []string{
		"王小明明天来取件",
		"快递放在门卫，记者王小明说的",
		"has Satsita called?",
		"Follow up with Satsita Umkhayev, she wants a refund",
		"Umkhayev again, about the refund",
	}
	out, _ := redactAll(msgs)
	for i, o := range out {
		for _, raw := range []string{"王小明", "Satsita", "Umkhayev"} {
			if strings.Contains(o, raw) {
				t.Errorf("message %d keeps %q: %q", i+1, raw, o)
			}
		}
	}
	if !strings.HasPrefix(out[0], "<PERSON_1>") || !strings.Contains(out[1], "<PERSON_1>") {
		t.Errorf("王小明 has not one placeholder: %q", out[:2])
	}
}
