package pipeline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// depStage writes quarantine/dt=D/source=<name> and reads the events feed
// (no reads) or the partitions of the stages it names.
type depStage struct {
	name     string
	reads    []string // required
	optional []string
	fail     bool
	runs     int
	gaps     [][]sinks.Gap // what each run was given in Job.Incomplete
}

func (s *depStage) Name() string { return s.name }

func (s *depStage) Plan(dt time.Time) Plan {
	d := dt.Format(time.DateOnly)
	var p Plan
	if len(s.reads) == 0 {
		p.Inputs = append(p.Inputs, Input{Feed: "events", Partition: sinks.Partition{DT: d}, Required: true})
	}
	for i, name := range append(slices.Clone(s.reads), s.optional...) {
		p.Inputs = append(p.Inputs, Input{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: d, Sub: name}, Required: i < len(s.reads)})
	}
	p.Outputs = []Output{{Dataset: schemas.Quarantine, Partition: sinks.Partition{DT: d, Sub: s.name}}}
	return p
}

func (s *depStage) Run(ctx context.Context, job *Job) error {
	s.runs++
	s.gaps = append(s.gaps, job.Incomplete)
	pw, err := job.Warehouse.Begin(schemas.Quarantine, sinks.Partition{DT: job.DT(), Sub: s.name}, job.Stage, job.RunID)
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
	b.Field(0).(*array.StringBuilder).Append(s.name)
	b.Field(1).(*array.Int64Builder).Append(1)
	b.Field(2).(*array.StringBuilder).Append("r")
	b.Field(3).AppendNull()
	rec := b.NewRecordBatch()
	err = w.Write(rec)
	rec.Release()
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if s.fail {
		return errors.New("no space left on device")
	}
	_, err = pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Incomplete: job.Incomplete})
	return err
}

// reportStage is a depStage that is a Reporter.
type reportStage struct{ *depStage }

func (reportStage) ReportsGaps() {}

func states(t *testing.T, r *Runner) string {
	t.Helper()
	var out []string
	for _, s := range r.Stages {
		st, _, err := r.Describe(s, day)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s.Name()+"="+st)
	}
	return strings.Join(out, " ")
}

// TestFailedStageIsNotHidden: a failed stage's downstream is not run (and
// journaled as skipped, through a chain), the report runs and records
// the gaps, status says failed, skipped and incomplete, the backfill
// returns every failure; fixing the failure brings it all up to date.
func TestFailedStageIsNotHidden(t *testing.T) {
	up := &depStage{name: "up", fail: true}
	down := &depStage{name: "down", reads: []string{"up"}}
	down2 := &depStage{name: "down2", reads: []string{"down"}}
	side := &depStage{name: "side"}
	rep := &depStage{name: "rep", reads: []string{"side"}, optional: []string{"up", "down", "down2"}}
	r, _ := newRunner(t, up)
	r.Stages = []Stage{up, down, down2, side, reportStage{rep}}
	land(t, r.Env.Landing, "{}\n", true)
	ctx := context.Background()

	err := r.Backfill(ctx, day, day, false)
	var fails Failures
	if !errors.As(err, &fails) {
		t.Fatalf("backfill: %v, want Failures", err)
	}
	var got []string
	for _, f := range fails {
		got = append(got, f.Stage+":"+string(f.Outcome))
	}
	if want := "up:failed down:skipped_upstream down2:skipped_upstream"; strings.Join(got, " ") != want {
		t.Fatalf("failures %q, want %q", strings.Join(got, " "), want)
	}
	if !errors.Is(fails[1].Err, ErrUpstreamFailed) || !strings.Contains(fails[2].Err.Error(), "upstream up 2026-11-19 failed") {
		t.Fatalf("skip errors: %v / %v", fails[1].Err, fails[2].Err)
	}
	if down.runs != 0 || down2.runs != 0 || side.runs != 1 || rep.runs != 1 {
		t.Fatalf("runs: down %d down2 %d side %d rep %d", down.runs, down2.runs, side.runs, rep.runs)
	}
	recs, _ := r.Journal.Records()
	skips := 0
	for _, rec := range recs {
		if rec.Outcome == SkippedUpstream {
			skips++
			if rec.Reason != "skipped: upstream up 2026-11-19 failed" {
				t.Errorf("journal reason %q", rec.Reason)
			}
		}
	}
	if skips != 2 {
		t.Fatalf("journal has %d skips, want 2", skips)
	}
	var gapStates []string
	for _, g := range rep.gaps[0] {
		gapStates = append(gapStates, g.Stage+":"+g.State)
	}
	if want := "up:failed down:skipped down2:skipped"; strings.Join(gapStates, " ") != want {
		t.Fatalf("report gaps %q, want %q", strings.Join(gapStates, " "), want)
	}
	if !strings.Contains(rep.gaps[0][0].String(), "up 2026-11-19: failed: no space left on device") {
		t.Fatalf("gap %q", rep.gaps[0][0])
	}
	m, err := r.Env.Warehouse.Manifest(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "rep"})
	if err != nil || len(m.Incomplete) != 3 {
		t.Fatalf("report manifest: %v, incomplete %v", err, m)
	}
	if s := states(t, r); s != "up=failed down=skipped down2=skipped side=up to date rep=incomplete" {
		t.Fatalf("status: %s", s)
	}

	// The same failure again: the report is not recomputed for nothing.
	if err := r.Backfill(ctx, day, day, false); err == nil || rep.runs != 1 {
		t.Fatalf("second backfill: %v, report runs %d", err, rep.runs)
	}

	up.fail = false
	if err := r.Backfill(ctx, day, day, false); err != nil {
		t.Fatal(err)
	}
	if rep.runs != 2 || len(rep.gaps[1]) != 0 || down2.runs != 1 {
		t.Fatalf("after the fix: report runs %d gaps %v, down2 runs %d", rep.runs, rep.gaps[1], down2.runs)
	}
	if s := states(t, r); s != "up=up to date down=up to date down2=up to date side=up to date rep=up to date" {
		t.Fatalf("status after the fix: %s", s)
	}

	// A forced re-run that fails leaves the previous outputs, which are
	// still those of the current inputs: nothing downstream is blocked.
	up.fail = true
	if out, err := r.RunOne(ctx, up, day, true); out != Failed || err == nil {
		t.Fatalf("forced re-run: %v %v", out, err)
	}
	if out, err := r.RunOne(ctx, down, day, true); out != Ran || err != nil {
		t.Fatalf("downstream of a failed forced re-run: %v %v", out, err)
	}
	if s := states(t, r); s != "up=up to date down=up to date down2=up to date side=up to date rep=up to date" {
		t.Fatalf("status after a failed forced re-run: %s", s)
	}
}
