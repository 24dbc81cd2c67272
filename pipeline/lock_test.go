package pipeline

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

var otherHolder = sinks.Holder{PID: 4242, Host: "elsewhere", Started: time.Date(2026, 11, 19, 3, 0, 0, 0, time.UTC), RunID: "other-run"}

// runnerAt is a runner over an existing root, with its own Warehouse and
// Journal values, as a second process would have.
func runnerAt(t *testing.T, root string, st Stage, log *slog.Logger) *Runner {
	t.Helper()
	wh, err := sinks.Open(filepath.Join(root, "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(filepath.Join(root, "warehouse", "_journal", "runs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	env := &Env{Landing: filepath.Join(root, "landing"), Warehouse: wh, Mem: mem, Log: log}
	return &Runner{Env: env, Stages: []Stage{st}, Journal: j}
}

func TestBusyPartitionWaitsOrFails(t *testing.T) {
	st := &copyStage{}
	r, _ := newRunner(t, st)
	land(t, r.Env.Landing, "{}\n", true)
	ctx := context.Background()
	// Another open file description conflicts like another process.
	held, _, err := sinks.TryLock(LockPath(r.Env.Warehouse, "copy", "2026-11-19"), otherHolder)
	if err != nil {
		t.Fatal(err)
	}

	out, err := r.RunOne(ctx, st, day, false)
	if out != Busy || !errors.Is(err, ErrBusy) {
		t.Fatalf("got %v %v, want busy", out, err)
	}
	if want := "copy 2026-11-19: partition is being written by pid 4242 on elsewhere since 2026-11-19T03:00:00Z (run other-run)"; err.Error() != want {
		t.Fatalf("error %q\nwant  %q", err, want)
	}
	// The scheduler skips it without an error; the journal says why.
	if err := r.RunDue(ctx, st); err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	recs, _ := r.Journal.Records()
	if len(recs) != 2 || recs[1].Outcome != Busy || !strings.Contains(recs[1].Reason, "pid 4242") {
		t.Fatalf("journal %+v", recs)
	}
	// A cancelled wait gives up.
	r.LockWait = time.Minute
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := r.RunOne(cctx, st, day, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled wait: %v", err)
	}
	// A wait outlasting the holder runs.
	go func() { time.Sleep(100 * time.Millisecond); held.Unlock() }()
	if out, err := r.RunOne(ctx, st, day, false); out != Ran || err != nil {
		t.Fatalf("after the holder left: %v %v", out, err)
	}
	if st.runs != 1 {
		t.Fatalf("stage ran %d times", st.runs)
	}
}

func TestStaleLockTakenOver(t *testing.T) {
	st := &copyStage{}
	r, _ := newRunner(t, st)
	var logs bytes.Buffer
	r.Env.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	land(t, r.Env.Landing, "{}\n", true)
	// What a holder killed with SIGKILL leaves: the file with its record,
	// and no flock, which died with it.
	path := LockPath(r.Env.Warehouse, "copy", "2026-11-19")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(`{"pid":99999999,"host":"h","started":"2026-11-19T01:02:03Z","run_id":"dead-run"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := r.RunOne(context.Background(), st, day, false); out != Ran || err != nil {
		t.Fatalf("got %v %v", out, err)
	}
	for _, want := range []string{"took over a stale partition lock", `"holder_pid":99999999`, `"holder_run_id":"dead-run"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, &logs)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("lock file left after the run: %v", err)
	}
}

// leakyStage stages a file and fails without aborting its writer.
type leakyStage struct{ copyStage }

func (s *leakyStage) Run(ctx context.Context, job *Job) error {
	pw, err := job.Warehouse.Begin(schemas.Quarantine, sinks.Partition{DT: job.DT(), Sub: "events"}, job.Stage, job.RunID)
	if err != nil {
		return err
	}
	if _, err := pw.Parquet(job.Mem); err != nil {
		return err
	}
	return errors.New("forgot to abort")
}

func TestRunRemovesItsOwnStaging(t *testing.T) {
	st := &leakyStage{}
	r, _ := newRunner(t, st)
	land(t, r.Env.Landing, "{}\n", true)
	if out, _ := r.RunOne(context.Background(), st, day, false); out != Failed {
		t.Fatalf("got %v", out)
	}
	for _, d := range []string{"_staging", "_trash"} {
		if _, err := os.Stat(filepath.Join(r.Env.Warehouse.Root, d)); !os.IsNotExist(err) {
			t.Errorf("%s left after a failed run: %v", d, err)
		}
	}
}

// TestSchedulerBesideARunningOnce is run and once on one warehouse, made
// deterministic: while one runner's stage is mid-write, a second runner
// (as `veil run` starting) cleans staging and fires the same stage. The
// live run's staging survives, the firing is skipped, not failed, and the
// first run commits.
func TestSchedulerBesideARunningOnce(t *testing.T) {
	st := &copyStage{block: make(chan struct{}), started: make(chan struct{})}
	a, root := newRunner(t, st)
	land(t, a.Env.Landing, "{}\n", true)
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(1)
	var aOut Outcome
	var aErr error
	go func() { defer wg.Done(); aOut, aErr = a.RunOne(ctx, st, day, true) }()
	<-st.started

	// A dead run's staging beside the live one.
	dead := filepath.Join(root, "warehouse", "_staging", "dead-run")
	os.MkdirAll(filepath.Join(dead, "quarantine", "dt=2026-11-19", "source=events"), 0o755)
	os.WriteFile(filepath.Join(dead, "quarantine", "dt=2026-11-19", "source=events", "part-00000.parquet"), []byte("half"), 0o644)
	os.WriteFile(dead+".lock", []byte(`{"pid":99999999,"host":"h","started":"2026-11-19T01:02:03Z","run_id":"dead-run"}`), 0o644)

	st2 := &copyStage{}
	b := runnerAt(t, root, st2, slog.New(slog.DiscardHandler))
	stale, err := b.Env.Warehouse.CleanStaging()
	if err != nil || len(stale) != 1 || stale[0].RunID != "dead-run" || stale[0].Holder == nil || stale[0].Holder.PID != 99999999 || stale[0].Bytes != 4 {
		t.Fatalf("clean-up: %+v %v", stale, err)
	}
	live, _ := filepath.Glob(filepath.Join(root, "warehouse", "_staging", "*", "quarantine", "dt=2026-11-19", "source=events", "part-00000.parquet"))
	if len(live) != 1 {
		t.Fatalf("the live run's staging is gone: %v", live)
	}
	s := &Scheduler{Runner: b}
	s.Fire(ctx, st2)
	if st2.runs != 0 {
		t.Fatal("the firing wrote the partition being written")
	}
	close(st.block)
	wg.Wait()
	if aOut != Ran || aErr != nil {
		t.Fatalf("the first run: %v %v", aOut, aErr)
	}
	s.Fire(ctx, st2)
	if st2.runs != 0 {
		t.Fatal("the firing re-ran an up-to-date partition")
	}
	recs, _ := b.Journal.Records()
	var got []string
	for _, rec := range recs {
		got = append(got, string(rec.Outcome))
	}
	if want := "skipped_locked ran"; strings.Join(got, " ") != want {
		t.Fatalf("journal %q, want %q", strings.Join(got, " "), want)
	}
	if _, err := os.Stat(filepath.Join(root, "warehouse", "_staging")); !os.IsNotExist(err) {
		t.Fatalf("staging left: %v", err)
	}
}
