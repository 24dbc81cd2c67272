package pii

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// realData returns a folder of the shared real data sets, or skips the test:
// $VEIL_REAL_DATA, else ../shared/data/real from the repository root.
func realData(t *testing.T, sub string) string {
	t.Helper()
	dir := os.Getenv("VEIL_REAL_DATA")
	if dir == "" {
		root, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				t.Skip("real data: repository root not found; set VEIL_REAL_DATA")
			}
			root = parent
		}
		dir = filepath.Join(root, "..", "shared", "data", "real")
	}
	p := filepath.Join(dir, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data %s absent (set VEIL_REAL_DATA to the shared data/real folder): %v", sub, err)
	}
	return p
}

// TestStdnumVectors checks the validators and the detectors against
// python-stdnum's test cases for Chinese resident IDs and Luhn.
func TestStdnumVectors(t *testing.T) {
	f, err := os.Open(realData(t, "stdnum-test-vectors/extracted_vectors.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ric, lu int
	for _, r := range rows[1:] {
		module, function, input, expected, note := r[0], r[1], r[2], r[3], r[5]
		valid := expected == "valid"
		switch {
		case module == "cn_ric" && function == "validate",
			module == "cn_ric" && valid,
			// County-level failures are beyond the province check; a bad
			// province is not.
			module == "cn_ric" && !provinceCode(num([]byte(input[:2]))):
			ric++
			if got := ValidCNResidentID(input); got != valid {
				t.Errorf("ValidCNResidentID(%s) = %v, want %v (%s %s)", input, got, valid, function, note)
			}
			spans := Find("身份证 " + input + " 谢谢")
			isID := len(spans) == 1 && spans[0].Type == CNResidentID
			if isID != valid {
				t.Errorf("Find(%s) = %v, want resident ID %v", input, spans, valid)
			}
		case module == "luhn" && function == "validate" && !strings.Contains(note, "alphabet"):
			lu++
			if got := ValidLuhn(input); got != valid {
				t.Errorf("ValidLuhn(%s) = %v, want %v", input, got, valid)
			}
			spans := Find("card " + input)
			isCard := len(spans) == 1 && spans[0].Type == BankCard
			if want := valid && len(input) >= 13 && len(input) <= 19; isCard != want {
				t.Errorf("Find(card %s) = %v, want card %v", input, spans, want)
			}
		}
	}
	if ric < 10 || lu < 4 {
		t.Fatalf("only %d cn_ric and %d luhn cases read", ric, lu)
	}
	t.Logf("checked %d cn_ric and %d luhn vectors", ric, lu)
}

// TestPresidioRecall measures, on presidio-research's labelled synthetic
// English sentences, the share of e-mail, phone and credit-card spans
// that Find covers with the right type, and asserts floors.
func TestPresidioRecall(t *testing.T) {
	b, err := os.ReadFile(realData(t, "presidio-research/synth_dataset_v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var records []struct {
		FullText string `json:"full_text"`
		Spans    []struct {
			EntityType string `json:"entity_type"`
			Value      string `json:"entity_value"`
			Start      int    `json:"start_position"` // in code points
			End        int    `json:"end_position"`
		} `json:"spans"`
	}
	if err := json.Unmarshal(b, &records); err != nil {
		t.Fatal(err)
	}
	types := map[string]Type{"EMAIL_ADDRESS": Email, "PHONE_NUMBER": Phone, "CREDIT_CARD": BankCard}
	floors := map[Type]float64{Email: 1.0, Phone: 0.90, BankCard: 0.85}
	labelled, hit := map[Type]int{}, map[Type]int{}
	var other, none []string // detections that overlap a label of another type, or no label
	for _, r := range records {
		found := Find(r.FullText)
		used := make([]bool, len(found))
		for _, l := range r.Spans {
			typ, ok := types[l.EntityType]
			if !ok {
				continue
			}
			start, end := byteOffset(r.FullText, l.Start), byteOffset(r.FullText, l.End)
			if r.FullText[start:end] != l.Value {
				t.Fatalf("label offsets do not match %q", l.Value)
			}
			labelled[typ]++
			for k, s := range found {
				if s.Type == typ && covers(r.FullText, s, start, end) {
					hit[typ]++
					used[k] = true
					break
				}
			}
		}
		for k, s := range found {
			if used[k] {
				continue
			}
			what := string(s.Type) + ":" + r.FullText[s.Start:s.End]
			overlaps := false
			for _, l := range r.Spans {
				start, end := byteOffset(r.FullText, l.Start), byteOffset(r.FullText, l.End)
				overlaps = overlaps || s.Start < end && start < s.End
			}
			if overlaps {
				other = append(other, what)
			} else {
				none = append(none, what)
			}
		}
	}
	for _, typ := range []Type{Email, Phone, BankCard} {
		recall := float64(hit[typ]) / float64(labelled[typ])
		t.Logf("recall %-9s %3d/%3d = %.3f (floor %.2f)", typ, hit[typ], labelled[typ], recall, floors[typ])
		if recall < floors[typ] {
			t.Errorf("recall of %s = %.3f, below %.2f", typ, recall, floors[typ])
		}
	}
	// Other labels hit are mostly US SSNs, ZIP codes and house numbers of
	// street addresses: personal data too, so redacting them is no loss.
	t.Logf("%d detections overlap a label of another type: %q", len(other), other)
	t.Logf("%d detections overlap no label: %q", len(none), none)
	if len(none) > 0 {
		t.Errorf("%d detections of unlabelled text", len(none))
	}
}

// byteOffset converts a code-point offset of s to a byte offset.
func byteOffset(s string, cp int) int {
	b := 0
	for i := 0; i < cp && b < len(s); i++ {
		_, w := utf8.DecodeRuneInString(s[b:])
		b += w
	}
	return b
}

// covers reports whether span s covers every letter and digit of
// text[start:end] (it may add a leading '(' or '+', or miss a separator).
func covers(text string, s Span, start, end int) bool {
	if s.End <= start || s.Start >= end {
		return false
	}
	for i := start; i < end; i++ {
		if isAlnum(text[i]) && (i < s.Start || i >= s.End) {
			return false
		}
	}
	return true
}

// TestJDDCNoFalsePositives runs the detectors over JD.com customer-service
// chats that JD already masked ("[电话x]", "[姓名x]", "[身份证号x]", …):
// nothing may fire, and redaction must leave every line as it is.
func TestJDDCNoFalsePositives(t *testing.T) {
	f, err := os.Open(realData(t, "jddc-chat/chat_0.1per.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	c := NewConversation()
	lines, placeholders := 0, 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 7 {
			continue
		}
		text := strings.Join(cols[6:], "\t")
		lines++
		placeholders += strings.Count(text, "x]")
		if spans := Find(text); spans != nil {
			var got []string
			for _, s := range spans {
				got = append(got, string(s.Type)+":"+text[s.Start:s.End])
			}
			t.Errorf("line %d: detectors fired on masked text %q: %q", lines, text, got)
		}
		if out, n := c.Redact(text); out != text || n.Total() != 0 {
			t.Errorf("line %d: Redact changed masked text", lines)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines < 10000 || placeholders < 1000 {
		t.Fatalf("read %d lines with %d placeholders; expected the full corpus", lines, placeholders)
	}
	t.Logf("%d masked lines, %d JD placeholders, no detection", lines, placeholders)
}
