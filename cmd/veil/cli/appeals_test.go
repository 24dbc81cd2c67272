package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
)

// TestAppealsRoundTrip: the appeals stage opens cases from the feed; list
// shows them by token with desensitised statements and flags the overdue;
// decide records a final decision (PII in the reason replaced), which list
// then shows and loadLifts hands the blacklist; verify passes, and after
// an edit of the log fails naming the entry, and decide is refused.
func TestAppealsRoundTrip(t *testing.T) {
	t.Setenv(keys.EnvKEK, "")
	t.Setenv(keys.EnvReidentifyKEK, "")
	root := t.TempDir()
	landing, wh, kd := filepath.Join(root, "landing"), filepath.Join(root, "warehouse"), filepath.Join(root, "keys")
	if code, _, e := run(t, "keys", "init", "--keys", kd); code != 0 {
		t.Fatal(e)
	}
	if _, err := os.Stat(filepath.Join(kd, appeals.AnchorFile)); err != nil {
		t.Fatalf("keys init made no appeals anchor: %v", err)
	}
	dt := "2026-11-19"
	dir := pipeline.LandingDir(landing, "appeals", dt)
	os.MkdirAll(dir, 0o755)
	feed := `{"appeal_id":"ap-1","user_id":"u00000042","ts":"2026-11-19T08:00:00Z","statement":"My account was hacked, call me on +86 138 1234 5678."}
{"appeal_id":"ap-2","user_id":"u00000043","ts":"2026-11-19T09:00:00Z","statement":"I only used a welcome coupon."}
`
	os.WriteFile(filepath.Join(dir, "appeals.jsonl"), []byte(feed), 0o644)
	os.WriteFile(filepath.Join(dir, schemas.SuccessMarker), nil, 0o644)
	loc := []string{"--landing", landing, "--warehouse", wh, "--keys", kd}
	if code, _, e := run(t, append([]string{"once", "--stage", "appeals", "--date", dt}, loc...)...); code != 0 {
		t.Fatal(e)
	}

	list := func(args ...string) []appealRow {
		t.Helper()
		code, out, e := run(t, append(append([]string{"appeals", "list", "--json"}, args...), loc...)...)
		if code != 0 {
			t.Fatalf("list: %s", e)
		}
		var rows []appealRow
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("list output %q: %v", out, err)
		}
		return rows
	}
	rows := list()
	if len(rows) != 2 || rows[0].Case != "ap-1" || rows[0].Status != "open" || !rows[0].Overdue || !strings.HasPrefix(rows[0].UserToken, "r_") {
		t.Fatalf("open cases %+v", rows)
	}
	for _, r := range rows {
		if strings.Contains(r.Statement, "138") || strings.Contains(r.UserToken, "u0000004") {
			t.Errorf("raw value listed: %+v", r)
		}
	}
	// --overdue-days counts from now: a limit longer than the case's age
	// flags nothing.
	if rows := list("--overdue-days", "100000"); rows[0].Overdue {
		t.Errorf("overdue with a limit of 100000 days: %+v", rows[0])
	}

	decide := func(args ...string) (int, string, string) {
		return run(t, append(append([]string{"appeals", "decide"}, args...), loc...)...)
	}
	code, out, e := decide("--case", "ap-1", "--decision", "lift", "--reason", "hijack confirmed by phone +86 138 1234 5678", "--by", "alice")
	if code != 0 || !strings.Contains(out, "case ap-1: lift recorded by alice") || !strings.Contains(e, "1 PII value") {
		t.Fatalf("decide: %d %q %q", code, out, e)
	}
	if code, _, e := decide("--case", "ap-1", "--decision", "uphold", "--reason", "again", "--by", "bob"); code == 0 || !strings.Contains(e, "decided already") {
		t.Errorf("second decision: %d %q", code, e)
	}
	if code, _, e := decide("--case", "ap-9", "--decision", "lift", "--reason", "x", "--by", "bob"); code == 0 || !strings.Contains(e, "no case") {
		t.Errorf("unknown case: %d %q", code, e)
	}
	if code, _, e := decide("--case", "ap-2", "--decision", "maybe", "--reason", "x"); code == 0 || !strings.Contains(e, "uphold or lift") {
		t.Errorf("bad decision: %d %q", code, e)
	}
	rows = list("--status", "decided")
	if len(rows) != 1 || rows[0].Status != "lift" || rows[0].DecidedBy != "alice" || strings.Contains(rows[0].Reason, "138") || !strings.Contains(rows[0].Reason, "hijack confirmed") {
		t.Fatalf("decided cases %+v", rows)
	}
	if rows := list(); len(rows) != 1 || rows[0].Case != "ap-2" {
		t.Errorf("open cases after the decision %+v", rows)
	}
	p := &paths{warehouse: wh, keys: kd}
	lifts, err := loadLifts(p, time.Now().Add(time.Second).UnixMilli())
	if err != nil || len(lifts) != 1 || lifts[0].Case != "ap-1" || lifts[0].Token != rows[0].UserToken || lifts[0].Entity != features.User {
		t.Fatalf("lifts %+v, %v", lifts, err)
	}
	if code, out, e := run(t, append([]string{"appeals", "verify"}, loc...)...); code != 0 || !strings.Contains(out, "ok, 1 decisions") {
		t.Fatalf("verify: %d %q %q", code, out, e)
	}

	// An edited decision log is detected.
	logPath := filepath.Join(wh, appeals.LogFile)
	b, _ := os.ReadFile(logPath)
	os.WriteFile(logPath, []byte(strings.Replace(string(b), `"decision":"lift"`, `"decision":"uphold"`, 1)), 0o600)
	if code, _, e := run(t, append([]string{"appeals", "verify"}, loc...)...); code == 0 || !strings.Contains(e, "line 1 (seq 1)") || !strings.Contains(e, "MAC does not verify") {
		t.Errorf("verify of an edited log: %d %q", code, e)
	}
	if code, _, e := decide("--case", "ap-2", "--decision", "uphold", "--reason", "x", "--by", "bob"); code == 0 || !strings.Contains(e, "fails verification") && !strings.Contains(e, "MAC") {
		t.Errorf("decide on an edited log: %d %q", code, e)
	}
	if _, err := loadLifts(p, time.Now().UnixMilli()); err == nil {
		t.Error("lifts from an edited log")
	}
}

