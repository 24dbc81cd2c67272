package cli

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillNineLeavesNoPartialPartition kills `veil once` with SIGKILL at
// random points of its run, four times for ingest and four for tags:
// after each kill no partial partition is visible, and a re-run then
// commits exactly the bytes an uninterrupted run commits, taking over the
// dead run's lock and removing its staging. VEIL_CRASH_SEED replays a
// failure (the seed is logged).
func TestKillNineLeavesNoPartialPartition(t *testing.T) {
	if testing.Short() {
		t.Skip("runs veil in child processes")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("VEIL_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("VEIL_CRASH_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	dir := t.TempDir()
	landing, keysDir := filepath.Join(dir, "landing"), filepath.Join(dir, "keys")
	if code, _, e := run(t, "gen", "--out", dir, "--days", "1", "--events", "5000", "--seed", "3"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "keys", "init", "--dir", keysDir); code != 0 {
		t.Fatal(e)
	}
	once := func(wh, stage string) []string {
		return []string{"once", "--stage", stage, "--date", defaultStart, "--landing", landing, "--warehouse", wh, "--keys", keysDir, "--lock-wait", "0"}
	}

	// The reference: every stage run once, uninterrupted, timed.
	ref := filepath.Join(dir, "ref")
	took := map[string]time.Duration{}
	for _, st := range []string{"ingest", "optouts", "tags"} {
		t0 := time.Now()
		runVeil(t, once(ref, st)...)
		took[st] = time.Since(t0)
	}

	t.Logf("uninterrupted runs took %v", took)
	wh := filepath.Join(dir, "crash")
	lock := func(stage string) string {
		return filepath.Join(wh, "_locks", stage, "dt="+defaultStart+".lock")
	}
	for _, st := range []string{"ingest", "tags"} {
		if st == "tags" {
			runVeil(t, once(wh, "optouts")...)
		}
		leftover := false
		for kill := range 4 {
			// Between 20% and 100% of an uninterrupted run: past the
			// process's start, anywhere in reading, writing or committing.
			delay := time.Duration((0.2 + 0.8*rng.Float64()) * float64(took[st]))
			p := newVeilProcess(t, once(wh, st)...)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			_ = p.Process.Kill()
			err := p.Wait()
			t.Logf("%s kill %d after %v: %v", st, kill, delay.Round(time.Millisecond), err)
			checkNoPartialPartition(t, wh)
			// A kill while the lock was held leaves the file with its
			// holder's record (or empty, killed between create and write).
			b, _ := os.ReadFile(lock(st))
			leftover = len(b) > 0
		}
		p := runVeil(t, once(wh, st)...)
		if leftover && !strings.Contains(p.stderr.String(), "took over a stale partition lock") {
			t.Errorf("%s: the re-run did not report taking over the killed run's lock:\n%s", st, &p.stderr)
		}
		checkNoPartialPartition(t, wh)
	}

	if _, err := os.Stat(filepath.Join(wh, "_staging")); !os.IsNotExist(err) {
		t.Errorf("staging left after the re-runs: %v", err)
	}
	for _, st := range []string{"ingest", "tags"} {
		if _, err := os.Stat(lock(st)); !os.IsNotExist(err) {
			t.Errorf("%s lock file left after the re-runs: %v", st, err)
		}
	}
	want, got := committed(t, ref), committed(t, wh)
	if len(want) == 0 || !reflect.DeepEqual(want, got) {
		t.Fatalf("after kills and re-runs the warehouse differs from an uninterrupted run\nwant %v\ngot  %v", want, got)
	}
}

// TestSigtermCleansOwnStaging: `veil once` stopped by SIGTERM mid-write
// exits non-zero, with nothing committed and its staging and lock removed.
func TestSigtermCleansOwnStaging(t *testing.T) {
	if testing.Short() {
		t.Skip("runs veil in a child process")
	}
	dir := t.TempDir()
	wh := filepath.Join(dir, "warehouse")
	if code, _, e := run(t, "gen", "--out", dir, "--days", "1", "--events", "20000", "--seed", "4"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "keys", "init", "--dir", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(e)
	}
	p := newVeilProcess(t, "once", "--stage", "ingest", "--date", defaultStart,
		"--landing", filepath.Join(dir, "landing"), "--warehouse", wh, "--keys", filepath.Join(dir, "keys"))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	staged := waitFor(t, 30*time.Second, func() bool {
		parts, _ := filepath.Glob(filepath.Join(wh, "_staging", "*", "events_clean", "dt=*", "part-*.parquet"))
		return len(parts) > 0
	})
	_ = p.Process.Signal(syscall.SIGTERM)
	err := p.Wait()
	if !staged {
		t.Skipf("the run finished before it was seen staging (%v)", err)
	}
	t.Logf("once after SIGTERM: %v", err)
	if err == nil {
		t.Log("the run committed before the signal arrived")
	} else if !strings.Contains(p.stderr.String(), "context canceled") {
		t.Fatalf("exit %v without naming the cancellation:\n%s", err, &p.stderr)
	}
	for _, left := range []string{"_staging", "_trash", filepath.Join("_locks", "ingest", "dt="+defaultStart+".lock")} {
		if _, err := os.Stat(filepath.Join(wh, left)); !os.IsNotExist(err) {
			t.Errorf("%s left after SIGTERM: %v", left, err)
		}
	}
	checkNoPartialPartition(t, wh)
}
