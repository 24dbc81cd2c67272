package features

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// stream makes days of events over few users, devices, IPs and cards, so
// links collide, with equal timestamps and events on window boundaries.
func stream(seed uint64, days, perDay int) (map[int64][]Event, map[int64][]Label) {
	r := rand.New(rand.NewPCG(seed, 7))
	d0 := int64(1_763_510_400_000) // 2025-11-19
	evs, labs := map[int64][]Event{}, map[int64][]Label{}
	types := append(append([]string{}, ScoredTypes...), "view", "refund")
	var prev []int64
	for d := range days {
		day := d0 + int64(d)*86_400_000
		for i := range perDay {
			t := day + r.Int64N(86_400_000)
			if len(prev) > 0 && r.IntN(4) == 0 { // a boundary of an earlier event's window
				p := prev[r.IntN(len(prev))] + []int64{3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000}[r.IntN(4)]
				if p >= day && p < day+86_400_000 {
					t = p
				}
			}
			if r.IntN(5) == 0 && len(evs[day]) > 0 { // simultaneous with another
				t = evs[day][r.IntN(len(evs[day]))].TS
			}
			prev = append(prev, t)
			e := Event{ID: fmt.Sprintf("e%d-%d", d, i), TS: t, Type: types[r.IntN(len(types))]}
			e.Keys[User] = fmt.Sprintf("u%d", r.IntN(40))
			for k, n := range map[Entity]int{Device: 25, IP: 30, IP24: 6, Card: 20} {
				if r.IntN(4) != 0 {
					e.Keys[k] = fmt.Sprintf("%s%d", EntityNames[k], r.IntN(n))
				}
			}
			if r.IntN(3) == 0 {
				e.Live = fmt.Sprintf("live%d", r.IntN(4))
			}
			if r.IntN(2) == 0 {
				e.Amount4, e.HasAmount = r.Int64N(10_000_000), true
			}
			if r.IntN(10) == 0 {
				e.Signup = t - r.Int64N(90*86_400_000)
			}
			evs[day] = append(evs[day], e)
		}
		for range 2 {
			labs[day] = append(labs[day], Label{User: fmt.Sprintf("u%d", r.IntN(40)), KnownAt: day + r.Int64N(86_400_000)})
		}
	}
	return evs, labs
}

type scored struct {
	id  string
	row []float64
}

func runDays(t *testing.T, g *Engine, evs map[int64][]Event, labs map[int64][]Label, days []int64) []scored {
	t.Helper()
	var out []scored
	for _, d := range days {
		err := g.Run(context.Background(), d, Events(evs[d]), labs[d], func(_ int, e *Event, row Row) error {
			out = append(out, scored{e.ID, slices.Clone(row)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func checkpoint(t *testing.T, g *Engine, next int64) []arrow.RecordBatch {
	t.Helper()
	if err := g.StartDay(next); err != nil {
		t.Fatal(err)
	}
	var recs []arrow.RecordBatch
	if err := g.Checkpoint(memory.DefaultAllocator, 97, func(r arrow.RecordBatch) error {
		r.Retain()
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

func sameRows(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(IsNull(a[i]) && IsNull(b[i])) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestIncrementalEqualsFull folds 70 days from scratch in one engine, and
// again day by day through a checkpoint written and reloaded every day:
// every row and every checkpoint must be identical.
func TestIncrementalEqualsFull(t *testing.T) {
	evs, labs := stream(1, 70, 300)
	days := slices.Sorted(func(yield func(int64) bool) {
		for d := range evs {
			if !yield(d) {
				return
			}
		}
	})
	full := New()
	want := runDays(t, full, evs, labs, days)

	var got []scored
	var g = New()
	for i, d := range days {
		got = append(got, runDays(t, g, evs, labs, []int64{d})...)
		recs := checkpoint(t, g, d+86_400_000)
		ld := NewLoader()
		for _, r := range recs {
			if err := ld.Add(r); err != nil {
				t.Fatal(err)
			}
			r.Release()
		}
		var err error
		if g, err = ld.Engine(); err != nil {
			t.Fatal(err)
		}
		if i == len(days)-1 {
			a, b := checkpoint(t, full, d+86_400_000), checkpoint(t, g, d+86_400_000)
			if len(a) != len(b) {
				t.Fatalf("checkpoints have %d and %d records", len(a), len(b))
			}
			for j := range a {
				if !array_equal(a[j], b[j]) {
					t.Fatalf("checkpoint record %d differs", j)
				}
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows incrementally, %d from scratch", len(got), len(want))
	}
	for i := range want {
		if got[i].id != want[i].id || !sameRows(got[i].row, want[i].row) {
			for j := range want[i].row {
				if !sameRows(got[i].row[j:j+1], want[i].row[j:j+1]) {
					t.Errorf("row %d (%s) %s: incremental %v, from scratch %v", i, want[i].id, Defs[j].Name, got[i].row[j], want[i].row[j])
				}
			}
			t.FailNow()
		}
	}
	t.Logf("%d rows over %d days identical", len(want), len(days))
}

func array_equal(a, b arrow.RecordBatch) bool { return array.RecordEqual(a, b) }
