package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/audience"
	"github.com/veil-data/veil/audit"
	"github.com/veil-data/veil/audit/chain"
	"github.com/veil-data/veil/reporting"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// TestAuditLogCannotBeWiped: the operator's view of the keyed, anchored
// audit log. A wiped, truncated or re-hashed log fails veil audit verify
// naming what is wrong, and reidentify will not start a new chain over it.
func TestAuditLogCannotBeWiped(t *testing.T) {
	t.Setenv(keys.EnvKEK, "")
	t.Setenv(keys.EnvReidentifyKEK, "")
	t.Setenv(audit.EnvLog, "")
	root := t.TempDir()
	dir := filepath.Join(root, "keys")
	logPath := filepath.Join(root, "audit", "reidentify.jsonl")
	code, out, e := run(t, "keys", "init", "--keys", dir)
	if code != 0 || !strings.Contains(out, "audit log anchor") {
		t.Fatalf("keys init: exit %d %q %q", code, out, e)
	}
	tok := tokenizer(t, dir).Reversible("user_id", "user-1")
	reid := func() (int, string, string) {
		return run(t, "reidentify", "--keys", dir, "--actor", "carol", "--field", "user_id", "--token", tok, "--reason", "appeal")
	}
	for range 4 {
		if code, _, e := reid(); code != 0 {
			t.Fatalf("reidentify: %s", e)
		}
	}
	verify := func(args ...string) (int, string, string) {
		return run(t, append([]string{"audit", "verify", "--keys", dir}, args...)...)
	}
	code, out, e = verify()
	if code != 0 || !strings.Contains(out, "ok, 4 entries") || !strings.Contains(out, "anchored at seq 4") {
		t.Fatalf("verify: exit %d %q %q", code, out, e)
	}
	orig, _ := os.ReadFile(logPath)
	origHead, _ := os.ReadFile(audit.HeadPath(logPath))
	restore := func() {
		os.WriteFile(logPath, orig, 0o600)
		os.WriteFile(audit.HeadPath(logPath), origHead, 0o600)
	}
	ls := strings.SplitAfter(string(orig), "\n")

	cases := []struct {
		name   string
		tamper func()
		want   string
	}{
		{"wiped log, head deleted", func() {
			os.WriteFile(logPath, nil, 0o600)
			os.Remove(audit.HeadPath(logPath))
		}, "the log is empty but its anchor records 4 entries: the log was wiped"},
		{"log and head deleted", func() {
			os.Remove(logPath)
			os.Remove(audit.HeadPath(logPath))
		}, "the log is missing but its anchor"},
		{"truncated log, head rewritten", func() {
			os.WriteFile(logPath, []byte(strings.Join(ls[:2], "")), 0o600)
			var rec struct {
				MAC string `json:"mac"`
			}
			json.Unmarshal([]byte(ls[1]), &rec)
			os.WriteFile(audit.HeadPath(logPath), fmt.Appendf(nil, `{"seq":2,"hash":"%s"}`+"\n", rec.MAC), 0o600)
		}, "audit-anchor.json (seq 3): the log ends at seq 2 but its anchor records seq 4"},
		{"edited entry", func() {
			os.WriteFile(logPath, []byte(strings.Replace(string(orig), "carol", "mallory", 1)), 0o600)
		}, "line 1 (seq 1): entry was edited, or written without the audit key"},
	}
	for _, tt := range cases {
		tt.tamper()
		code, _, e := verify()
		if code == 0 || !strings.Contains(e, tt.want) {
			t.Errorf("%s: verify exit %d, %q; want %q", tt.name, code, e, tt.want)
		}
		// reidentify refuses to go on, or to start a new chain at seq 1.
		if code, out, e := reid(); code == 0 || out != "" || !strings.Contains(e, "refusing to") {
			t.Errorf("%s: reidentify exit %d, %q, %q", tt.name, code, out, e)
		}
		restore()
	}
	if code, _, e := verify(); code != 0 {
		t.Fatalf("restored log: %s", e)
	}

	// Each day's report records the anchor; verify --warehouse holds the
	// log to what the reports saw.
	wh, err := sinks.Open(filepath.Join(root, "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	commitReport(t, wh, "2026-11-20", reporting.Report{Reidentifications: &reporting.Reidentifications{Anchor: reporting.AnchorPresent}})
	a, _, _ := readAnchor(dir)
	commitReport(t, wh, "2026-11-21", reporting.Report{Reidentifications: &reporting.Reidentifications{Anchor: reporting.AnchorPresent, Entries: a.Seq, Head: a.Head}})
	code, out, e = verify("--warehouse", wh.Root)
	if code != 0 || !strings.Contains(out, "agrees with 2 reports") {
		t.Fatalf("verify --warehouse: exit %d %q %q", code, out, e)
	}
	// A holder of the key rewrites log, head and anchor together to drop
	// the last entry: the local files agree, the report does not.
	key := auditKey(t, dir, filepath.Join(dir, keys.DefaultReidentifyKEKFile))
	os.Remove(logPath)
	os.Remove(audit.HeadPath(logPath))
	os.Remove(audit.AnchorPath(dir))
	audit.InitAnchor(audit.AnchorPath(dir), key)
	l := audit.Log{Path: logPath, Anchor: audit.AnchorPath(dir), Key: key}
	for range 3 {
		if _, err := l.Append(context.Background(), audit.Entry{Actor: "carol", Action: audit.ActionReidentify, Reason: "appeal", Outcome: audit.OutcomeRevealed}); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, e := verify(); code != 0 {
		t.Fatalf("the rewritten log verifies locally: %s", e)
	}
	code, _, e = verify("--warehouse", wh.Root)
	if code == 0 || !strings.Contains(e, "the log ends at seq 3 but report") {
		t.Fatalf("verify --warehouse of a log rewritten with the key: exit %d %q", code, e)
	}
}

// TestAuditVerifyLegacy: a log of the first, unkeyed format verifies with
// a warning, and the next re-identification keys it.
func TestAuditVerifyLegacy(t *testing.T) {
	t.Setenv(keys.EnvKEK, "")
	t.Setenv(keys.EnvReidentifyKEK, "")
	t.Setenv(audit.EnvLog, "")
	root := t.TempDir()
	dir := filepath.Join(root, "keys")
	logPath := filepath.Join(root, "audit", "reidentify.jsonl")
	if code, _, e := run(t, "keys", "init", "--keys", dir); code != 0 {
		t.Fatal(e)
	}
	os.MkdirAll(filepath.Dir(logPath), 0o700)
	// Written by the first format: SHA-256 chained, no key.
	const legacy = `{"seq":1,"time":"2026-01-02T03:04:05.000006Z","actor":"bob","action":"reidentify","field":"user_id","token":"r_abc","reason":"a<b","outcome":"refused: x","prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"`
	hash := legacyHash(`{"seq":1,"time":"2026-01-02T03:04:05.000006Z","actor":"bob","action":"reidentify","field":"user_id","token":"r_abc","reason":"a<b","outcome":"refused: x","prev":"0000000000000000000000000000000000000000000000000000000000000000"}`)
	os.WriteFile(logPath, []byte(legacy+hash+"\"}\n"), 0o600)
	os.WriteFile(audit.HeadPath(logPath), []byte(`{"seq":1,"hash":"`+hash+"\"}\n"), 0o600)
	code, out, e := run(t, "audit", "verify", "--keys", dir)
	if code != 0 || !strings.Contains(out, "ok, 1 entries") || !strings.Contains(out, "warning: all 1 entries are unkeyed (legacy") {
		t.Fatalf("verify of a legacy log: exit %d %q %q", code, out, e)
	}
	tok := tokenizer(t, dir).Reversible("user_id", "user-1")
	if code, _, e := run(t, "reidentify", "--keys", dir, "--actor", "carol", "--field", "user_id", "--token", tok, "--reason", "appeal"); code != 0 {
		t.Fatal(e)
	}
	code, out, e = run(t, "audit", "verify", "--keys", dir)
	if code != 0 || !strings.Contains(out, "ok, 2 entries") || !strings.Contains(out, "entries 1-1 are unkeyed (legacy") || !strings.Contains(out, "cover them") {
		t.Fatalf("verify after a keyed append: exit %d %q %q", code, out, e)
	}
}

func commitReport(t *testing.T, wh *sinks.Warehouse, dt string, r reporting.Report) {
	t.Helper()
	r.DT = dt
	b, _ := json.Marshal(r)
	pw, err := wh.Begin(schemas.Reports, sinks.Partition{DT: dt}, "report", "run-"+dt)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	if err := pw.WriteFile("run-"+dt+".json", b, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(sinks.CommitInfo{}); err != nil {
		t.Fatal(err)
	}
}

func readAnchor(dir string) (chain.Anchor, bool, error) {
	return chain.PeekAnchor(audit.AnchorPath(dir))
}

// legacyHash is the first format's hash of an entry with no predecessor.
func legacyHash(body string) string {
	sum := sha256.Sum256([]byte(chain.Genesis + body))
	return hex.EncodeToString(sum[:])
}

// TestKeysInitAddsMACKeysets: a keys folder made before the logs were
// keyed gets their keysets and anchors from keys init; without the
// re-identification KEK at hand it says what it could not make.
func TestKeysInitAddsMACKeysets(t *testing.T) {
	t.Setenv(keys.EnvKEK, "")
	t.Setenv(keys.EnvReidentifyKEK, "")
	root := t.TempDir()
	dir := filepath.Join(root, "keys")
	if code, _, e := run(t, "keys", "init", "--keys", dir); code != 0 {
		t.Fatal(e)
	}
	old := []string{keys.Path(dir, keys.Audit), keys.Path(dir, keys.AudienceLedger), audit.AnchorPath(dir), filepath.Join(dir, audience.LedgerAnchorFile)}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	away := filepath.Join(root, "compliance", keys.DefaultReidentifyKEKFile)
	os.MkdirAll(filepath.Dir(away), 0o700)
	os.Rename(filepath.Join(dir, keys.DefaultReidentifyKEKFile), away)
	code, out, e := run(t, "keys", "init", "--keys", dir)
	if code != 0 || !strings.Contains(out, "created MAC keyset "+keys.Path(dir, keys.AudienceLedger)) || !strings.Contains(out, "warning: "+keys.Path(dir, keys.Audit)+" not created") {
		t.Fatalf("keys init without the re-identification KEK: exit %d %q %q", code, out, e)
	}
	code, out, e = run(t, "keys", "init", "--keys", dir, "--reid-kek", away)
	if code != 0 || !strings.Contains(out, "created MAC keyset "+keys.Path(dir, keys.Audit)) || !strings.Contains(out, "created audit log anchor") {
		t.Fatalf("keys init with it: exit %d %q %q", code, out, e)
	}
	for _, f := range old {
		if !exists(f) {
			t.Errorf("%s not made", f)
		}
	}
}
