package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesCheck(t *testing.T) {
	code, out, errs := run(t, "rules", "check")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"valid (", "card_testing@1", "CREDENTIAL_STUFFING", "live_since_start_s", "cluster_members"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	bad := filepath.Join(t.TempDir(), "rules.yaml")
	src := "rules:\n" +
		"  - {name: x, version: 0, expr: \"nope > 1\", reason: R, severity: low, action: review, entity: user}\n" +
		"  - {name: y, version: 1, expr: \"amount\", reason: R, severity: low, action: hold, entity: user}\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "rules", "check", "--rules", bad)
	if code == 0 {
		t.Fatal("a bad rule file passed")
	}
	for _, want := range []string{"rule x: version", "rule x: ERROR: <input>:1:1: undeclared reference to 'nope'", "rule y: action \"hold\"", "rule y: expr has type double"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestRulesCheckOnWarehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a demo")
	}
	dir := t.TempDir()
	if code, out, errs := run(t, "demo", "--dir", dir, "--events", "10000"); code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errs)
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "warehouse", "risk_features", "dt=*"))
	if len(parts) == 0 {
		t.Fatal("demo wrote no risk_features")
	}
	dt := strings.TrimPrefix(filepath.Base(parts[0]), "dt=")
	code, out, errs := run(t, "rules", "check", "--warehouse", filepath.Join(dir, "warehouse"), "--date", dt)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "risk_features/dt="+dt+": ") || !strings.Contains(out, "HITS") {
		t.Errorf("no hit table:\n%s", out)
	}
}
