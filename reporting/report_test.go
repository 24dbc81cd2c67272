package reporting

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/keys/signing"
	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// testSigner signs with a fixed Ed25519 key, standing in for the keyset.
type testSigner struct{ priv ed25519.PrivateKey }

func newTestSigner(t *testing.T) testSigner {
	t.Helper()
	return testSigner{ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))}
}

func (s testSigner) Sign(data []byte) ([]byte, error) { return ed25519.Sign(s.priv, data), nil }
func (s testSigner) KeyID() uint32                    { return 42 }
func (s testSigner) PublicKey() signing.PublicKey {
	return signing.PublicKey{KeyID: 42, Key: s.priv.Public().(ed25519.PublicKey)}
}

// verifySignedPair checks that the report JSON at path and its HTML page
// each verify against their .sig under pub.
func verifySignedPair(t *testing.T, path string, pub signing.PublicKey) {
	t.Helper()
	for _, f := range []string{path, strings.TrimSuffix(path, ".json") + ".html"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := os.ReadFile(f + signing.Ext)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := signing.Verify(data, sig, []signing.PublicKey{pub}); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// TestReportSignedWithHTML: a report run commits the JSON and the HTML,
// each with a signature that verifies against the signer's public key
// only, records the leak scan in its manifest stats, and renders the
// same bytes twice.
func TestReportSignedWithHTML(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	day := testwarehouse.Day(t, "2026-11-19")
	writeEvents(t, w, mem, "2026-11-19", []testwarehouse.Event{{TS: day, Type: "view", User: tok("u1"), Device: tok("d1")}})
	sg := newTestSigner(t)
	s := Stage{Signer: sg}
	job := testwarehouse.Job(t, w, mem, s, day, "20261119T000000.000Z-a")
	job.Landing = t.TempDir()
	if err := s.Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	rep, path, err := Latest(w, day)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != Version || rep.VeilVersion == "" || rep.Signing == nil || rep.Signing.KeyID != 42 || rep.Signing.PublicKey != sg.PublicKey().Fingerprint() {
		t.Fatalf("report head: version %d, veil %q, signing %+v", rep.Version, rep.VeilVersion, rep.Signing)
	}
	b, _ := os.ReadFile(path)
	if !bytes.HasPrefix(b, []byte("{\n  \"verdict\": {")) {
		t.Errorf("the JSON does not open with the verdict: %.60s", b)
	}
	htmlPath := strings.TrimSuffix(path, ".json") + ".html"
	verifySignedPair(t, path, sg.PublicKey())
	page, _ := os.ReadFile(htmlPath)
	for _, id := range SectionIDs {
		if !bytes.Contains(page, []byte(`<section id="`+id+`"`)) {
			t.Errorf("html lacks section %q", id)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://", "<link", "@import", "url("} {
		if bytes.Contains(page, []byte(bad)) && !(bad == "http://" && bytes.Count(page, []byte(bad)) == bytes.Count(page, []byte(`xmlns="http://www.w3.org/2000/svg"`))) {
			t.Errorf("html holds %q: it must be self-contained", bad)
		}
	}
	again, err := RenderHTML(rep)
	if err != nil || !bytes.Equal(again, page) {
		t.Errorf("rendering the same report twice differs (err %v)", err)
	}
	m, err := w.Manifest(schemas.Reports, sinks.Partition{DT: "2026-11-19"})
	if err != nil {
		t.Fatal(err)
	}
	var st pipeline.Stats
	if err := json.Unmarshal(m.Stats, &st); err != nil || st.Leak == nil || !st.Leak.Passed || st.Leak.Cells == 0 {
		t.Fatalf("manifest leak scan %+v, %v", st.Leak, err)
	}
}

// TestVerdictRules: each rule fails the verdict on its own, with a reason
// that names it; warnings do not fail it.
func TestVerdictRules(t *testing.T) {
	clean := func() *Report {
		return &Report{
			Complete:   true,
			LeakCheck:  LeakCheck{Passed: true},
			Partitions: []PartitionReport{{Dataset: "events_clean", Partition: "dt=2026-11-19", Stats: &pipeline.Stats{RecordsIn: 100, RecordsOut: 97, Quarantined: map[string]int64{"bad_json": 3}}}},
			Totals:     Totals{RecordsIn: 100, RecordsOut: 97, Quarantined: map[string]int64{"bad_json": 3}},
		}
	}
	cases := []struct {
		name   string
		change func(r *Report)
		rule   string // "" passes
	}{
		{"clean", func(*Report) {}, ""},
		{"leak", func(r *Report) { r.LeakCheck = LeakCheck{Findings: []Finding{{}}} }, "leak_check"},
		{"residual", func(r *Report) { r.ResidualScans = []ResidualNote{{Dataset: "events_clean", Findings: 1}} }, "residual_scan"},
		{"incomplete", func(r *Report) { r.Complete, r.Incomplete = false, []string{"tags: failed"} }, "incomplete"},
		{"no events", func(r *Report) { r.Partitions[0].Dataset = "chats_clean" }, "incomplete"},
		{"unaccounted", func(r *Report) { r.Partitions[0].Stats.RecordsIn = 101 }, "unaccounted"},
		{"quarantine", func(r *Report) { r.Totals.Quarantined["bad_json"] = 6 }, "quarantine"},
		{"anchor missing", func(r *Report) { r.Reidentifications = &Reidentifications{Anchor: AnchorMissing} }, "audit_log"},
		{"log cut", func(r *Report) {
			r.Reidentifications = &Reidentifications{Anchor: AnchorPresent, Entries: 3}
			r.Reidentified = &ReidentifiedNote{Log: AnchorPresent, Total: 2}
		}, "audit_log"},
		{"log deleted", func(r *Report) {
			r.Reidentifications = &Reidentifications{Anchor: AnchorPresent, Entries: 1}
			r.Reidentified = &ReidentifiedNote{Log: AnchorMissing}
		}, "audit_log"},
		{"model warning", func(r *Report) { r.Model = &ModelNote{Error: "corrupt"} }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := clean()
			c.change(r)
			v := verdict(r, DefaultMaxQuarantined)
			if c.rule == "" {
				if !v.Passed() || v.Status != VerdictPassed {
					t.Fatalf("verdict %+v, want passed", v)
				}
				return
			}
			if v.Passed() || v.Status != VerdictFailed || len(v.Failures) == 0 || !strings.HasPrefix(v.Failures[0], c.rule+": ") {
				t.Fatalf("verdict %+v, want failed by %s", v, c.rule)
			}
			page, err := RenderHTML(r)
			if err != nil || !bytes.Contains(page, []byte("Verdict: FAILED")) {
				t.Fatalf("html does not say FAILED (err %v)", err)
			}
		})
	}
}

// TestReidentifiedCountsTheDay: the day's attempts by outcome and reason;
// tokens never reach the note.
func TestReidentifiedCountsTheDay(t *testing.T) {
	day := testwarehouse.Day(t, "2026-11-19")
	if n := reidentified("", day); n != nil {
		t.Fatalf("no log configured: %+v", n)
	}
	path := filepath.Join(t.TempDir(), "reidentify.jsonl")
	if n := reidentified(path, day); n == nil || n.Log != AnchorMissing {
		t.Fatalf("missing log: %+v", n)
	}
	lines := `{"seq":1,"time":"2026-11-18T23:59:59.000000Z","actor":"a","action":"reidentify","field":"user_id","token":"r_AAAA","reason":"appeal #1","outcome":"revealed"}
{"seq":2,"time":"2026-11-19T09:00:00.000000Z","actor":"a","action":"reidentify","field":"user_id","token":"r_BBBB","reason":"appeal #2","outcome":"revealed"}
{"seq":3,"time":"2026-11-19T10:00:00.000000Z","actor":"a","action":"reidentify","field":"user_id","token":"r_CCCC","reason":"appeal #2","outcome":"refused: not a token"}
`
	os.WriteFile(path, []byte(lines), 0o600)
	n := reidentified(path, day)
	if n.Log != AnchorPresent || n.Attempts != 2 || n.Revealed != 1 || n.Refused != 1 || n.Reasons["appeal #2"] != 2 || n.Total != 3 {
		t.Fatalf("note %+v", n)
	}
	b, _ := json.Marshal(n)
	if bytes.Contains(b, []byte("r_")) {
		t.Fatalf("note holds a token: %s", b)
	}
	os.WriteFile(path, []byte(lines+"{\n"), 0o600)
	if n := reidentified(path, day); n.Log != AnchorDamaged {
		t.Fatalf("damaged log: %+v", n)
	}
}
