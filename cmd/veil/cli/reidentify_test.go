package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/audit"
)

// tokenizer opens the pipeline's keys in dir, as a pipeline stage would.
func tokenizer(t *testing.T, dir string) *anonymize.Tokenizer {
	t.Helper()
	kek, err := keys.LoadKEK(filepath.Join(dir, keys.DefaultKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	set, err := keys.Open(context.Background(), dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestReidentifyAudited: keys init, a token from the Tokenizer, its
// re-identification, refusals, verification of the audit log, and an edit
// of the log that verify catches.
func TestReidentifyAudited(t *testing.T) {
	t.Setenv(keys.EnvKEK, "")
	t.Setenv(keys.EnvReidentifyKEK, "")
	t.Setenv(audit.EnvLog, "")
	root := t.TempDir()
	dir := filepath.Join(root, "keys")
	logPath := filepath.Join(root, "audit", "reidentify.jsonl") // the default
	if code, out, e := run(t, "keys", "init", "--keys", dir); code != 0 || !strings.Contains(out, "reidentify-kek.json") {
		t.Fatalf("keys init: exit %d %q %q", code, out, e)
	}
	const raw = "user-8841"
	tok := tokenizer(t, dir)
	r, o := tok.Reversible("user_id", raw), tok.OneWay("user_id", raw)

	reid := func(args ...string) (int, string, string) {
		return run(t, append([]string{"reidentify", "--keys", dir, "--actor", "carol"}, args...)...)
	}
	code, out, e := reid("--field", "user_id", "--token", r, "--reason", "appeal #17")
	if code != 0 || out != raw+"\n" {
		t.Fatalf("reidentify: exit %d, stdout %q, stderr %q", code, out, e)
	}
	if strings.Contains(e, raw) {
		t.Fatalf("the value reached stderr: %q", e)
	}

	refusals := []struct {
		name string
		args []string
		want string
	}{
		{"one-way token", []string{"--field", "user_id", "--token", o, "--reason", "r"}, "one-way tokens cannot be re-identified"},
		{"token of another field", []string{"--field", "device_id", "--token", r, "--reason", "r"}, "invalid token"},
		{"not a token", []string{"--field", "user_id", "--token", "alice@example.com", "--reason", "r"}, "reversible token"},
		// Not recorded: the audit key is under the re-identification KEK,
		// so nothing is attempted without it.
		{"wrong re-identification KEK", []string{"--field", "user_id", "--token", r, "--reason", "r", "--reid-kek", filepath.Join(dir, keys.DefaultKEKFile)}, "wrong key-encryption key"},
	}
	for _, tt := range refusals {
		code, out, e := reid(tt.args...)
		if code == 0 || out != "" || !strings.Contains(e, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want a refusal with %q", tt.name, code, out, e, tt.want)
		}
	}
	// Usage errors are not attempts: nothing to record.
	for _, args := range [][]string{
		{"--field", "user_id", "--token", r},
		{"--field", "user_id", "--token", r, "--reason", "  "},
	} {
		if code, out, _ := reid(args...); code == 0 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want a usage error", args, code, out)
		}
	}

	code, out, e = run(t, "audit", "verify", "--keys", dir)
	if code != 0 || !strings.Contains(out, "ok, 4 entries") || !strings.Contains(out, "anchored at seq 4") || strings.Contains(out, "warning") {
		t.Fatalf("audit verify: exit %d %q %q", code, out, e)
	}
	entries, _, err := auditLog(t, dir, logPath).Load()
	if err != nil {
		t.Fatal(err)
	}
	outcomes := []string{"revealed", "refused: one-way", "refused: token not valid", "refused: not a reversible"}
	for i, en := range entries {
		if en.Actor != "carol" || !strings.HasPrefix(en.Outcome, outcomes[i]) {
			t.Errorf("entry %d: actor %q outcome %q, want %q", i+1, en.Actor, en.Outcome, outcomes[i])
		}
	}
	b, _ := os.ReadFile(logPath)
	if strings.Contains(string(b), raw) || strings.Contains(string(b), "alice@example.com") {
		t.Fatalf("the audit log holds a raw value:\n%s", b)
	}

	// An edited log fails verification, naming the entry, and stops
	// re-identification.
	os.WriteFile(logPath, []byte(strings.Replace(string(b), "appeal #17", "appeal #18", 1)), 0o600)
	code, _, e = run(t, "audit", "verify", "--keys", dir, "--audit-log", logPath)
	if code == 0 || !strings.Contains(e, "line 1 (seq 1)") || !strings.Contains(e, "edited") {
		t.Fatalf("verify of an edited log: exit %d, %q", code, e)
	}
	code, out, e = reid("--field", "user_id", "--token", r, "--reason", "again")
	if code == 0 || out != "" || !strings.Contains(e, "audit log") {
		t.Fatalf("reidentify with a tampered log: exit %d, stdout %q, stderr %q", code, out, e)
	}
}

// TestReidentifyNeedsItsOwnKeys: the pipeline's KEK and keysets are not
// enough, and a token made before a rotation re-identifies after it.
func TestReidentifyNeedsItsOwnKeys(t *testing.T) {
	t.Setenv(keys.EnvKEK, "")
	t.Setenv(keys.EnvReidentifyKEK, "")
	t.Setenv(audit.EnvLog, "")
	root := t.TempDir()
	dir := filepath.Join(root, "keys")
	logPath := filepath.Join(root, "log.jsonl")
	if code, _, e := run(t, "keys", "init", "--keys", dir); code != 0 {
		t.Fatalf("keys init: %s", e)
	}
	old := tokenizer(t, dir)
	r := old.Reversible("payment_card", "4111111111111111")

	code, out, e := run(t, "keys", "rotate", "--keys", dir)
	if code != 0 || strings.Count(out, " -> ") != 7 { // report-signing too
		t.Fatalf("keys rotate: exit %d %q %q", code, out, e)
	}
	for name, id := range old.KeyIDs() {
		if strings.Contains(out, name) && !strings.Contains(out, " "+strconv.FormatUint(uint64(id), 10)+" -> ") {
			t.Errorf("rotate output %q does not show %s's old primary %d", out, name, id)
		}
	}
	reid := func(args ...string) (int, string, string) {
		return run(t, append([]string{"reidentify", "--keys", dir, "--actor", "dan", "--audit-log", logPath,
			"--field", "payment_card", "--reason", "chargeback 5"}, args...)...)
	}
	if code, out, e := reid("--token", r); code != 0 || out != "4111111111111111\n" {
		t.Fatalf("token from before the rotation: exit %d %q %q", code, out, e)
	}
	newTok := tokenizer(t, dir)
	if newTok.Reversible("payment_card", "4111111111111111") == r {
		t.Error("rotation did not change the token")
	}

	// keys info shows the re-identification keyset only with its KEK.
	code, out, _ = run(t, "keys", "info", "--keys", dir)
	if code != 0 || !strings.Contains(out, "reidentify  deterministic_aead") || strings.Contains(out, "warning") {
		t.Fatalf("keys info with the re-identification KEK: exit %d %q", code, out)
	}
	away := filepath.Join(root, "compliance", keys.DefaultReidentifyKEKFile)
	os.MkdirAll(filepath.Dir(away), 0o700)
	if err := os.Rename(filepath.Join(dir, keys.DefaultReidentifyKEKFile), away); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "keys", "info", "--keys", dir)
	if code != 0 || strings.Contains(out, "reidentify  deterministic_aead") || !strings.Contains(out, "not shown") {
		t.Fatalf("keys info without the re-identification KEK: exit %d %q", code, out)
	}
	// The pipeline's KEK and tokens-reversible are here; that is not enough.
	if code, out, e := reid("--token", r); code == 0 || out != "" || !strings.Contains(e, "not found") {
		t.Fatalf("without the re-identification KEK: exit %d %q %q", code, out, e)
	}
	if code, out, e := reid("--token", r, "--reid-kek", away); code != 0 || out != "4111111111111111\n" {
		t.Fatalf("with --reid-kek: exit %d %q %q", code, out, e)
	}
	// Rotation needs both KEKs, and changes nothing without them.
	before, _ := os.ReadFile(keys.Path(dir, keys.TokensReversible))
	if code, _, _ := run(t, "keys", "rotate", "--keys", dir); code == 0 {
		t.Fatal("rotate without the re-identification KEK succeeded")
	}
	if after, _ := os.ReadFile(keys.Path(dir, keys.TokensReversible)); string(after) != string(before) {
		t.Fatal("a failed rotation changed tokens-reversible")
	}
	// keys init (as veil demo runs it) does not make a second
	// re-identification KEK when the copy exists and its KEK is elsewhere.
	if code, _, e := run(t, "keys", "init", "--keys", dir); code != 0 || exists(filepath.Join(dir, keys.DefaultReidentifyKEKFile)) {
		t.Fatalf("keys init with the KEK away: exit %d %q", code, e)
	}

	// Without reidentify.json, tokens-reversible and both KEKs do not help.
	os.Remove(keys.Path(dir, keys.Reidentify))
	if code, out, e := reid("--token", r, "--reid-kek", away); code == 0 || out != "" || !strings.Contains(e, "reidentify.json") {
		t.Fatalf("without reidentify.json: exit %d %q %q", code, out, e)
	}
	// Two reveals and the refusal without reidentify.json; the attempt
	// without the re-identification KEK could not be recorded.
	l := audit.Log{Path: logPath, Anchor: audit.AnchorPath(dir), Key: auditKey(t, dir, away)}
	if res, err := l.Verify(); err != nil || res.Entries != 3 || len(res.Keys) != 1 {
		t.Fatalf("audit log: %+v, %v", res, err)
	}
}

// auditKey opens the audit key of the keys folder dir under the
// re-identification KEK file reidKEK.
func auditKey(t *testing.T, dir, reidKEK string) *keys.MAC {
	t.Helper()
	rk, err := keys.LoadKEK(reidKEK)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.OpenAuditKey(context.Background(), dir, rk)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// auditLog is the audit log at path of the keys folder dir, whose
// re-identification KEK is in it.
func auditLog(t *testing.T, dir, path string) audit.Log {
	return audit.Log{Path: path, Anchor: audit.AnchorPath(dir), Key: auditKey(t, dir, filepath.Join(dir, keys.DefaultReidentifyKEKFile))}
}
