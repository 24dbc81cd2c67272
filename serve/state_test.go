package serve

import (
	"fmt"
	"testing"

	"github.com/veil-data/veil/risk/features"
)

const testDay = int64(1_763_596_800_000) // 2025-11-20 00:00 UTC

func ev(id string, ts int64, typ, user, device string) *features.Event {
	e := &features.Event{ID: id, TS: ts, Type: typ}
	e.Keys[features.User], e.Keys[features.Device] = user, device
	return e
}

func logins(t *testing.T, s *state, e *features.Event) (float64, step) {
	t.Helper()
	st, err := s.step(e)
	if err != nil {
		t.Fatal(err)
	}
	if !st.scored {
		return 0, st
	}
	return st.row[features.FCount[features.User][features.Logins][features.W1h]], st
}

// TestStateTiesAndLateness checks the batch engine's rules online: events
// of one timestamp never see each other, time moving on applies them, an
// older event is answered from the state and not folded in, and a new day
// is started.
func TestStateTiesAndLateness(t *testing.T) {
	s := newState(features.New(), -1<<62, "")
	at := testDay + 3_600_000
	steps := []struct {
		e    *features.Event
		want float64
		late bool
	}{
		{ev("a", at, "login", "u1", "d1"), 0, false},
		{ev("b", at, "login", "u1", "d1"), 0, false}, // a tie: does not see a
		{ev("c", at+1, "login", "u1", "d1"), 2, false},
		{ev("d", at, "login", "u1", "d1"), 2, true},             // late: sees a and b; c is pending
		{ev("e", at+2, "login", "u1", "d1"), 3, false},          // d was not folded in
		{ev("f", at+86_400_000, "login", "u1", "d1"), 0, false}, // next day, 1h window empty
	}
	for i, st := range steps {
		got, res := logins(t, s, st.e)
		if got != st.want || res.late != st.late {
			t.Errorf("step %d (%s): logins_1h %v late %v, want %v %v", i, st.e.ID, got, res.late, st.want, st.late)
		}
	}
	if day, _, _ := s.position(); day != testDay+86_400_000 {
		t.Errorf("day %d, want the next day", day)
	}
	// A type without features is folded but not scored.
	if _, res := logins(t, s, ev("g", at+86_400_001, "view", "u1", "d1")); res.scored || res.row != nil {
		t.Errorf("a view was scored: %+v", res)
	}
}

// BenchmarkStep is the engine's share of a decision, under the mutex:
// score, queue, and apply the previous timestamp's events.
func BenchmarkStep(b *testing.B) {
	s := newState(features.New(), -1<<62, "")
	evs := make([]*features.Event, 4096)
	for i := range evs {
		e := ev(fmt.Sprint("e", i), 0, []string{"login", "purchase", "payment", "view"}[i%4], fmt.Sprint("u", i%2000), fmt.Sprint("d", i%1500))
		e.Keys[features.IP] = fmt.Sprint("ip", i%800)
		e.Keys[features.Card] = fmt.Sprint("c", i%2000)
		e.Amount4, e.HasAmount = int64(i%300)*1e4, true
		evs[i] = e
	}
	b.ReportAllocs()
	for i := range b.N {
		e := *evs[i%len(evs)]
		e.TS = testDay + int64(i/2) // two events a millisecond: ties too
		if _, err := s.step(&e); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStateReorderWindow: a late event within the window is folded in at
// the state's time, so later events count it; one beyond it is not.
func TestStateReorderWindow(t *testing.T) {
	s := newState(features.New(), -1<<62, "")
	s.reorder = 5
	at := testDay + 3_600_000
	for i, st := range []struct {
		e            *features.Event
		want         float64
		late, folded bool
	}{
		{ev("a", at, "login", "u1", "d1"), 0, false, true},
		{ev("b", at+10, "login", "u1", "d1"), 1, false, true},
		{ev("c", at+7, "login", "u1", "d1"), 1, true, true},   // 3 ms late: folded at at+10
		{ev("d", at+2, "login", "u1", "d1"), 1, true, false},  // 8 ms late: not folded
		{ev("e", at+11, "login", "u1", "d1"), 3, false, true}, // a, b and c
	} {
		got, res := logins(t, s, st.e)
		if got != st.want || res.late != st.late || res.folded != st.folded {
			t.Errorf("step %d (%s): logins_1h %v late %v folded %v, want %v %v %v", i, st.e.ID, got, res.late, res.folded, st.want, st.late, st.folded)
		}
	}
}
