package serve

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// state is the feature engine folded event by event as requests come, by
// the batch stage's rules: an event is scored from what is strictly
// before it, so every event of a timestamp is scored before any of them is
// applied (applies wait in pending until time moves on), and days are
// started in order. One mutex: Score and Apply take microseconds
// (BenchmarkStep), far below a request's cost.
type state struct {
	mu      sync.Mutex
	g       *features.Engine
	day     int64 // the day the engine stands at (00:00 UTC, ms)
	now     int64 // the latest event time applied or pending; -inf before any
	pending []features.Event
	from    string // the checkpoint's dt, "" when started empty
	// reorder, if positive, folds a late event no older than this (ms)
	// into the state as if it came at the state's time: concurrent
	// requests arrive a few milliseconds out of order, and a burst of
	// them (card testing) should count. 0 folds no late event.
	reorder int64
}

// step is what the state answers for one event.
type step struct {
	row    features.Row // nil when the type is not scored
	late   bool         // older than the engine's time: scored from the state as it stands
	folded bool         // the event entered the state (late ones only within the reorder window)
	scored bool
}

func newState(g *features.Engine, day int64, from string) *state {
	return &state{g: g, day: day, now: day - 1, from: from}
}

// loadState continues from risk_state/dt (the newest committed partition
// when dt is ""), so the engine stands at the start of the day after it;
// with no checkpoint at all it starts empty at the first event's day.
func loadState(ctx context.Context, w *sinks.Warehouse, mem memory.Allocator, dt string) (*state, error) {
	if dt == "" {
		var err error
		if dt, err = NewestCheckpoint(w); err != nil {
			return nil, err
		}
		if dt == "" {
			return newState(features.New(), -1<<62, ""), nil
		}
	}
	d, err := time.Parse(time.DateOnly, dt)
	if err != nil {
		return nil, fmt.Errorf("serve: checkpoint date %q: want YYYY-MM-DD", dt)
	}
	ld := features.NewLoader()
	if err := w.Scan(ctx, mem, schemas.RiskState, sinks.Partition{DT: dt}, ld.Add); err != nil {
		return nil, fmt.Errorf("serve: read %s/dt=%s: %w", schemas.RiskState.Name, dt, err)
	}
	g, err := ld.Engine()
	if err != nil {
		return nil, fmt.Errorf("serve: %s/dt=%s: %w", schemas.RiskState.Name, dt, err)
	}
	// The checkpoint was written after StartDay(next day): this is a
	// no-op, and says so if the checkpoint stands elsewhere.
	next := d.AddDate(0, 0, 1).UnixMilli()
	if err := g.StartDay(next); err != nil {
		return nil, fmt.Errorf("serve: %s/dt=%s: %w", schemas.RiskState.Name, dt, err)
	}
	return newState(g, next, dt), nil
}

// step scores e and queues it to be applied once time moves past e.TS.
// The row is a copy the caller owns.
func (s *state) step(e *features.Event) (step, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	scored := features.IsScored(e.Type)
	if e.TS < s.now || e.TS < s.day {
		// Late: the state already holds later events. Answer from it as it
		// stands; applying at its own time would fold time backwards.
		var row features.Row
		if scored {
			row = slices.Clone(s.g.Score(e))
		}
		folded := false
		if s.reorder > 0 && e.TS >= s.day && s.now-e.TS <= s.reorder {
			// Folded as at the state's time, so the state stays in time
			// order; it is applied with that time's events.
			c := *e
			c.TS = s.now
			s.pending = append(s.pending, c)
			folded = true
		}
		return step{row: row, late: true, folded: folded, scored: scored}, nil
	}
	if e.TS > s.now {
		s.flush()
		if d := features.Day(e.TS); d != s.day {
			if err := s.g.StartDay(d); err != nil {
				return step{}, fmt.Errorf("serve: %w", err)
			}
			s.day = d
		}
		s.now = e.TS
	}
	var row features.Row
	if scored {
		row = slices.Clone(s.g.Score(e))
	}
	s.pending = append(s.pending, *e)
	return step{row: row, folded: true, scored: scored}, nil
}

// flush applies the pending events of the last timestamp. The batch
// engine applies a timestamp's events in event_id order; so does this,
// though the state does not depend on it.
func (s *state) flush() {
	slices.SortFunc(s.pending, func(a, b features.Event) int { return cmp.Compare(a.ID, b.ID) })
	for i := range s.pending {
		s.g.Apply(&s.pending[i])
	}
	clear(s.pending)
	s.pending = s.pending[:0]
}

// position is the state's day and time, for /healthz.
func (s *state) position() (day, now int64, from string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.day, s.now, s.from
}
