package sinks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
)

func quarantineRecord(mem memory.Allocator, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schemas.Quarantine.Schema)
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Field(0).(*array.StringBuilder).Append("events/dt=2026-11-19/part-00000.jsonl")
		b.Field(1).(*array.Int64Builder).Append(int64(i + 1))
		b.Field(2).(*array.StringBuilder).Append("bad_json")
		if i%2 == 0 {
			b.Field(3).AppendNull()
		} else {
			b.Field(3).(*array.StringBuilder).Append("ts")
		}
	}
	return b.NewRecordBatch()
}

func writePartition(t *testing.T, w *Warehouse, mem memory.Allocator, run string, n int) *Manifest {
	t.Helper()
	p := Partition{DT: "2026-11-19", Sub: "events"}
	pw, err := w.Begin(schemas.Quarantine, p, "ingest", run)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	rec := quarantineRecord(mem, n)
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := pw.Commit(CommitInfo{Stats: map[string]int{"in": n}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCommitScanRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.Now = func() time.Time { return time.Unix(0, 0) }
	p := Partition{DT: "2026-11-19", Sub: "events"}

	if _, err := w.Manifest(schemas.Quarantine, p); !errors.Is(err, ErrNotCommitted) {
		t.Fatalf("before commit: got %v, want ErrNotCommitted", err)
	}
	m1 := writePartition(t, w, mem, "run-1", 3000)
	if m1.Rows != 3000 || len(m1.Files) != 1 || m1.SchemaVersion != schemas.Quarantine.Version {
		t.Fatalf("manifest: %+v", m1)
	}

	var rows int64
	var nulls int
	err = w.Scan(context.Background(), mem, schemas.Quarantine, p, func(rec arrow.RecordBatch) error {
		rows += rec.NumRows()
		nulls += rec.Column(3).NullN()
		if got := rec.Column(1).(*array.Int64).Value(0); got != 1 {
			t.Errorf("first line = %d, want 1", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != 3000 || nulls != 1500 {
		t.Fatalf("scanned %d rows with %d nulls, want 3000 and 1500", rows, nulls)
	}

	// Re-running the same partition gives the same bytes and replaces it.
	m2 := writePartition(t, w, mem, "run-2", 3000)
	if m1.Files[0].SHA256 != m2.Files[0].SHA256 || m1.Fingerprint() != m2.Fingerprint() {
		t.Fatalf("re-run changed the file: %s vs %s", m1.Files[0].SHA256, m2.Files[0].SHA256)
	}
	parts, err := w.Partitions(schemas.Quarantine)
	if err != nil || len(parts) != 1 || parts[0] != p {
		t.Fatalf("partitions = %v, %v", parts, err)
	}
	if _, err := os.Stat(filepath.Join(w.Root, "_staging")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("staging left behind: %v", err)
	}
}

func TestAbortLeavesCommittedPartition(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	m1 := writePartition(t, w, mem, "run-1", 10)

	pw, err := w.Begin(schemas.Quarantine, Partition{DT: "2026-11-19", Sub: "events"}, "ingest", "run-2")
	if err != nil {
		t.Fatal(err)
	}
	fw, _ := pw.Parquet(mem)
	rec := quarantineRecord(mem, 5)
	_ = fw.Write(rec)
	rec.Release()
	_ = fw.Close()
	pw.Abort()

	m, err := w.Manifest(schemas.Quarantine, Partition{DT: "2026-11-19", Sub: "events"})
	if err != nil || m.RunID != m1.RunID || m.Rows != 10 {
		t.Fatalf("after abort: %+v, %v", m, err)
	}
}

func TestBeginRejectsBadPartition(t *testing.T) {
	w, _ := Open(t.TempDir())
	if _, err := w.Begin(schemas.Quarantine, Partition{DT: "2026-11-19"}, "ingest", "r"); err == nil {
		t.Fatal("missing sub partition accepted")
	}
	if _, err := w.Begin(schemas.EventsClean, Partition{DT: "19/11/2026"}, "ingest", "r"); err == nil {
		t.Fatal("bad date accepted")
	}
}

func TestScanProjection(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	writePartition(t, w, mem, "run-1", 200)
	p := Partition{DT: "2026-11-19", Sub: "events"}
	var rows int64
	err := w.Scan(context.Background(), mem, schemas.Quarantine, p, func(rec arrow.RecordBatch) error {
		if rec.NumCols() != 2 || rec.Schema().Field(0).Name != "line" || rec.Schema().Field(1).Name != "field" {
			t.Fatalf("projected schema %v", rec.Schema())
		}
		rows += rec.NumRows()
		if rec.Column(1).NullN() != 100 {
			t.Errorf("nulls in field = %d, want 100", rec.Column(1).NullN())
		}
		return nil
	}, "field", "line")
	if err != nil || rows != 200 {
		t.Fatalf("scanned %d rows, err %v", rows, err)
	}
	if err := w.Scan(context.Background(), mem, schemas.Quarantine, p, func(arrow.RecordBatch) error { return nil }, "nope"); err == nil {
		t.Fatal("unknown column accepted")
	}
}
