package blacklist

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// commitDay writes l as blacklist/dt=day, as the risk-list stage will.
func commitDay(t testing.TB, w *sinks.Warehouse, mem memory.Allocator, l *List, dt string) {
	t.Helper()
	pw, err := w.Begin(schemas.Blacklist, sinks.Partition{DT: dt}, "risk", "test-"+dt)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	if err := l.Write(context.Background(), pw, mem); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(sinks.CommitInfo{}); err != nil {
		t.Fatal(err)
	}
}

func sameList(t *testing.T, what string, got, want *List) {
	t.Helper()
	if got.NextVersion != want.NextVersion || got.Through != want.Through ||
		!reflect.DeepEqual(got.Entries, want.Entries) || !reflect.DeepEqual(got.Lifts, want.Lifts) || !reflect.DeepEqual(got.Pending, want.Pending) {
		t.Fatalf("%s: lists differ\ngot  %+v %+v %+v\nwant %+v %+v %+v", what, got.Entries, got.Lifts, got.Pending, want.Entries, want.Lifts, want.Pending)
	}
}

// TestRoundTripDayByDay folds each day onto the list read back from the
// day before's partition, and checks every partition reads back equal to
// the list that wrote it and the last equals one fold of everything.
func TestRoundTripDayByDay(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	w, err := sinks.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p := mustPolicy(t, testPolicy)
	r := rand.New(rand.NewPCG(3, 5))
	var allF []Flag
	var allL []Lift
	serial := 0
	for d := range int64(12) {
		dt := time.UnixMilli(t0 + d*day).UTC().Format(time.DateOnly)
		prev, _, found, err := Latest(ctx, w, mem, time.UnixMilli(t0+d*day-1))
		if err != nil {
			t.Fatal(err)
		}
		if found != (d > 0) {
			t.Fatalf("day %d: found %v", d, found)
		}
		f, lf := randomDay(r, t0+d*day, &serial)
		if d == 11 { // one review still short of admission at the end
			f = append(f, review("fresh", "fresh-1", t0+d*day, 1))
		}
		allF, allL = append(allF, f...), append(allL, lf...)
		if _, err := prev.Fold(p, "run-"+dt, f, lf); err != nil {
			t.Fatal(err)
		}
		commitDay(t, w, mem, prev, dt)
		back, err := Read(ctx, w, mem, sinks.Partition{DT: dt})
		if err != nil {
			t.Fatal(err)
		}
		sameList(t, dt, back, prev)
	}
	last, part, found, err := Latest(ctx, w, mem, time.UnixMilli(t0+40*day))
	if err != nil || !found || part.DT != "2026-11-12" {
		t.Fatalf("latest: %v %v %v", part, found, err)
	}
	var once List
	if _, err := once.Fold(p, "x", allF, allL); err != nil {
		t.Fatal(err)
	}
	for i := range once.Entries { // run ids differ by design: each day's run admitted its own
		once.Entries[i].RunID = last.Entries[i].RunID
	}
	sameList(t, "day by day through the warehouse vs at once", last, &once)
	if len(once.Entries) == 0 || len(once.Lifts) == 0 || len(once.Pending) == 0 {
		t.Fatalf("test too weak: %d entries, %d lifts, %d pending", len(once.Entries), len(once.Lifts), len(once.Pending))
	}
}

func TestLatestWithoutPartitions(t *testing.T) {
	w, err := sinks.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l, _, found, err := Latest(context.Background(), w, memory.NewGoAllocator(), time.Now())
	if err != nil || found || l == nil || len(l.Entries) != 0 || l.Version() != 0 {
		t.Fatalf("got %+v %v %v", l, found, err)
	}
}

func TestRecordsBatchesAndEmptyList(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var l List
	fold(t, &l, []Flag{block("u1", "e1", t0, 4), block("u2", "e2", t0, 4), review("u3", "e3", t0, 1)}, nil)
	var rows []int64
	err := l.Records(mem, 2, func(rec arrowRecord) error {
		rows = append(rows, rec.NumRows())
		return nil
	})
	if err != nil || !reflect.DeepEqual(rows, []int64{2, 2}) {
		t.Fatalf("batches %v, %v (meta, 2 entries, 1 pending)", rows, err)
	}
	var empty List
	rows = nil
	if err := empty.Records(mem, 10, func(rec arrowRecord) error { rows = append(rows, rec.NumRows()); return nil }); err != nil || !reflect.DeepEqual(rows, []int64{1}) {
		t.Fatalf("empty list: %v %v", rows, err)
	}
}

type arrowRecord = arrow.RecordBatch