// TestAppealsKeyOnFirstUse: a keys folder made before the decision log
// gets its key and anchor on first use; one whose log exists without its
// key is refused.
func TestAppealsKeyOnFirstUse(t *testing.T) {
	t.Setenv(keys.EnvKEK, "")
	t.Setenv(keys.EnvReidentifyKEK, "")
	root := t.TempDir()
	wh, kd := filepath.Join(root, "warehouse"), filepath.Join(root, "keys")
	if code, _, e := run(t, "keys", "init", "--keys", kd); code != 0 {
		t.Fatal(e)
	}
	os.Remove(keys.Path(kd, keys.Appeals))
	os.Remove(filepath.Join(kd, appeals.AnchorFile))
	p := &paths{warehouse: wh, keys: kd}
	if lifts, err := loadLifts(p, time.Now().UnixMilli()); err != nil || lifts != nil {
		t.Fatalf("lifts without a key or a log: %v %v", lifts, err)
	}
	loc := []string{"--warehouse", wh, "--keys", kd}
	if code, out, e := run(t, append([]string{"appeals", "list"}, loc...)...); code != 0 || !strings.Contains(out, "CASE") {
		t.Fatalf("list on first use: %d %q %q", code, out, e)
	}
	for _, f := range []string{keys.Path(kd, keys.Appeals), filepath.Join(kd, appeals.AnchorFile)} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("first use did not make %s: %v", f, err)
		}
	}
	os.MkdirAll(filepath.Dir(filepath.Join(wh, appeals.LogFile)), 0o700)
	os.WriteFile(filepath.Join(wh, appeals.LogFile), []byte("{}\n"), 0o600)
	os.Remove(keys.Path(kd, keys.Appeals))
	if code, _, e := run(t, append([]string{"appeals", "verify"}, loc...)...); code == 0 || !strings.Contains(e, "key is missing") {
		t.Errorf("a log without its key: %d %q", code, e)
	}
}
