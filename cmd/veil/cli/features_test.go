package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/veil-data/veil/risk/features"
)

func TestFeaturesPrintsEveryDefinition(t *testing.T) {
	code, out, errOut := run(t, "features", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rows []struct{ Name, Entity, Window, Type, Definition string }
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(features.Defs) {
		t.Fatalf("%d features printed, %d defined", len(rows), len(features.Defs))
	}
	for i, r := range rows {
		if r.Name != features.Defs[i].Name || r.Window == "" || r.Definition == "" || r.Entity == "unknown" {
			t.Errorf("feature %d printed as %+v", i, r)
		}
	}
	code, out, _ = run(t, "features", "--match", "live_")
	if code != 0 || !strings.Contains(out, "live_since_start_s") || strings.Contains(out, "user_logins_1h") {
		t.Errorf("--match live_: exit %d\n%s", code, out)
	}
}
