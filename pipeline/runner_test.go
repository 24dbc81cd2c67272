package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

var day = time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)

// copyStage commits one quarantine row per landing line of the "events"
// feed; hooks let tests block, fail or panic inside Run.
type copyStage struct {
	runs    int
	mu      sync.Mutex
	block   chan struct{} // if set, Run waits for it or ctx
	started chan struct{}
	panics  bool
	keyIDs  map[string]uint32 // recorded in the manifest
	config  string            // ConfigFingerprint
}

func (s *copyStage) ConfigFingerprint() string { return s.config }

func (s *copyStage) Name() string { return "copy" }

func (s *copyStage) Plan(dt time.Time) Plan {
	p := sinks.Partition{DT: dt.Format(time.DateOnly)}
	return Plan{
		Inputs:  []Input{{Feed: "events", Partition: p, Required: true}},
		Outputs: []Output{{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: p.DT, Sub: "events"}}},
	}
}

func (s *copyStage) Run(ctx context.Context, job *Job) error {
	s.mu.Lock()
	s.runs++
	s.mu.Unlock()
	pw, err := job.Warehouse.Begin(schemas.Quarantine, sinks.Partition{DT: job.DT(), Sub: "events"}, job.Stage, job.RunID)
	if err != nil {
		return err
	}
	defer pw.Abort()
	w, err := pw.Parquet(job.Mem)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(job.Mem, schemas.Quarantine.Schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("f")
	b.Field(1).(*array.Int64Builder).Append(1)
	b.Field(2).(*array.StringBuilder).Append("r")
	b.Field(3).AppendNull()
	rec := b.NewRecordBatch()
	err = w.Write(rec)
	rec.Release()
	if err != nil {
		return err
	}
	if s.started != nil {
		close(s.started)
	}
	if s.panics {
		panic("stage bug")
	}
	if s.block != nil {
		select {
		case <-s.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	_, err = pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, KeyIDs: s.keyIDs})
	return err
}

func newRunner(t *testing.T, st Stage) (*Runner, string) {
	t.Helper()
	root := t.TempDir()
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
	env := &Env{Landing: filepath.Join(root, "landing"), Warehouse: wh, Mem: mem, Log: slog.New(slog.DiscardHandler)}
	return &Runner{Env: env, Stages: []Stage{st}, Journal: j}, root
}

func land(t *testing.T, landing, content string, success bool) {
	t.Helper()
	dir := LandingDir(landing, "events", day.Format(time.DateOnly))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "part-00000.jsonl"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if success {
		if err := os.WriteFile(filepath.Join(dir, schemas.SuccessMarker), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunnerFreshness(t *testing.T) {
	st := &copyStage{}
	r, _ := newRunner(t, st)
	ctx := context.Background()

	land(t, r.Env.Landing, "{}\n", false)
	if out, err := r.RunOne(ctx, st, day, false); err != nil || out != NotReady {
		t.Fatalf("without _SUCCESS: %v %v, want not_ready", out, err)
	}
	land(t, r.Env.Landing, "{}\n", true)
	steps := []struct {
		name string
		edit func()
		want Outcome
	}{
		{"first run", nil, Ran},
		{"nothing changed", nil, UpToDate},
		{"input rewritten", func() { land(t, r.Env.Landing, "{}\n{}\n", true) }, Ran},
		{"settled again", nil, UpToDate},
		{"output deleted", func() {
			os.RemoveAll(r.Env.Warehouse.Dir(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"}))
		}, Ran},
	}
	for _, s := range steps {
		if s.edit != nil {
			s.edit()
		}
		out, err := r.RunOne(ctx, st, day, false)
		if err != nil || out != s.want {
			t.Fatalf("%s: got %v %v, want %v", s.name, out, err, s.want)
		}
	}
	if st.runs != 3 {
		t.Fatalf("stage ran %d times, want 3", st.runs)
	}
}

func TestCancelLeavesNoPartialOutput(t *testing.T) {
	st := &copyStage{block: make(chan struct{}), started: make(chan struct{})}
	r, _ := newRunner(t, st)
	land(t, r.Env.Landing, "{}\n", true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := r.RunOne(ctx, st, day, false)
		done <- err
	}()
	<-st.started
	cancel() // what SIGTERM does to the daemon's context
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if _, err := r.Env.Warehouse.Manifest(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"}); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("partition visible after cancel: %v", err)
	}
	ents, _ := os.ReadDir(r.Env.Warehouse.Root)
	for _, e := range ents {
		if e.Name() == "_staging" {
			t.Fatal("staging left after cancel")
		}
	}
}

func TestSchedulerSkipsOverlapAndRecordsPanic(t *testing.T) {
	st := &copyStage{block: make(chan struct{}), started: make(chan struct{})}
	r, _ := newRunner(t, st)
	land(t, r.Env.Landing, "{}\n", true)
	s := &Scheduler{Runner: r}
	ctx := context.Background()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.Fire(ctx, st) }()
	<-st.started
	s.Fire(ctx, st) // overlaps the blocked firing
	close(st.block)
	wg.Wait()

	p := &copyStage{panics: true}
	r.Stages = append(r.Stages, p)
	os.RemoveAll(r.Env.Warehouse.Dir(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"}))
	s.Fire(ctx, p)

	recs, err := r.Journal.Records()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range recs {
		got = append(got, string(rec.Outcome))
	}
	want := "skipped_overlap ran panicked"
	if strings.Join(got, " ") != want {
		t.Fatalf("journal outcomes %q, want %q", strings.Join(got, " "), want)
	}
	if _, err := os.Stat(filepath.Join(r.Env.Warehouse.Root, "_staging")); err == nil {
		t.Fatal("staging left after panic")
	}
}

func TestSchedulerFiresOnCron(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a real cron tick")
	}
	st := &copyStage{}
	r, _ := newRunner(t, st)
	land(t, r.Env.Landing, "{}\n", true)
	s := &Scheduler{Runner: r, Schedules: map[string]string{"copy": "@every 1s"}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := r.Env.Warehouse.Manifest(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"}); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := r.Env.Warehouse.Manifest(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"}); err != nil {
		t.Fatalf("cron never ran the stage: %v", err)
	}
}

func TestConfigValidateReportsEverything(t *testing.T) {
	c := Config{Landing: "l", Schedules: map[string]string{"ingest": "not a spec", "bogus": "@hourly"}}
	err := c.Validate([]string{"ingest", "tags"})
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{"warehouse: path is required", "keys: path is required", "schedules.tags: missing", "schedules.bogus: unknown stage", "schedules.ingest:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestStatsBalanced(t *testing.T) {
	var s Stats
	s.RecordsIn = 10
	s.RecordsOut = 6
	s.Duplicates = 1
	s.Quarantine("bad_json")
	s.Quarantine("bad_json")
	s.Quarantine("missing_field")
	if !s.Balanced() {
		t.Fatal("balanced stats reported unbalanced")
	}
	s.DropField("user_agent")
	s.DropField("13812345678")
	if s.DroppedFields["<other>"] != 1 || s.DroppedFields["user_agent"] != 1 {
		t.Fatalf("dropped fields %v", s.DroppedFields)
	}
}
