package ennames

import (
	"flag"
	"testing"
)

var showErrors = flag.Int("show", 0, "log this many misses and strays per evaluation")

func detectModel(text string) []Span { return Append(nil, text) }

// TestEvalPresidio measures PERSON recall and character precision on the
// held-out fifth of presidio-research's synth_dataset_v2.json and on
// generated_small.json, which training never reads.
func TestEvalPresidio(t *testing.T) {
	_, test := split(loadPresidio(t, "synth_dataset_v2.json"))
	s := evaluate(test, detectModel)
	report(t, "held-out synth_dataset_v2", s)
	if s.recall() < 0.90 {
		t.Errorf("held-out PERSON recall %.3f, below the floor 0.90", s.recall())
	}
	if s.precision() < 0.95 {
		t.Errorf("held-out character precision %.3f, below the floor 0.95", s.precision())
	}
	small := evaluate(loadPresidio(t, "generated_small.json"), detectModel)
	report(t, "generated_small", small)
}

func report(t *testing.T, name string, s *score) {
	t.Helper()
	t.Logf("%-28s PERSON recall %3d/%3d = %.3f   char precision %5d/%5d = %.3f",
		name, s.found, s.gold, s.recall(), s.inGold, s.detChars, s.precision())
	for i := 0; i < *showErrors && i < len(s.misses); i++ {
		t.Logf("  miss  %q", s.misses[i])
	}
	for i := 0; i < *showErrors && i < len(s.strays); i++ {
		t.Logf("  stray %q", s.strays[i])
	}
}
