package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/veil-data/veil/anonymize"
)

// TestAudienceCommands drives `veil audience` as a merchant team would on
// a demo warehouse: a size asked twice gives the same number and costs
// once; an export writes merchant-scoped tokens only; a refusal exits
// non-zero with its reason and no count.
func TestAudienceCommands(t *testing.T) {
	dir := t.TempDir()
	code, demo, logs := run(t, "demo", "--dir", dir, "--events", "40000")
	if code != 0 {
		t.Fatalf("demo: %s\n%s", demo, logs)
	}
	wh, keys := filepath.Join(dir, "warehouse"), filepath.Join(dir, "keys")
	merchant := regexp.MustCompile(`(?m)^  (m\d+) `).FindStringSubmatch(demo)
	if merchant == nil {
		t.Fatal("no merchant in the demo's audience lines")
	}
	m := merchant[1]
	base := []string{"--warehouse", wh, "--keys", keys, "--merchant", m, "--date", "2026-11-20", "--actor", "alice"}
	size := func(expr string) (int, string, string) {
		return run(t, append([]string{"audience", "size", "--expr", expr}, base...)...)
	}
	code, first, e := size(`membership != "nobody" && lifecycle != "x"`)
	if code != 0 {
		t.Fatalf("size: %d %s %s", code, first, e)
	}
	code, again, _ := size(`membership != "nobody"  &&  lifecycle != "x"`)
	num := regexp.MustCompile(`audience size (\d+)`)
	if code != 0 || num.FindString(first) == "" || num.FindString(first) != num.FindString(again) || !strings.Contains(again, "no budget spent") {
		t.Errorf("asked twice:\n%s\n%s", first, again)
	}
	code, out, _ := size(`membership == "member" && age_band == "no such band"`)
	if code == 0 || !strings.Contains(out, "below the minimum size") || num.MatchString(out) {
		t.Errorf("too small: exit %d, %s", code, out)
	}
	code, out, _ = size(`membership = "member"`)
	if code == 0 || !strings.Contains(out, "bad audience expression") {
		t.Errorf("bad expression: exit %d, %s", code, out)
	}

	file := filepath.Join(dir, "out.parquet")
	code, out, e = run(t, append([]string{"audience", "export", "--expr", `membership != "nobody"`, "--out", file}, base...)...)
	if code != 0 {
		t.Fatalf("export: %d %s %s", code, out, e)
	}
	rows, err := parquet.ReadFile[exportRow](file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "exported "+strconv.Itoa(len(rows))+" customer tokens") || len(rows) < 50 {
		t.Errorf("export wrote %d rows: %s", len(rows), out)
	}
	for _, r := range rows {
		if !strings.HasPrefix(r.CustomerToken, anonymize.OneWayPrefix) {
			t.Fatalf("export holds a non-token %q", r.CustomerToken)
		}
	}
	if _, err := os.Stat(file + ".tmp"); !os.IsNotExist(err) {
		t.Error("export left its temporary file")
	}
	code, _, e = run(t, "audience", "size", "--warehouse", wh, "--date", "2026-11-20", "--expr", "true")
	if code == 0 || !strings.Contains(e, "--merchant") {
		t.Errorf("missing --merchant: exit %d", code)
	}
}
