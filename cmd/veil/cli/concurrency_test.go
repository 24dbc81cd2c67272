package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/veil-data/veil/pipeline"
)

// TestRunAndOnceShareAWarehouse starts the scheduler daemon (every stage
// every second) while a `veil once --stage ingest` is writing, in two
// processes on one warehouse: the daemon's start-up clean-up leaves the
// live run's staging alone, its firings of the partition being written
// are skipped rather than racing it, neither fails, and the day ends up
// up to date with a complete report.
func TestRunAndOnceShareAWarehouse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs veil in child processes")
	}
	dir := t.TempDir()
	landing, wh, keysDir := filepath.Join(dir, "landing"), filepath.Join(dir, "warehouse"), filepath.Join(dir, "keys")
	if code, _, e := run(t, "gen", "--out", dir, "--days", "1", "--events", "5000", "--seed", "5"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "keys", "init", "--dir", keysDir); code != 0 {
		t.Fatal(e)
	}
	cfg := filepath.Join(dir, "veil.yaml")
	yaml := fmt.Sprintf("landing: %s\nwarehouse: %s\nkeys: %s\nschedules:\n", landing, wh, keysDir)
	for _, s := range stageNames() {
		yaml += "  " + s + ": \"@every 1s\"\n"
	}
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}

	once := newVeilProcess(t, "once", "--stage", "ingest", "--date", defaultStart, "--config", cfg, "--log-level", "info")
	if err := once.Start(); err != nil {
		t.Fatal(err)
	}
	staging := waitFor(t, 30*time.Second, func() bool {
		ents, _ := os.ReadDir(filepath.Join(wh, "_staging"))
		for _, e := range ents {
			if e.IsDir() {
				return true
			}
		}
		return false
	})
	daemon := newVeilProcess(t, "run", "--config", cfg, "--log-level", "info")
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	defer daemon.Process.Kill()
	if err := once.Wait(); err != nil {
		t.Fatalf("once failed beside the daemon: %v\n%s", err, &once.stderr)
	}
	if !staging {
		t.Log("once finished before its staging was seen; the overlap was not exercised")
	}

	upToDate := waitFor(t, 90*time.Second, func() bool {
		code, out, _ := run(t, "status", "--config", cfg)
		return code == 0 && strings.Count(out, "up to date") == len(stageNames())
	})
	if err := daemon.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := daemon.Wait(); err != nil {
		t.Fatalf("daemon: %v\n%s", err, &daemon.stderr)
	}
	if !upToDate {
		_, out, _ := run(t, "status", "--config", cfg)
		t.Fatalf("the day did not get up to date:\n%s\ndaemon:\n%s", out, &daemon.stderr)
	}
	busy := 0
	for _, rec := range journal(t, filepath.Join(wh, "_journal", "runs.jsonl")) {
		if rec.Outcome == pipeline.Busy {
			busy++
		}
		if rec.Outcome == pipeline.Failed || rec.Outcome == pipeline.Panicked || rec.Outcome == pipeline.SkippedUpstream {
			t.Errorf("journal: %s %s %s: %s", rec.Stage, rec.DT, rec.Outcome, rec.Error)
		}
	}
	t.Logf("the daemon found the partition being written %d time(s)", busy)
	checkNoPartialPartition(t, wh)
	if _, err := os.Stat(filepath.Join(wh, "_staging")); !os.IsNotExist(err) {
		t.Errorf("staging left after both exited: %v", err)
	}
}

// waitFor polls cond every 20ms until it holds or d has passed.
func waitFor(t *testing.T, d time.Duration, cond func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func journal(t *testing.T, path string) []pipeline.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []pipeline.Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r pipeline.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("journal line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}
