package pieval

import (
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/pii"
)

// mark is a detector under test: it reports the first occurrence of each
// substring in a text with its type.
type mark struct {
	sub string
	typ pii.Type
}

func marks(ms ...mark) Detector {
	return func(text string) []pii.Span {
		var out []pii.Span
		for _, m := range ms {
			if i := strings.Index(text, m.sub); i >= 0 {
				out = append(out, pii.Span{Type: m.typ, Start: i, End: i + len(m.sub)})
			}
		}
		return out
	}
}

func wantScore(t *testing.T, r *Result, want TypeScore) {
	t.Helper()
	got, _ := r.Type(want.Type)
	want.Recall, want.TypedRecall = got.Recall, got.TypedRecall // checked apart
	if got != want {
		t.Errorf("%s: got %+v\nwant %+v", want.Type, got, want)
	}
}

// TestEvaluatePresidio checks the scorer's rules on hand-made detections:
// a gold span is found when at least half its characters are redacted
// (whitespace not counted: "Anna" is half of "Anna Bell"), by any type
// (typed recall needs the gold's type), labels veil does not score
// (DATE_TIME, ORGANIZATION) still make a redaction right, and precision
// counts characters.
func TestEvaluatePresidio(t *testing.T) {
	c := readTestdata(t, "presidio.json")
	det := marks(
		mark{"Núñez", pii.Person},   // 5 of José Núñez's 9 characters
		mark{"415-555", pii.Phone},  // 7 of 12
		mark{"Monday", pii.Person},  // on DATE_TIME: right, not scored
		mark{"Anna", pii.Address},   // half of Anna Bell, wrong type
		mark{"Car", pii.Person},     // 3 of Carl Dunn's 8: missed
		mark{"Acme", pii.Person},    // on ORGANIZATION
		mark{"work", pii.Phone},     // stray
		mark{"Tuesday", pii.Person}, // stray
	)
	r := Evaluate(c.Records, det, Options{Show: 5})
	wantScore(t, r, TypeScore{Type: pii.Person, Gold: 3, Found: 2, Typed: 1, Spans: 5, Stray: 1})
	wantScore(t, r, TypeScore{Type: pii.Phone, Gold: 1, Found: 1, Typed: 1, Spans: 2, Stray: 1})
	wantScore(t, r, TypeScore{Type: "IBAN", Gold: 1})
	wantScore(t, r, TypeScore{Type: pii.Address, Spans: 1})
	if p, _ := r.Type(pii.Person); p.Recall != 2.0/3 || p.TypedRecall != 1.0/3 {
		t.Errorf("PERSON recall %v, typed %v; want 2/3, 1/3", p.Recall, p.TypedRecall)
	}
	if r.All.Gold != 5 || r.All.Found != 3 || r.All.Typed != 2 || r.All.Recall != 0.6 {
		t.Errorf("all = %+v", r.All)
	}
	// Núñez 5 + 415-555 7 + Monday 6 + Anna 4 + Car 3 + Acme 4 + work 4 + Tuesday 7.
	if r.Redacted != 40 || r.InGold != 29 || r.Precision != 29.0/40 {
		t.Errorf("precision %d/%d = %v, want 29/40", r.InGold, r.Redacted, r.Precision)
	}
	var got []string
	for _, e := range append(r.Misses, r.Strays...) {
		got = append(got, string(e.Type)+" "+e.Context)
	}
	want := []string{
		"PERSON <PERSON> and ⟦Xxxx Xxxx⟧ <PHONE> at <ORGANIZATION>; IBAN <IBAN_CODE>…", // 40 characters after
		"IBAN <PERSON> and <PERSON> <PHONE> at <ORGANIZATION>; IBAN ⟦XX99XXXX99999999999999⟧.",
		"PHONE <PERSON> and <PERSON> ⟦xxxx⟧ at <ORGANIZATION>; IBAN <IBAN_CODE>.",
		"PERSON Nothing to see here, ⟦Xxxxxxx⟧.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("examples:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	raw := Evaluate(c.Records, det, Options{Show: 1, Raw: true})
	if !strings.Contains(raw.Misses[0].Context, "⟦Carl Dunn⟧") {
		t.Errorf("raw example %q does not show the value", raw.Misses[0].Context)
	}
	if n := Evaluate(c.Records, det, Options{}); len(n.Misses)+len(n.Strays) != 0 {
		t.Error("examples kept without Show")
	}
}

// TestEvaluateCLUENER: the half rule counts characters, not bytes
// (建国路88号 is half of 北京市朝阳区建国路88号 by characters, 14 of 32
// bytes), and an even gold span is found at exactly half (李 of 李四).
func TestEvaluateCLUENER(t *testing.T) {
	c := readTestdata(t, "cluener.json")
	det := marks(
		mark{"建国路88号", pii.Address},
		mark{"王小", pii.Person},
		mark{"李", pii.Person},
		mark{"欧阳", pii.Person},
		mark{"13812345678", pii.Phone}, // CLUENER labels no phones: a stray
		mark{"记者", pii.Person},         // on position: not a stray
	)
	r := Evaluate(c.Records, det, Options{})
	wantScore(t, r, TypeScore{Type: pii.Person, Gold: 3, Found: 3, Typed: 3, Spans: 4})
	wantScore(t, r, TypeScore{Type: pii.Address, Gold: 1, Found: 1, Typed: 1, Spans: 1})
	wantScore(t, r, TypeScore{Type: pii.Phone, Spans: 1, Stray: 1})
	if r.Redacted != 24 || r.InGold != 13 {
		t.Errorf("precision %d/%d, want 13/24", r.InGold, r.Redacted)
	}
	// One character short of half is a miss.
	r = Evaluate(c.Records, marks(mark{"国路88号", pii.Address}), Options{})
	wantScore(t, r, TypeScore{Type: pii.Address, Gold: 1, Spans: 1})
}

// TestEvaluateBrokenDetector: spans outside the text are clipped, not a
// panic; the default detector is pii.Find.
func TestEvaluateBrokenDetector(t *testing.T) {
	c := readTestdata(t, "cluener.json")
	r := Evaluate(c.Records, func(text string) []pii.Span {
		return []pii.Span{{Type: pii.Person, Start: -3, End: 6}, {Type: pii.Phone, Start: len(text) - 1, End: len(text) + 9}, {Type: pii.IP, Start: 4, End: 2}}
	}, Options{Show: 3})
	if p, _ := r.Type(pii.Person); p.Spans != 3 {
		t.Errorf("PERSON spans %d, want 3", p.Spans)
	}
	if d := Evaluate(c.Records, nil, Options{}); d.Records != 3 {
		t.Errorf("default detector: %d records", d.Records)
	}
}

func TestCheck(t *testing.T) {
	r := Evaluate(readTestdata(t, "presidio.json").Records, marks(mark{"Núñez", pii.Person}, mark{"415-555", pii.Phone}), Options{})
	for _, tc := range []struct {
		floors    map[string]float64
		precision float64
		want      string
	}{
		{map[string]float64{"PERSON": 0.3, "PHONE": 1}, 1, ""},
		{map[string]float64{"PERSON": 0.5}, 0, "recall of PERSON = 0.333, below the floor 0.50"},
		{map[string]float64{"*": 0.9, "IBAN": 0}, 0, "recall of PERSON = 0.333, below the floor 0.90"},
		{map[string]float64{"EMAIL": 0.1}, 0, "recall of EMAIL: no gold span of that type in the corpus"},
		{nil, 1.01, "character precision = 1.000, below the floor 1.01"},
	} {
		if got := strings.Join(r.Check(tc.floors, tc.precision), "; "); got != tc.want {
			t.Errorf("Check(%v, %v) = %q, want %q", tc.floors, tc.precision, got, tc.want)
		}
	}
}

func TestShape(t *testing.T) {
	for in, want := range map[string]string{
		"José Núñez":        "Xxxx Xxxxx",
		"(415) 555-0142":    "(999) 999-9999",
		"王小明, 北京市88号":       "〇〇〇, 〇〇〇99〇",
		"bob@example.com":   "xxx@xxxxxxx.xxx",
		"GB33 BUKB 2020 15": "XX99 XXXX 9999 99",
	} {
		if got := Shape(in); got != want {
			t.Errorf("Shape(%q) = %q, want %q", in, got, want)
		}
	}
}
