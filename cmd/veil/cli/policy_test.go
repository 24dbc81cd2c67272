package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	code, out, errs := run(t, "policy", "check")
	if code != 0 {
		t.Fatalf("default policy: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"valid", "user_id", "tokenize_reversible", "ip_country", "generalised", "Fraud_Data*.csv"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}

	bad := filepath.Join(t.TempDir(), "policy.yaml")
	body := "version: 1\nfeeds:\n  events:\n    dataset: events_clean\n    fields:\n      event_id: keep\n      ts: keep\n      type: keep\n      user_id: keep\n      shoe_size: keep\n"
	if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "policy", "check", "--policy", bad)
	if code == 0 {
		t.Fatal("a bad policy passed the check")
	}
	for _, want := range []string{`"user_id"`, "PII", `"shoe_size"`, "no such field"} {
		if !strings.Contains(errs, want) {
			t.Errorf("error output lacks %q:\n%s", want, errs)
		}
	}
	// The pipeline refuses to run on it too.
	code, _, errs = run(t, "status", "--policy", bad, "--landing", t.TempDir(), "--warehouse", t.TempDir(), "--keys", t.TempDir())
	if code == 0 || !strings.Contains(errs, "shoe_size") {
		t.Errorf("status with a bad policy: exit %d, %s", code, errs)
	}
}
