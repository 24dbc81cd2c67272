package risk

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// risk_training's blacklisted_before sees an entry only from the moment
// it was admitted: a device admitted at noon marks the 13:00 purchase on
// it, not the 10:00 one nor the one at noon itself, and an entry planted
// in the evening (its future) marks neither.
func TestTrainingBlacklistedBefore(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	day := "2026-11-19"
	testwarehouse.WriteEvents(t, w, mem, day, []ev{
		{ID: "e-1", TS: at(day, "10:00:00"), Type: "purchase", User: "uA", Device: "d1", IP: "o_ip1", IPPrefix: "3.3.3.0/24", Amount: 9},
		{ID: "e-2", TS: at(day, "12:00:00"), Type: "purchase", User: "uB", Device: "d1", IP: "o_ip2", IPPrefix: "3.3.4.0/24", Amount: 9},
		{ID: "e-3", TS: at(day, "13:00:00"), Type: "purchase", User: "uC", Device: "d1", IP: "o_ip3", IPPrefix: "3.3.5.0/24", Amount: 9},
		{ID: "e-4", TS: at(day, "14:00:00"), Type: "purchase", User: "uD", Device: "d2", IP: "o_ip4", IPPrefix: "3.3.6.0/24", Amount: 9},
	})
	// uA's label must not show in the column: labelled or not, a row is
	// null without a blacklist and 0 or 1 with one.
	writeLabels(t, w, mem, day, map[string]time.Time{"uA": at(day, "09:00:00")})
	if err := runStage(t, w, mem, Stage{}, day); err != nil {
		t.Fatal(err)
	}
	// Without a blacklist the column is null.
	if err := runStage(t, w, mem, Training{}, day); err != nil {
		t.Fatal(err)
	}
	if got := blacklistedColumn(t, w, mem, day); got["e-1"] != -1 || got["e-4"] != -1 {
		t.Fatalf("without a blacklist: %v, want nulls", got)
	}
	pol, err := blacklist.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	l := &blacklist.List{NextVersion: 1}
	flags := []blacklist.Flag{
		{Entity: features.Device, Token: "d1", Reason: "COUPON_ABUSE_RING", Severity: 3, Block: true, Source: "rule:x@v1", EventID: "e-2", At: at(day, "12:00:00").UnixMilli()},
		// Planted in the future of every event of the day.
		{Entity: features.Device, Token: "d2", Reason: "COUPON_ABUSE_RING", Severity: 3, Block: true, Source: "rule:x@v1", EventID: "later", At: at(day, "20:00:00").UnixMilli()},
	}
	if _, err := l.Fold(pol, "test", flags, nil); err != nil {
		t.Fatal(err)
	}
	pw, err := w.Begin(schemas.Blacklist, sinks.Partition{DT: day}, "risklist", "run-bl")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(context.Background(), pw, mem); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(sinks.CommitInfo{}); err != nil {
		t.Fatal(err)
	}
	if err := runStage(t, w, mem, Training{}, day); err != nil {
		t.Fatal(err)
	}
	got := blacklistedColumn(t, w, mem, day)
	want := map[string]int32{"e-1": 0, "e-2": 0, "e-3": 1, "e-4": 0}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%s: blacklisted_before %d, want %d (all %v)", id, got[id], v, got)
		}
	}
	// The model dataset carries it as an input, row for row.
	ds, err := LoadTraining(context.Background(), w, mem, []sinks.Partition{{DT: day}})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for c, col := range ds.X {
		if len(col) != len(ds.Label) {
			t.Fatalf("column %s: %d rows, %d labels", ds.Names[c], len(col), len(ds.Label))
		}
		if ds.Names[c] == schemas.BlacklistedBefore {
			for _, v := range col {
				sum += v
			}
		}
	}
	if sum != 1 {
		t.Errorf("LoadTraining: %v rows blacklisted before, want 1", sum)
	}
}

// blacklistedColumn reads risk_training's blacklisted_before by event id,
// -1 for null.
func blacklistedColumn(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, day string) map[string]int32 {
	t.Helper()
	out := map[string]int32{}
	err := w.Scan(context.Background(), mem, TrainingDataset, sinks.Partition{DT: day}, func(rec arrow.RecordBatch) error {
		ids := rec.Column(rec.Schema().FieldIndices("event_id")[0]).(*array.String)
		col := rec.Column(rec.Schema().FieldIndices(schemas.BlacklistedBefore)[0]).(*array.Int32)
		for j := range int(rec.NumRows()) {
			v := int32(-1)
			if col.IsValid(j) {
				v = col.Value(j)
			}
			out[ids.Value(j)] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
