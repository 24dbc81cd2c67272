package ennames

import "testing"

// detectRules is alternative (a): the same runs, tagged by the lists and
// capitalisation alone. A word is a name when a name list holds it and no
// title does; an unlisted capitalised word next to one in the same run is
// a name too ("Satsita Umkhayev" after a listed given name).
func detectRules(text string) []Span {
	var dst []Span
	var win window
	for p := nextCandidate(text, 0); p < len(text); p = nextCandidate(text, p) {
		end, ok := nextRun(text, p, &win)
		if ok {
			var names [maxRun]bool
			t := win.toks[2 : 2+win.n]
			for i := range t {
				names[i] = t[i].gaz&(gazGiven|gazSurname) != 0 && t[i].gaz&gazTitle == 0
			}
			for i := range t {
				if names[i] || t[i].gaz != 0 || t[i].shape != shapeCap {
					continue
				}
				names[i] = i > 0 && names[i-1] && t[i-1].gaz&gazGiven != 0 || i+1 < len(t) && names[i+1] && t[i+1].gaz&gazSurname != 0
			}
			dst = appendSpans(dst, &win, &names)
		}
		p = end
	}
	return dst
}

func TestEvalRules(t *testing.T) {
	_, test := split(loadPresidio(t, "synth_dataset_v2.json"))
	report(t, "rules: held-out", evaluate(test, detectRules))
	report(t, "rules: generated_small", evaluate(loadPresidio(t, "generated_small.json"), detectRules))
}
