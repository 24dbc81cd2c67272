package features_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/features/pitref"
)

// TestEngineMatchesDefinitions folds adversarial random streams (equal
// timestamps, events on window edges, shared tokens, live sessions that
// restart, labels at event times) day by day through the engine, through a
// checkpoint every third day, and compares every row with the by-definition
// reference, bit for bit.
func TestEngineMatchesDefinitions(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			evs, labs := pitref.RandomStream(seed, 3000)
			byDay := map[int64][]features.Event{}
			labDay := map[int64][]features.Label{}
			for _, e := range evs {
				byDay[features.Day(e.TS)] = append(byDay[features.Day(e.TS)], e)
			}
			for _, l := range labs {
				labDay[features.Day(l.KnownAt)] = append(labDay[features.Day(l.KnownAt)], l)
			}
			days := slices.Sorted(func(yield func(int64) bool) {
				for d := range byDay {
					yield(d)
				}
				for d := range labDay {
					if _, ok := byDay[d]; !ok {
						yield(d)
					}
				}
			})
			g := features.New()
			var rows []pitref.Checked
			for i, d := range days {
				err := g.Run(context.Background(), d, features.Events(byDay[d]), labDay[d], func(_ int, e *features.Event, r features.Row) error {
					rows = append(rows, pitref.Checked{Event: *e, Row: slices.Clone(r)})
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if i%3 == 2 {
					g = reload(t, g, d+86_400_000)
				}
			}
			ms := pitref.Audit(evs, labs, rows)
			for i, m := range ms {
				if i == 20 {
					t.Fatalf("... %d mismatches in all", len(ms))
				}
				t.Error(m)
			}
			if len(ms) == 0 {
				t.Logf("%d rows over %d days agree with the definitions", len(rows), len(days))
			}
		})
	}
}

func reload(t *testing.T, g *features.Engine, next int64) *features.Engine {
	t.Helper()
	if err := g.StartDay(next); err != nil {
		t.Fatal(err)
	}
	ld := features.NewLoader()
	err := g.Checkpoint(memory.DefaultAllocator, 1000, func(r arrow.RecordBatch) error { return ld.Add(r) })
	if err != nil {
		t.Fatal(err)
	}
	g2, err := ld.Engine()
	if err != nil {
		t.Fatal(err)
	}
	return g2
}
