package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/risk/model"
)

type trainOut struct {
	ID        string
	Activated bool
	Labels    map[string]string
	Metrics   map[string]model.Metrics
}

// TestModelCommands trains, lists, shows, activates, evaluates and exports
// on a small demo warehouse (two generated days, labelled fraud in both).
func TestModelCommands(t *testing.T) {
	dir := t.TempDir()
	if code, _, e := run(t, "demo", "--dir", dir, "--events", "8000"); code != 0 {
		t.Fatalf("demo: %s", e)
	}
	wh := filepath.Join(dir, "warehouse")
	loc := []string{"--warehouse", wh, "--landing", filepath.Join(dir, "landing"), "--keys", filepath.Join(dir, "keys")}
	veil := func(args ...string) (string, string) {
		t.Helper()
		code, out, errOut := run(t, append(args, loc...)...)
		if code != 0 {
			t.Fatalf("veil %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		return out, errOut
	}
	train := func(args ...string) trainOut {
		t.Helper()
		out, _ := veil(append([]string{"model", "train", "--json"}, args...)...)
		var r trainOut
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("train --json: %v\n%s", err, out)
		}
		return r
	}

	if code, _, e := run(t, append([]string{"model", "show"}, loc...)...); code == 0 || !strings.Contains(e, "no current model") {
		t.Errorf("show before any model: exit %d, %s", code, e)
	}
	first := train()
	if first.Activated || first.Labels["from"] != defaultStart || first.Labels["partitions"] != "2" || first.Labels["data_fingerprint"] == "" {
		t.Errorf("first model: %+v", first.Labels)
	}
	val := first.Metrics["validation"]
	if val.Rows == 0 || val.Positives == 0 || !(val.AUC > 0.5) || len(val.Calibration.Bins) == 0 {
		t.Errorf("validation metrics: %+v", val)
	}
	if _, err := os.Stat(filepath.Join(model.RegistryDir(wh), first.ID+".json")); err != nil {
		t.Errorf("saved artefact: %v", err)
	}
	// Training is deterministic and the id is the content's: the same data
	// and options give the same version.
	if again := train(); again.ID != first.ID {
		t.Errorf("same data and options: id %s, then %s", first.ID, again.ID)
	}
	if code, _, _ := run(t, append([]string{"model", "show"}, loc...)...); code == 0 {
		t.Error("an unactivated model became current")
	}
	second := train("--c", "0.1", "--activate")
	if second.ID == first.ID || !second.Activated || second.Labels["c"] != "0.1" {
		t.Errorf("second model: %s %v %v", second.ID, second.Activated, second.Labels)
	}
	out, _ := veil("model", "show")
	for _, want := range []string{second.ID + " (current)", "validation", "calibration on validation", "top weights", "C=0.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	out, _ = veil("model", "show", "--json", first.ID[:10])
	if a, err := model.Load(strings.NewReader(out)); err != nil || a.ID != first.ID {
		t.Errorf("show --json is not the loadable artefact: %v", err)
	}
	out, _ = veil("model", "list")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[2], "* "+second.ID[:12]) {
		t.Errorf("list:\n%s", out)
	}

	// Evaluate the first model on the second day: its rows and fraud.
	day2 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	out, _ = veil("model", "evaluate", "--model", first.ID[:12], "--from", day2, "--to", day2, "--json")
	var ev struct {
		ID      string
		Data    map[string]string
		Metrics model.Metrics
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != first.ID || ev.Data["partitions"] != "1" || ev.Metrics.Rows < val.Rows || ev.Metrics.AtThreshold.Threshold != val.AtThreshold.Threshold {
		t.Errorf("evaluate: id %s data %v metrics rows %d threshold %v", short12(ev.ID), ev.Data, ev.Metrics.Rows, ev.Metrics.AtThreshold.Threshold)
	}
	if out, _ := veil("model", "evaluate", "--from", day2, "--to", day2); !strings.Contains(out, "model "+second.ID[:12]) || !strings.Contains(out, "optimistic") {
		t.Errorf("evaluate the current model:\n%s", out)
	}

	// Export: every row train read, split as train split it, no raw value.
	csvPath := filepath.Join(dir, "export.csv")
	veil("model", "export", "--out", csvPath)
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	a, err := model.Open(model.RegistryDir(wh), first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0][3:], ","); got != strings.Join(a.Features, ",") {
		t.Errorf("export columns differ from the model's features")
	}
	sides := map[string]int{}
	for _, r := range rows[1:] {
		sides[r[2]]++
	}
	if strconv.Itoa(sides["train"]) != first.Labels["train_rows"] || strconv.Itoa(sides["validation"]) != first.Labels["validation_rows"] {
		t.Errorf("export split %v, train split %s/%s", sides, first.Labels["train_rows"], first.Labels["validation_rows"])
	}
	body, _ := os.ReadFile(csvPath)
	for d := range 2 {
		raw, err := ingest.RawValues(context.Background(), filepath.Join(dir, "landing"), time.Date(2026, 11, 19+d, 0, 0, 0, 0, time.UTC), nil)
		if err != nil {
			t.Fatal(err)
		}
		for v := range raw {
			if len(v) >= 6 && strings.Contains(string(body), v) {
				t.Fatalf("a raw value of length %d appears in the export", len(v))
			}
		}
	}
}

func TestModelCommandErrors(t *testing.T) {
	dir := t.TempDir()
	loc := []string{"--warehouse", filepath.Join(dir, "wh"), "--landing", filepath.Join(dir, "landing"), "--keys", filepath.Join(dir, "keys")}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"model", "train"}, "no committed risk_training partition"},
		{[]string{"model", "train", "--c", "0"}, "--c"},
		{[]string{"model", "train", "--from", "2026-13-01"}, "--from"},
		{[]string{"model", "evaluate", "--from", "2026-11-19"}, "missing --to"},
		{[]string{"model", "export"}, "missing --out"},
		{[]string{"model", "show", "../../etc"}, "hex"},
		{[]string{"model", "activate", strings.Repeat("0", 64)}, "no such file"},
	} {
		code, _, e := run(t, append(c.args, loc...)...)
		if code == 0 || !strings.Contains(e, c.want) {
			t.Errorf("veil %s: exit %d, %q; want an error naming %q", strings.Join(c.args, " "), code, e, c.want)
		}
	}
}

func TestSelectColumns(t *testing.T) {
	X := [][]float64{{1, 2}, {0, 1}, {5, 6}}
	got, err := model.SelectColumns([]string{"a", "browser=IE", "extra"}, X, []string{"browser=IE", "browser=Opera", "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0, 1}, {0, 0}, {1, 2}}
	for k := range want {
		for i := range want[k] {
			if got[k][i] != want[k][i] || math.IsNaN(got[k][i]) {
				t.Fatalf("aligned %v, want %v", got, want)
			}
		}
	}
	if _, err := model.SelectColumns([]string{"a"}, X[:1], []string{"a", "amount"}); err == nil || !strings.Contains(err.Error(), "amount") {
		t.Errorf("a missing feature column: %v", err)
	}
}
