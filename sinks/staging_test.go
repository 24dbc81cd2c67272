package sinks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
)

func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locks", "a.lock")
	me := Holder{PID: 7, Host: "h", Started: time.Date(2026, 11, 19, 1, 0, 0, 0, time.UTC), RunID: "r1"}
	l, stale, err := TryLock(path, me)
	if err != nil || stale != nil {
		t.Fatalf("first lock: %v %v", stale, err)
	}
	// A second open file description conflicts, as another process would.
	_, _, err = TryLock(path, Holder{PID: 8})
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || le.Holder != me {
		t.Fatalf("second lock: %v", err)
	}
	if want := "held by pid 7 on h since 2026-11-19T01:00:00Z (run r1)"; err.Error() != want {
		t.Fatalf("%q, want %q", err, want)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("unlock left the file: %v", err)
	}
	// A file nobody holds with a record in it is a dead holder's.
	os.WriteFile(path, []byte(`{"pid":9,"host":"x","started":"2026-11-19T02:00:00Z"}`), 0o644)
	l, stale, err = TryLock(path, me)
	if err != nil || stale == nil || stale.PID != 9 {
		t.Fatalf("stale lock: %+v %v", stale, err)
	}
	if h, err := ReadHolder(path); err != nil || h != me {
		t.Fatalf("holder after takeover: %+v %v", h, err)
	}
	l.Unlock()
}

// TestCleanStagingSparesLiveRuns: a clean-up from another process (here
// another Warehouse value) removes the staging of dead runs, with or
// without a holder record, and leaves a live writer's, which then commits.
func TestCleanStagingSparesLiveRuns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	w1, _ := Open(root)
	p := Partition{DT: "2026-11-19", Sub: "events"}
	pw, err := w1.Begin(schemas.Quarantine, p, "ingest", "live-run")
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	writeRows(t, pw, mem, 3)

	for _, run := range []string{"dead-run", "legacy-run"} {
		d := filepath.Join(root, "_staging", run, "quarantine", "dt=2026-11-19")
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "part-00000.parquet"), []byte("12345"), 0o644)
	}
	os.MkdirAll(filepath.Join(root, "_trash", "dead-run", "x"), 0o755)
	os.WriteFile(filepath.Join(root, "_staging", "dead-run.lock"), []byte(`{"pid":99999999,"started":"2026-11-19T00:00:00Z"}`), 0o644)

	w2, _ := Open(root)
	stale, err := w2.CleanStaging()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stale {
		got = append(got, s.RunID)
	}
	if strings.Join(got, " ") != "dead-run legacy-run" || stale[0].Holder == nil || stale[0].Holder.PID != 99999999 || stale[1].Holder != nil || stale[0].Bytes != 5 {
		t.Fatalf("removed %+v", stale)
	}
	for _, gone := range []string{"_staging/dead-run", "_staging/dead-run.lock", "_staging/legacy-run", "_trash"} {
		if _, err := os.Stat(filepath.Join(root, gone)); !os.IsNotExist(err) {
			t.Errorf("%s left: %v", gone, err)
		}
	}
	if _, err := pw.Commit(CommitInfo{}); err != nil {
		t.Fatalf("the live writer could not commit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "_staging")); !os.IsNotExist(err) {
		t.Fatalf("staging left after the commit: %v", err)
	}
}

// TestRunHoldsNest: a run's staging survives until its last hold is
// released; ending the run removes what an unfinished writer left.
func TestRunHoldsNest(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	w, _ := Open(root)
	if _, err := w.HoldRun("run-1"); err != nil {
		t.Fatal(err)
	}
	a, err := w.Begin(schemas.Quarantine, Partition{DT: "2026-11-19", Sub: "events"}, "ingest", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	writeRows(t, a, mem, 1)
	if _, err := a.Commit(CommitInfo{}); err != nil {
		t.Fatal(err)
	}
	b, err := w.Begin(schemas.Quarantine, Partition{DT: "2026-11-19", Sub: "chats"}, "ingest", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	writeRows(t, b, mem, 1)
	other, _ := Open(root)
	if stale, _ := other.CleanStaging(); len(stale) != 0 {
		t.Fatalf("a held run was cleaned: %+v", stale)
	}
	w.EndRun("run-1") // b was never committed or aborted
	if _, err := os.Stat(filepath.Join(root, "_staging")); !os.IsNotExist(err) {
		t.Fatalf("staging left after the run ended: %v", err)
	}
	b.Abort() // late and harmless
	if _, err := w.Begin(schemas.Quarantine, Partition{DT: "2026-11-19"}, "ingest", "../x"); err == nil {
		t.Fatal("a run id with a path separator was accepted")
	}
}

// writeRows writes one Parquet file of n quarantine rows into pw.
func writeRows(t *testing.T, pw *PartitionWriter, mem memory.Allocator, n int) {
	t.Helper()
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	rec := quarantineRecord(mem, n)
	defer rec.Release()
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestFailedCommitDiscardsStaging: a commit that cannot put the partition
// in place leaves no staging and nothing visible.
func TestFailedCommitDiscardsStaging(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	root := t.TempDir()
	w, _ := Open(root)
	os.MkdirAll(filepath.Join(root, "quarantine"), 0o755)
	os.WriteFile(filepath.Join(root, "quarantine", "dt=2026-11-19"), nil, 0o644) // in the way
	pw, err := w.Begin(schemas.Quarantine, Partition{DT: "2026-11-19", Sub: "events"}, "ingest", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	writeRows(t, pw, mem, 2)
	if _, err := pw.Commit(CommitInfo{}); err == nil {
		t.Fatal("commit succeeded")
	}
	pw.Abort()
	if _, err := os.Stat(filepath.Join(root, "_staging")); !os.IsNotExist(err) {
		t.Fatalf("staging left after a failed commit: %v", err)
	}
}
