package blacklist

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/veil-data/veil/risk/features"
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

// TestFileReadsAsRows reads the committed file with parquet-go's row
// reader, as a consumer with its own struct would, not with sinks.Scan
// that mirrors the writer.
func TestFileReadsAsRows(t *testing.T) {
	w, err := sinks.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var l List
	fold(t, &l, []Flag{block("u1", "e1", t0, 4), review("u2", "e2", t0+hour, 1)}, []Lift{{Entity: features.User, Token: "u1", At: t0 + day, Case: "A-1"}})
	commitDay(t, w, memory.NewGoAllocator(), &l, "2026-11-02")
	m, err := w.Manifest(schemas.Blacklist, sinks.Partition{DT: "2026-11-02"})
	if err != nil || len(m.Files) != 1 || m.Rows != 4 {
		t.Fatalf("manifest %+v %v", m, err)
	}
	type row struct {
		Section     string  `parquet:"section"`
		Version     int64   `parquet:"version"`
		Entity      *string `parquet:"entity,optional"`
		Token       *string `parquet:"token,optional"`
		Severity    *int64  `parquet:"severity,optional"`
		Block       *bool   `parquet:"block,optional"`
		EventID     *string `parquet:"event_id,optional"`
		At          int64   `parquet:"at"`
		Expires     *int64  `parquet:"expires_at,optional"`
		Lifted      *int64  `parquet:"lifted_at,optional"`
		LiftCase    *string `parquet:"lift_case,optional"`
		LiftVersion *int64  `parquet:"lift_version,optional"`
	}
	rows, err := parquet.ReadFile[row](filepath.Join(w.Dir(schemas.Blacklist, sinks.Partition{DT: "2026-11-02"}), m.Files[0].Name))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		s := fmt.Sprintf("%s v%d at+%d", r.Section, r.Version, r.At-t0)
		if r.Token != nil {
			s += " " + *r.Entity + ":" + *r.Token
		}
		if r.Expires != nil {
			s += fmt.Sprintf(" exp+%dd sev%d block=%v", (*r.Expires-t0)/day, *r.Severity, *r.Block)
		}
		if r.Lifted != nil {
			s += fmt.Sprintf(" lifted+%d by %s v%d", *r.Lifted-t0, *r.LiftCase, *r.LiftVersion)
		}
		if r.EventID != nil {
			s += " event " + *r.EventID
		}
		got = append(got, s)
	}
	want := []string{
		fmt.Sprintf("meta v3 at+%d", day),
		fmt.Sprintf("entry v1 at+0 user:u1 exp+30d sev4 block=false lifted+%d by A-1 v2", day),
		fmt.Sprintf("lift v2 at+%d user:u1", day),
		fmt.Sprintf("pending v0 at+%d user:u2 event e2", hour),
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
