package pieval

import (
	"github.com/veil-data/veil/internal/realdata"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/pii"
)

// TestEvalReal scores pii.Find on the labelled real corpora, prints the
// table `veil pii eval` prints, and asserts floors a little under what
// the detectors and name models measure: they catch a regression. The
// issue's goals are PERSON ≥ 0.90 English, ≥ 0.80 Chinese, other types ≥
// 0.95, character precision ≥ 0.95; CLUENER's person recall counts every
// name label, transliterated and Latin-script names too (zhnames' own
// test scores Chinese names). VEIL_EVAL_SHOW=N prints N misses and
// strays per type, values masked.
//
// CLUENER labels no surname before a title (王先生), which veil redacts,
// nor phones: its character precision is low for that reason.
func TestEvalReal(t *testing.T) {
	show, _ := strconv.Atoi(os.Getenv("VEIL_EVAL_SHOW"))
	for _, tc := range []struct {
		name, file string
		split      Split
		records    int // in the split: pins the split rule
		recall     map[string]float64
		precision  float64
	}{
		{"presidio heldout", "presidio-research/synth_dataset_v2.json", HeldOut, 278,
			map[string]float64{"EMAIL": 1, "PHONE": 0.95, "BANK_CARD": 0.95, "IP": 1, "ADDRESS": 0.95, "PERSON": 0.95, "IBAN": 1, "US_SSN": 1}, 0.98},
		{"presidio generated_small", "presidio-research/generated_small.json", All, 100,
			map[string]float64{"EMAIL": 1, "PHONE": 0.95, "BANK_CARD": 0.95, "IP": 1, "ADDRESS": 0.88, "PERSON": 0.95, "US_SSN": 1}, 0.99},
		{"cluener all", "cluener2020/train.json", All, 10748,
			map[string]float64{"ADDRESS": 0.02, "PERSON": 0.50}, 0.90},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ReadFile(realdata.Path(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			recs := c.Select(tc.split)
			if len(recs) != tc.records {
				t.Errorf("%d records in split %s of %d, want %d", len(recs), tc.split, len(c.Records), tc.records)
			}
			r := Evaluate(recs, nil, Options{Show: show})
			var b strings.Builder
			r.WriteTable(&b)
			t.Logf("%s, split %s: %d of %d records (%d labels moved, %d dropped)\n%s",
				tc.file, tc.split, r.Records, len(c.Records), c.Relocated, c.Dropped, b.String())
			for _, f := range r.Check(tc.recall, tc.precision) {
				t.Error(f)
			}
		})
	}
}

// jdPlaceholder is JD's own masking in the JDDC chat: "[电话x]", "[姓名x]",
// "[组织机构x]" …
var jdPlaceholder = regexp.MustCompile(`\[[^\[\]]{1,8}x\]`)

// TestEvalJDDC runs pii.Find over JD.com chats that JD already masked:
// issue 9 asks for zero detections on JD's placeholders, and the lines
// where anything fires are what JD's masking left (or false positives).
func TestEvalJDDC(t *testing.T) {
	convs, err := ReadConversations(realdata.Path(t, "jddc-chat/chat_0.1per.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines, fired, placeholders, touched := 0, 0, 0, 0
	for _, c := range convs {
		for _, m := range c {
			lines++
			spans := pii.Find(m)
			if len(spans) > 0 {
				fired++
			}
			for _, loc := range jdPlaceholder.FindAllStringIndex(m, -1) {
				placeholders++
				if slices.ContainsFunc(spans, func(s pii.Span) bool { return s.Start < loc[1] && loc[0] < s.End }) {
					touched++
				}
			}
		}
	}
	t.Logf("JDDC: %d lines in %d sessions, %d lines with a detection, %d JD placeholders, %d of them touched",
		lines, len(convs), fired, placeholders, touched)
	if lines < 10000 || placeholders < 5000 {
		t.Fatalf("read %d lines with %d placeholders; expected the full corpus", lines, placeholders)
	}
	if touched > 0 {
		t.Errorf("%d JD placeholders touched, want 0", touched)
	}
	if fired > 12 { // 3 before issue 9; 9 with the name models (pii's TestJDDC lists them)
		t.Errorf("%d lines with a detection, more than 12", fired)
	}
}
