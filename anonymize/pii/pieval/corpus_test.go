package pieval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldValues returns "LABEL=value" for every gold span of c, in order.
func goldValues(c *Corpus) []string {
	var out []string
	for _, r := range c.Records {
		for _, g := range r.Spans {
			out = append(out, g.Label+"="+r.Text[g.Start:g.End])
		}
	}
	return out
}

func readTestdata(t *testing.T, name string) *Corpus {
	t.Helper()
	c, err := ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRead checks both formats and their offsets: code points, not bytes
// (é, ☎, 😀 and Han characters before a span), end exclusive in
// presidio-research and inclusive in CLUENER.
func TestRead(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format Format
		want   string
	}{
		{"presidio.json", Presidio, "PERSON=José Núñez|PHONE_NUMBER=415-555-0142|DATE_TIME=Monday|PERSON=Anna Bell|PERSON=Carl Dunn|ORGANIZATION=Acme|IBAN_CODE=GB33BUKB20201555555555"},
		{"presidio.jsonl", Presidio, "PERSON=José Núñez|PHONE_NUMBER=415-555-0142|DATE_TIME=Monday|PERSON=Anna Bell|PERSON=Carl Dunn|ORGANIZATION=Acme|IBAN_CODE=GB33BUKB20201555555555"},
		{"cluener.json", CLUENER, "position=记者|name=王小明|address=北京市朝阳区建国路88号|name=李四|name=欧阳娜娜"},
	} {
		c := readTestdata(t, tc.file)
		if c.Format != tc.format || len(c.Records) != 3 {
			t.Errorf("%s: format %s, %d records; want %s, 3", tc.file, c.Format, len(c.Records), tc.format)
		}
		if got := strings.Join(goldValues(c), "|"); got != tc.want {
			t.Errorf("%s: gold\n got %s\nwant %s", tc.file, got, tc.want)
		}
		if c.Relocated+c.Dropped != 0 {
			t.Errorf("%s: %d relocated, %d dropped; want none", tc.file, c.Relocated, c.Dropped)
		}
	}
}

// TestReadOffsetsOff: a label one character off (presidio's
// generated_small.json has one) moves to its value; a label whose value is
// not in the text is dropped; both are counted.
func TestReadOffsetsOff(t *testing.T) {
	c := readTestdata(t, "presidio_offsets.json")
	if got := strings.Join(goldValues(c), "|"); got != "PERSON=Ayers" {
		t.Errorf("gold = %s, want PERSON=Ayers", got)
	}
	if c.Relocated != 1 || c.Dropped != 1 {
		t.Errorf("relocated %d, dropped %d; want 1, 1", c.Relocated, c.Dropped)
	}
}

// TestReadErrors: errors name the record and the problem, never a value.
func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "  \n", "empty labelled file"},
		{"csv", "text,label\n", "not a labelled file"},
		{"bad json", `[{"full_text": 1}]`, "presidio JSON list"},
		{"no value, bad offsets", `[{"full_text": "Secret Name", "spans": [{"entity_type": "PERSON", "start_position": 3, "end_position": 40}]}]`, "record 0: span 0 (PERSON): offsets [3, 40) outside a text of 11 characters"},
		{"mixed lines", `{"text": "a", "label": {}}` + "\n" + `{"full_text": "b", "spans": []}`, "line 2: a presidio record in a cluener file"},
	} {
		_, err := Read(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "Secret") {
			t.Errorf("%s: error %q holds the text", tc.name, err)
		}
	}
	if _, err := ReadFile(filepath.Join("testdata", "absent.json")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("absent file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestMap(t *testing.T) {
	for label, want := range map[string]string{
		"PERSON": "PERSON", "name": "PERSON", "STREET_ADDRESS": "ADDRESS", "address": "ADDRESS",
		"PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "CREDIT_CARD": "BANK_CARD", "IP_ADDRESS": "IP",
		"IBAN_CODE": "IBAN", "US_SSN": "US_SSN", "CN_RESIDENT_ID": "CN_RESIDENT_ID", "wechat": "WECHAT",
		"GPE": "", "ORGANIZATION": "", "DATE_TIME": "", "company": "",
	} {
		got, ok := Map(label)
		if string(got) != want || ok != (want != "") {
			t.Errorf("Map(%q) = %q, %v; want %q", label, got, ok, want)
		}
	}
}

// TestSplit pins the split rule that the name model's training shares:
// FNV-1a 64 of the text's bytes, held out when 0 mod 5. The hashes were
// computed independently (Python, offset basis 0xcbf29ce484222325, prime
// 0x100000001b3).
func TestSplit(t *testing.T) {
	for text, held := range map[string]bool{
		"":                                false, // 0xcbf29ce484222325 % 5 = 2
		"a":                               false, // 0xaf63dc4c8601ec8c % 5 = 1
		"王小明明天来取件":                        false, // 0x670b2d0deff09aea % 5 = 4
		"Follow up with Satsita Umkhayev": true,  // 0x1c14ee161643a148 % 5 = 0
	} {
		if IsHeldOut(text) != held || HeldOut.Keep(text) != held || Train.Keep(text) == held || !All.Keep(text) {
			t.Errorf("split of %q: held out %v, want %v", text, IsHeldOut(text), held)
		}
	}
	if _, err := ParseSplit("test"); err == nil {
		t.Error("ParseSplit(test) succeeded")
	}
	c := readTestdata(t, "presidio.json")
	if n, m := len(c.Select(Train)), len(c.Select(HeldOut)); n+m != len(c.Records) {
		t.Errorf("train %d + heldout %d != %d records", n, m, len(c.Records))
	}
}
