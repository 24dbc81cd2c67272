package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/reporting"
	"github.com/veil-data/veil/sinks"
)

// TestBackfillShowsFailures: with a damaged warehouse file that the second
// day's tags and training read (and the first day's training, due again
// once the second day's labels land), backfill prints one line per failed
// stage and date and exits non-zero, the day's report is committed saying what is
// missing, and status does not call the day up to date; repaired, a
// backfill brings it all up to date and the report complete.
func TestBackfillShowsFailures(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "warehouse")
	if code, _, e := run(t, "gen", "--out", dir, "--days", "2", "--events", "4000", "--seed", "9"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "keys", "init", "--dir", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(e)
	}
	where := []string{"--landing", filepath.Join(dir, "landing"), "--warehouse", wh, "--keys", filepath.Join(dir, "keys")}
	backfill := func(from, to string) (int, string, string) {
		return run(t, append([]string{"backfill", "--from", from, "--to", to, "--log-level", "error"}, where...)...)
	}
	if code, _, e := backfill("2026-11-19", "2026-11-19"); code != 0 {
		t.Fatal(e)
	}
	part := filepath.Join(wh, "events_clean", "dt=2026-11-19", "part-00000.parquet")
	good, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}

	code, _, stderr := backfill("2026-11-19", "2026-11-20")
	if code == 0 {
		t.Fatalf("backfill exited 0 with failed stages:\n%s", stderr)
	}
	for _, want := range []string{`(?m)^FAILED +2026-11-20 +tags +\S`, `(?m)^FAILED +2026-11-20 +training +\S`, `(?m)^FAILED +2026-11-19 +training +\S`, `backfill: stage runs not up to date: 4 failed`} {
		if !regexp.MustCompile(want).MatchString(stderr) {
			t.Errorf("stderr lacks %s:\n%s", want, stderr)
		}
	}
	if regexp.MustCompile(`(?m)^\S+ +2026-11-19 +(ingest|chats|optouts|labels|tags|risk) `).MatchString(stderr) {
		t.Errorf("a first-day stage that did not read the damaged file is reported failed:\n%s", stderr)
	}
	w, err := sinks.Open(wh)
	if err != nil {
		t.Fatal(err)
	}
	day2, _ := time.Parse(time.DateOnly, "2026-11-20")
	rep, _, err := reporting.Latest(w, day2)
	if err != nil {
		t.Fatalf("no report for the day with failures: %v", err)
	}
	if rep.Complete || len(rep.Incomplete) != 2 || !strings.HasPrefix(rep.Incomplete[0], "tags 2026-11-20: failed: ") || !strings.HasPrefix(rep.Incomplete[1], "training 2026-11-20: failed: ") {
		t.Fatalf("report: complete %v, incomplete %q", rep.Complete, rep.Incomplete)
	}
	_, status, _ := run(t, append([]string{"status"}, where...)...)
	for _, want := range []string{`2026-11-20 +tags +failed`, `2026-11-20 +training +failed`, `2026-11-20 +report +incomplete +tags 2026-11-20: failed`} {
		if !regexp.MustCompile(want).MatchString(status) {
			t.Errorf("status lacks %s:\n%s", want, status)
		}
	}

	if err := os.WriteFile(part, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, e := backfill("2026-11-19", "2026-11-20"); code != 0 {
		t.Fatalf("after the repair: exit %d\n%s", code, e)
	}
	if rep, _, err = reporting.Latest(w, day2); err != nil || !rep.Complete || rep.Incomplete != nil {
		t.Fatalf("report after the repair: %v %+v", err, rep)
	}
	_, status, _ = run(t, append([]string{"status"}, where...)...)
	if n := strings.Count(status, "up to date"); n != 2*len(stageNames()) { // every stage, 2 days
		t.Fatalf("status after the repair:\n%s", status)
	}
}
