package riskbench

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/cputime"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

func world(tb testing.TB, mem memory.Allocator, c Config) *sinks.Warehouse {
	tb.Helper()
	wh, err := openWarehouse(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := Generate(context.Background(), wh, mem, c); err != nil {
		tb.Fatal(err)
	}
	return wh
}

func fileSums(tb testing.TB, wh *sinks.Warehouse, ds schemas.Dataset, dt time.Time) []string {
	tb.Helper()
	m, err := wh.Manifest(ds, sinks.Partition{DT: dt.Format(time.DateOnly)})
	if err != nil {
		tb.Fatal(err)
	}
	var s []string
	for _, f := range m.Files {
		s = append(s, f.SHA256)
	}
	return s
}

// TestFoldEqualsStage: the benchmark's quick setup (one engine, one
// checkpoint) leaves the same risk_state as the risk stage run day by day,
// so the timed day continues from the same state and writes the same
// features either way.
func TestFoldEqualsStage(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := Config{Days: 4, Events: 4000, HistoryEvents: 2500, Users: 300, Seed: 3}.Defaults()
	ctx := context.Background()
	staged, folded := world(t, mem, c), world(t, mem, c)
	if err := Setup(ctx, staged, mem, c, nil); err != nil {
		t.Fatal(err)
	}
	if err := Fold(ctx, folded, mem, c, nil); err != nil {
		t.Fatal(err)
	}
	before := c.Day(c.Days - 2)
	a, b := fileSums(t, staged, schemas.RiskState, before), fileSums(t, folded, schemas.RiskState, before)
	if len(a) == 0 || len(a) != len(b) || a[0] != b[0] {
		t.Fatalf("risk_state/dt=%s differs: stage %v, fold %v", before.Format(time.DateOnly), a, b)
	}
	for _, wh := range []*sinks.Warehouse{staged, folded} {
		r, err := Measure(ctx, wh, mem, c)
		if err != nil {
			t.Fatal(err)
		}
		if r.Events != int64(c.Events) || r.Scored == 0 || r.StateBefore == 0 || r.History != int64(3*c.HistoryEvents) {
			t.Fatalf("result %+v", r)
		}
	}
	a, b = fileSums(t, staged, schemas.RiskFeatures, c.Last), fileSums(t, folded, schemas.RiskFeatures, c.Last)
	if len(a) == 0 || a[0] != b[0] {
		t.Fatalf("risk_features of the timed day differ: %v, %v", a, b)
	}
}

// TestShape: the event mix the issue asks for, devices and IPs shared.
func TestShape(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c := Config{Days: 2, Events: 60_000, HistoryEvents: 1, Seed: 5}.Defaults()
	wh := world(t, mem, c)
	types := map[string]int{}
	usersOf := map[string]map[string]bool{} // device -> users
	ties := 0
	var last int64
	err := wh.Scan(context.Background(), mem, schemas.EventsClean, sinks.Partition{DT: c.Last.Format(time.DateOnly)}, func(rec arrow.RecordBatch) error {
		col := func(n string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(n)[0]) }
		typ, user, dev := col("type").(*array.String), col("user_token").(*array.String), col("device_token").(*array.String)
		ts := col("ts").(*array.Timestamp)
		for j := range int(rec.NumRows()) {
			types[typ.Value(j)]++
			if int64(ts.Value(j)) == last {
				ties++
			}
			last = int64(ts.Value(j))
			if dev.IsValid(j) {
				if usersOf[dev.Value(j)] == nil {
					usersOf[dev.Value(j)] = map[string]bool{}
				}
				usersOf[dev.Value(j)][user.Value(j)] = true
			}
		}
		return nil
	}, "ts", "type", "user_token", "device_token")
	if err != nil {
		t.Fatal(err)
	}
	scored := 0
	for typ, n := range types {
		if features.IsScored(typ) {
			scored += n
		}
	}
	share := float64(scored) / float64(c.Events)
	shared := 0
	for _, us := range usersOf {
		if len(us) > 1 {
			shared++
		}
	}
	t.Logf("scored %.2f%%, logins %.2f%%, devices %d, shared %d, ties %d", 100*share, 100*float64(types["login"])/float64(c.Events), len(usersOf), shared, ties)
	if share < Scored-0.006 || share > Scored+0.006 {
		t.Errorf("scored share %.4f, want %.3f", share, Scored)
	}
	if shared == 0 || shared*20 > len(usersOf) {
		t.Errorf("%d of %d devices shared", shared, len(usersOf))
	}
	if ties < c.Events/100 {
		t.Errorf("%d equal timestamps", ties)
	}
}

// BenchmarkRiskDay times the risk stage on the last day of a small world
// (scripts/bench.sh runs cmd/riskbench at 10M events instead).
func BenchmarkRiskDay(b *testing.B) {
	mem := memory.DefaultAllocator
	c := Config{Days: 30, Events: 100_000, HistoryEvents: 10_000, Seed: 7}.Defaults()
	wh := world(b, mem, c)
	ctx := context.Background()
	if err := Fold(ctx, wh, mem, c, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cputime.Used()
	for b.Loop() {
		if err := RunStage(ctx, wh, mem, c.Last); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric((cputime.Used()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// TestCommand runs the command as bench.sh does: setup, setup again (the
// world is reused), then the timed run and its JSON.
func TestCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out, log strings.Builder
	setup := []string{"setup", "-dir", dir, "-days", "3", "-events", "3_000", "-history-events", "1000"}
	for range 2 {
		if code := Main(ctx, setup, &out, &log); code != 0 {
			t.Fatalf("setup: exit %d: %s", code, log.String())
		}
	}
	if !strings.Contains(log.String(), "reusing the world") {
		t.Errorf("second setup did not reuse the world: %s", log.String())
	}
	if code := Main(ctx, []string{"run", "-dir", dir}, &out, &log); code != 0 {
		t.Fatalf("run: exit %d: %s", code, log.String())
	}
	var r Result
	if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
		t.Fatalf("%v: %q", err, out.String())
	}
	if r.Events != 3000 || r.History != 2000 || r.Scored == 0 || r.DT != "2026-11-19" || r.Seconds <= 0 {
		t.Errorf("result %+v", r)
	}
	if code := Main(ctx, []string{"run", "-dir", t.TempDir()}, &out, &log); code != 1 {
		t.Errorf("run without setup: exit %d", code)
	}
	if code := Main(ctx, []string{"setup", "-dir", dir, "-fold-with", "magic"}, &out, &log); code != 2 {
		t.Errorf("bad -fold-with: exit %d", code)
	}
}
