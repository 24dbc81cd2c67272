package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

func TestDefaultCompiles(t *testing.T) {
	f := Default()
	for _, feed := range []schemas.Input{schemas.Events, schemas.Chats, schemas.OptOuts} {
		c, err := f.Compile(feed)
		if err != nil {
			t.Fatalf("%s: %v", feed.Name, err)
		}
		// Every field of the feed is named: nothing is dropped by accident.
		for i, fd := range feed.Fields {
			if !c.Named(i) {
				t.Errorf("%s.%s: not named by the default policy", feed.Name, fd.Name)
			}
			if fd.PII && !c.Protected(i) {
				t.Errorf("%s.%s: PII field kept", feed.Name, fd.Name)
			}
		}
	}
}

// TestValidation: each bad policy fails, and the message names the field.
func TestValidation(t *testing.T) {
	base := func(fields string) string {
		return "version: 1\nfeeds:\n  events:\n    dataset: events_clean\n    fields:\n" +
			"      event_id: keep\n      ts: keep\n      type: keep\n      user_id: {action: tokenize_reversible, to: user_token}\n" + fields
	}
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"unknown field", base("      shoe_size: keep\n"), []string{`"shoe_size"`, "no such field"}},
		{"unknown action", base("      gender: scramble\n"), []string{`"gender"`, `unknown action "scramble"`}},
		{"unknown method", base("      ip: {action: generalize, method: ip_blur, to: ip_prefix}\n"), []string{`"ip"`, `unknown method "ip_blur"`}},
		{"missing method", base("      ip: {action: generalize, to: ip_prefix}\n"), []string{`"ip"`, "needs a method"}},
		{"bad parameter", base("      ip: {action: generalize, method: ip_prefix, params: {ipv4_bits: 40}, to: ip_prefix}\n"), []string{`"ip"`, "ipv4_bits"}},
		{"unknown parameter", base("      ip: {action: generalize, method: ip_prefix, params: {bits: 8}, to: ip_prefix}\n"), []string{`"ip"`, `unknown parameter "bits"`}},
		{"method on wrong kind", base("      gender: {action: generalize, method: amount_bucket, params: {edges: [1]}, to: amount_band}\n"), []string{`"gender"`, "does not apply"}},
		{"keep of PII", base("      email: keep\n"), []string{`"email"`, "PII"}},
		{"no such column", base("      email: {action: tokenize_oneway, to: email_hash}\n"), []string{`"email"`, `no column "email_hash"`}},
		{"wrong column type", base("      amount: {action: keep, to: currency}\n"), []string{`"amount"`, "column currency is STRING"}},
		{"column twice", base("      phone: {action: tokenize_oneway, to: email_token}\n      email: {action: tokenize_oneway, to: email_token}\n"), []string{"already written"}},
		{"required column unwritten", strings.Replace(base(""), "      type: keep\n", "", 1), []string{`"type"`, "no rule writes it"}},
		{"misspelt key", base("      gender: {acton: keep}\n"), []string{"acton"}},
		{"drop with column", base("      gender: {action: drop, to: gender}\n"), []string{`"gender"`, "drop takes no column"}},
		{"token of a number", base("      amount: {action: tokenize_oneway, to: phone_token}\n"), []string{`"amount"`, "needs a string field"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse([]byte(tc.yaml), "test.yaml")
			if err == nil {
				_, err = f.Compile(schemas.Events)
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	f, err := Parse([]byte("version: 1\nfeeds:\n  events:\n    dataset: events_clean\n    fields:\n      a: keep\n      b: keep\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Compile(schemas.Events)
	var es Errors
	if !errors.As(err, &es) || len(es) < 4 { // a, b, and the unwritten required columns
		t.Fatalf("err = %v, want every problem", err)
	}
}

type fakeTokens struct{}

func (fakeTokens) Reversible(f, v string) string { return "r_" + f + ":" + v }
func (fakeTokens) OneWay(f, v string) string     { return "o_" + f + ":" + v }

// TestApply: default-deny and domain separation as the compiled policy
// applies them (real tokens are tested in package anonymize).
func TestApply(t *testing.T) {
	f, err := Parse([]byte(`version: 1
feeds:
  events:
    dataset: events_clean
    fields:
      event_id: keep
      ts: {action: generalize, method: truncate_time, params: {unit: hour}, to: ts}
      type: keep
      user_id: {action: tokenize_reversible, to: user_token}
      device_id: {action: tokenize_reversible, params: {domain: device}, to: device_token}
      ip:
        - {action: tokenize_oneway, to: ip_token}
        - {action: generalize, method: ip_prefix, params: {ipv4_bits: 16}, to: ip_prefix}
      amount: [keep, {action: generalize, method: amount_bucket, params: {edges: [10, 100]}, to: amount_band}]
      age: {action: generalize, method: age_band, to: age_band}
      birth_date: {action: generalize, method: age_band, to: age_band}
      gender: drop
`), "t")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Compile(schemas.Events)
	if err != nil {
		t.Fatal(err)
	}
	rec := c.NewRecord()
	set := func(k, v string) {
		i, _ := c.Index(k)
		rec.Vals[i], rec.Present[i] = v, true
	}
	set("event_id", "e1")
	set("ts", "2026-11-19T10:42:13.5Z")
	set("type", "view")
	set("user_id", "same")
	set("device_id", "same")
	set("ip", "203.0.113.9")
	set("amount", "42.5")
	set("age", "30")
	set("birth_date", "1950-01-01")
	set("gender", "F")
	set("email", "a@b.example") // not named: never written
	rec.TS, _ = time.Parse(time.RFC3339Nano, "2026-11-19T10:42:13.5Z")
	row := c.NewRows(1).Row(0)
	if err := c.Apply(fakeTokens{}, rec, row); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for i, f := range c.Dataset.Schema.Fields() {
		if row.Valid[i] {
			got[f.Name] = row.S[i]
		}
	}
	for col, want := range map[string]string{
		"user_token": "r_user_id:same", "device_token": "r_device:same",
		"ip_token": "o_ip:203.0.113.9", "ip_prefix": "203.0.0.0/16",
		"amount_band": "10-100", "age_band": "65+", // birth_date comes before age in the feed: it wins
	} {
		if got[col] != want {
			t.Errorf("%s = %q, want %q", col, got[col], want)
		}
	}
	for _, col := range []string{"gender", "email_token", "phone_token", "region"} {
		if _, ok := got[col]; ok {
			t.Errorf("%s written; nothing should write it", col)
		}
	}
	tsCol := c.Dataset.Schema.FieldIndices("ts")[0]
	if want := time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC).UnixMilli(); row.I[tsCol] != want {
		t.Errorf("ts = %d, want truncated to the hour %d", row.I[tsCol], want)
	}
	amt := c.Dataset.Schema.FieldIndices("amount")[0]
	if row.F[amt] != 42.5 {
		t.Errorf("amount = %v", row.F[amt])
	}
}

func TestRulesYAMLForms(t *testing.T) {
	f, err := Parse([]byte(`version: 1
feeds:
  events:
    dataset: events_clean
    fields:
      a: keep
      b: {action: drop}
      c: [keep, {action: generalize, method: x}]
`), "t")
	if err != nil {
		t.Fatal(err)
	}
	fl := f.Feeds["events"].Fields
	if len(fl["a"]) != 1 || fl["a"][0].Action != "keep" || len(fl["b"]) != 1 || len(fl["c"]) != 2 || fl["c"][1].Method != "x" {
		t.Errorf("parsed %+v", fl)
	}
}

func TestKeyTable(t *testing.T) {
	for _, feed := range []schemas.Input{schemas.Events, schemas.Chats, schemas.OptOuts} {
		c, err := Default().Compile(feed)
		if err != nil {
			t.Fatal(err)
		}
		kt := c.KeyTable()
		for i, f := range feed.Fields {
			if got := kt.Lookup(f.Name); got != i {
				t.Errorf("%s.%s: %d, want %d", feed.Name, f.Name, got, i)
			}
		}
		for _, k := range []string{"", "x", "user_idx", "tS", "email2", "ts "} {
			if got := kt.Lookup(k); got != -1 {
				t.Errorf("%q: %d, want -1", k, got)
			}
		}
	}
}

// TestFilesSection: the files: section's defaults, its validation (every
// problem at once), and its place in the fingerprint.
func TestFilesSection(t *testing.T) {
	base := "version: 1\nfeeds:\n  events:\n    dataset: events_clean\n    fields:\n" +
		"      event_id: keep\n      ts: keep\n      type: keep\n      user_id: {action: tokenize_reversible, to: user_token}\n"
	compile := func(t *testing.T, files string) *Compiled {
		t.Helper()
		f, err := Parse([]byte(base+files), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.Compile(schemas.Events)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	none := compile(t, "")
	got := none.Files()
	if !slices.Equal(got.Accept, pipeline.DefaultLandingRules.Accept) || got.CaseSensitive || got.Symlinks != pipeline.SymlinksInside || got.OnDamagedFile != DamagedFail || got.QuarantineDamaged() {
		t.Errorf("defaults %+v", got)
	}
	// Writing the defaults out changes nothing, not even the fingerprint
	// partitions were committed under before the section existed.
	same := compile(t, "files:\n  accept: [.jsonl, .jsonl.gz, .csv, .csv.gz]\n  symlinks: inside_landing\n  on_damaged_file: fail\n")
	if same.Fingerprint() != none.Fingerprint() {
		t.Error("the default files: rules changed the fingerprint")
	}
	q := compile(t, "files:\n  on_damaged_file: quarantine\n")
	if !q.Files().QuarantineDamaged() || q.Fingerprint() == none.Fingerprint() {
		t.Error("on_damaged_file: quarantine not in effect or not fingerprinted")
	}
	if l := compile(t, "files:\n  accept: [.ndjson]\n  case_sensitive: true\n  symlinks: none\n").Files().Landing(); !slices.Equal(l.Accept, []string{".ndjson"}) || !l.CaseSensitive || l.Symlinks != pipeline.SymlinksNone {
		t.Errorf("landing rules %+v", l)
	}

	_, err := Parse([]byte(base+"files:\n  accept: [jsonl, .gz, \"*.csv\"]\n  symlinks: sometimes\n  on_damaged_file: ignore\n"), "test.yaml")
	for _, w := range []string{`"jsonl"`, `".gz"`, `"*.csv"`, `symlinks: "sometimes"`, `on_damaged_file: "ignore"`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %s", err, w)
		}
	}
	if _, err := Parse([]byte(base+"files:\n  accept: []\n"), "test.yaml"); err == nil || !strings.Contains(err.Error(), "accept is empty") {
		t.Errorf("empty accept: %v", err)
	}
	if _, err := Parse([]byte(base+"files:\n  acept: [.jsonl]\n"), "test.yaml"); err == nil {
		t.Error("misspelt key accepted")
	}
}

func TestFileKinds(t *testing.T) {
	for name, want := range map[string][2]bool{
		"a.csv": {true, false}, "a.CSV.GZ": {true, true}, "a.jsonl.gz": {false, true}, "a.JSONL": {false, false},
	} {
		if IsCSV(name) != want[0] || IsGzip(name) != want[1] {
			t.Errorf("%s: csv %v gzip %v", name, IsCSV(name), IsGzip(name))
		}
	}
}
