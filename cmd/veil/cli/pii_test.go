package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestPIIEval runs veil pii eval on a hand-written presidio file whose
// last phone is spelled in words, which no detector reads: the table,
// JSON, floors that pass and fail (status 1), and examples that show
// corpus values only with --raw.
func TestPIIEval(t *testing.T) {
	gold := filepath.Join("testdata", "pii_gold.json")
	code, out, errs := run(t, "pii", "eval", "--gold", gold, "--show", "5", "--min-recall", "person=1", "--min-precision", "0.5")
	if code != 0 {
		t.Fatalf("status %d: %s", code, errs)
	}
	for _, want := range []string{"(presidio format), split all: 3 of 3 records", "PHONE", "char precision", "missed:", "⟦xxxx xxx xxx xxx⟧"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "nine one one") {
		t.Errorf("output shows a labelled value without --raw:\n%s", out)
	}
	if _, out, _ = run(t, "pii", "eval", "--gold", gold, "--show", "5", "--raw"); !strings.Contains(out, "⟦nine one one two⟧") {
		t.Errorf("--raw output lacks the value:\n%s", out)
	}

	code, out, _ = run(t, "pii", "eval", "--gold", gold, "--json", "--split", "heldout")
	var res struct {
		Records   int     `json:"records"`
		Precision float64 `json:"char_precision"`
	}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil {
		t.Fatalf("--json: status %d, %v:\n%s", code, err, out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--min-recall", "PERSON=1,EMAIL=0.5"}, "recall of EMAIL: no gold span of that type in the corpus"},
		{[]string{"--min-recall", "*=1"}, "recall of PHONE = 0.500, below the floor 1.00"},
		{[]string{"--min-precision", "1.5"}, "character precision"},
		{[]string{"--min-recall", "PERSON"}, "--min-recall: \"PERSON\": want TYPE=X"},
		{[]string{"--split", "test"}, "--split"},
	} {
		code, _, errs := run(t, append([]string{"pii", "eval", "--gold", gold}, tc.args...)...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: status %d, stderr %q; want 1 and %q", tc.args, code, errs, tc.want)
		}
	}
	if code, _, errs := run(t, "pii", "eval"); code != ExitUsage || !strings.Contains(errs, "--gold") {
		t.Errorf("no --gold: status %d, %q", code, errs)
	}
}
