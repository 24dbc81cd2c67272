package blacklist

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/veil-data/veil/risk/features"
)

const (
	hour = int64(3_600_000)
	day  = 24 * hour
	t0   = int64(1_793_491_200_000) // 2026-11-01T00:00:00Z
)

const testPolicy = `
admission:
  block_severity: high
  reviews: 2
  review_window: 7d
expiry:
  default: 30d
  reasons:
    VELOCITY: 14d
`

func block(tok, ev string, at int64, sev int) Flag {
	return Flag{Entity: features.User, Token: tok, Reason: "CARD_TESTING", Severity: sev, Block: true, Source: "rule:card_testing@v1", EventID: ev, At: at}
}

func review(tok, ev string, at int64, sev int) Flag {
	return Flag{Entity: features.User, Token: tok, Reason: "VELOCITY", Severity: sev, Source: "rule:velocity@v2", EventID: ev, At: at}
}

func fold(t *testing.T, l *List, flags []Flag, lifts []Lift) Stats {
	t.Helper()
	st, err := l.FoldStats(mustPolicy(t, testPolicy), "run-1", flags, lifts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBlockAdmitsAtOnce(t *testing.T) {
	var l List
	f := block("u1", "e1", t0+hour, 4)
	if st := fold(t, &l, []Flag{f}, nil); st.Changed() != 1 {
		t.Fatalf("changed %d, want 1", st.Changed())
	}
	want := Entry{Version: 1, Entity: features.User, Token: "u1", Reason: "CARD_TESTING", Severity: 4, Source: "rule:card_testing@v1",
		RunID: "run-1", Evidence: evidence([]Flag{f}), AddedAt: t0 + hour, ExpiresAt: t0 + hour + 30*day}
	if !reflect.DeepEqual(l.Entries, []Entry{want}) {
		t.Fatalf("entries\n%+v\nwant\n%+v", l.Entries, want)
	}
	if l.Version() != 1 || l.NextVersion != 2 {
		t.Errorf("version %d next %d", l.Version(), l.NextVersion)
	}
}

func TestReviewsAdmitWithinWindow(t *testing.T) {
	var l List
	// A block below block_severity is a review; with a second distinct
	// event inside 7 days the entity is admitted, named after the stronger.
	a := block("u1", "e1", t0, 2)
	b := review("u1", "e2", t0+6*day, 1)
	fold(t, &l, []Flag{b, a}, nil)
	if len(l.Entries) != 1 || l.Entries[0].AddedAt != t0+6*day || l.Entries[0].Reason != "CARD_TESTING" || l.Entries[0].Severity != 2 {
		t.Fatalf("entries %+v", l.Entries)
	}
	if l.Entries[0].Evidence != evidence([]Flag{a, b}) || l.Entries[0].ExpiresAt != t0+6*day+30*day {
		t.Errorf("evidence or expiry: %+v", l.Entries[0])
	}
	if len(l.Pending) != 0 {
		t.Errorf("pending after admission: %+v", l.Pending)
	}
}

func TestReviewsOutsideWindowOrSameEvent(t *testing.T) {
	var l List
	st := fold(t, &l, []Flag{review("u1", "e1", t0, 2), review("u1", "e2", t0+7*day+1, 2),
		review("u2", "e3", t0+day, 2), block("u2", "e3", t0+day, 2)}, nil)
	if len(l.Entries) != 0 {
		t.Fatalf("admitted %+v", l.Entries)
	}
	if st.Duplicate != 1 {
		t.Errorf("duplicate %d, want 1 (u2's two flags are one event)", st.Duplicate)
	}
	// u1's first flag is outside the window of the latest time folded;
	// u2's is not yet, and keeps the stronger of its event's two flags.
	want := []Flag{review("u1", "e2", t0+7*day+1, 2), block("u2", "e3", t0+day, 2)}
	if !reflect.DeepEqual(l.Pending, want) {
		t.Errorf("pending\n%+v\nwant\n%+v", l.Pending, want)
	}
}

func TestPendingCarriesOverToTheNextFold(t *testing.T) {
	var l List
	a, b := review("u1", "e1", t0+23*hour, 2), review("u1", "e2", t0+day+hour, 2)
	fold(t, &l, []Flag{a}, nil)
	if len(l.Pending) != 1 || len(l.Entries) != 0 {
		t.Fatalf("after day 1: pending %d entries %d", len(l.Pending), len(l.Entries))
	}
	fold(t, &l, []Flag{b}, nil)
	if len(l.Entries) != 1 || l.Entries[0].Evidence != evidence([]Flag{a, b}) || l.Entries[0].ExpiresAt != b.At+14*day {
		t.Fatalf("after day 2: %+v", l.Entries)
	}
}

func TestInForceGetsNoSecondEntryUntilExpiry(t *testing.T) {
	var l List
	fold(t, &l, []Flag{block("u1", "e1", t0, 3), block("u1", "e2", t0+day, 4)}, nil)
	if len(l.Entries) != 1 {
		t.Fatalf("entries %d, want 1", len(l.Entries))
	}
	exp := l.Entries[0].ExpiresAt
	st := fold(t, &l, []Flag{block("u1", "e3", exp-1, 4), block("u1", "e4", exp, 4)}, nil)
	if st.InForce != 1 || len(l.Entries) != 2 || l.Entries[1].AddedAt != exp || l.Entries[1].Version != 2 {
		t.Fatalf("stats %+v entries %+v", st, l.Entries)
	}
}

func TestLiftEndsEntryAndSameEvidenceNeverCounts(t *testing.T) {
	var l List
	fold(t, &l, []Flag{block("u1", "e1", t0, 4), block("u2", "e2", t0, 4)}, nil)
	lift := Lift{Entity: features.User, Token: "u1", At: t0 + 2*day, Case: "A-1"}
	st := fold(t, &l, []Flag{block("u1", "e3", t0+2*day, 4)}, []Lift{lift})
	if st.LiftsApplied != 1 || st.EntriesLifted != 1 || st.SameEvidence != 1 || st.Changed() != 1 {
		t.Fatalf("stats %+v", st)
	}
	e := l.Entries[0]
	if e.LiftedAt != lift.At || e.LiftCase != "A-1" || e.LiftVersion != 3 {
		t.Fatalf("lifted entry %+v", e)
	}
	if l.Entries[1].LiftedAt != 0 {
		t.Errorf("another user's entry was lifted: %+v", l.Entries[1])
	}
	// A flag from before the lift that arrives late is the same evidence;
	// the same lift folded again is no new version; a later flag counts.
	st = fold(t, &l, []Flag{block("u1", "e0", t0+day, 4), block("u1", "e5", t0+3*day, 4)}, []Lift{lift})
	if st.SameEvidence != 1 || st.LiftsRepeated != 1 || st.Added != 1 || st.Changed() != 1 {
		t.Fatalf("stats %+v", st)
	}
	if e := l.Entries[2]; e.AddedAt != t0+3*day || e.Version != 4 || e.LiftedAt != 0 {
		t.Fatalf("re-admitted entry %+v", e)
	}
	if _, ok := l.Lookup(features.User, "u1", t0+2*day+hour); ok {
		t.Error("u1 blacklisted between the lift and the new evidence")
	}
	if _, ok := l.Lookup(features.User, "u1", t0+day); !ok {
		t.Error("u1 not blacklisted before the lift")
	}
}

func TestLiftDropsPendingReviews(t *testing.T) {
	var l List
	fold(t, &l, []Flag{review("u1", "e1", t0, 2), review("u1", "e2", t0+2*day, 2)},
		[]Lift{{Entity: features.User, Token: "u1", At: t0 + day, Case: "A-2"}})
	if len(l.Entries) != 0 || len(l.Pending) != 1 || l.Pending[0].EventID != "e2" {
		t.Fatalf("entries %+v pending %+v", l.Entries, l.Pending)
	}
	if h := l.History(); len(h) != 1 || h[0].Kind != "lift" || h[0].Ended != 0 {
		t.Errorf("history %+v", h)
	}
}

func TestLookupBounds(t *testing.T) {
	var l List
	fold(t, &l, []Flag{block("u1", "e1", t0, 3), {Entity: features.Device, Token: "u1", Reason: "X", Severity: 4, Block: true, EventID: "e1", At: t0}}, nil)
	e := l.Entries[0]
	for _, c := range []struct {
		t  int64
		ok bool
	}{{e.AddedAt - 1, false}, {e.AddedAt, true}, {e.ExpiresAt - 1, true}, {e.ExpiresAt, false}} {
		if _, ok := l.Lookup(features.User, "u1", c.t); ok != c.ok {
			t.Errorf("Lookup at %d: %v, want %v", c.t-e.AddedAt, ok, c.ok)
		}
	}
	if _, ok := l.LookupBefore(features.User, "u1", e.AddedAt); ok {
		t.Error("LookupBefore sees the entry its own event admitted")
	}
	if got, _ := l.Lookup(features.Device, "u1", t0); got.Severity != 4 {
		t.Errorf("the device entry is kept apart from the user's: %+v", got)
	}
}

func TestFoldRefusesBadInput(t *testing.T) {
	var l List
	_, err := l.Fold(mustPolicy(t, testPolicy), "r", []Flag{{Entity: features.OfEvent, Token: "x", EventID: "e", Reason: "R"}, {Entity: features.User, EventID: "e", Reason: "R"}},
		[]Lift{{Entity: features.User, Token: "x"}})
	if err == nil || !strings.Contains(err.Error(), "flag 0") || !strings.Contains(err.Error(), "flag 1") || !strings.Contains(err.Error(), "lift 0") {
		t.Fatalf("got %v", err)
	}
	if l.NextVersion != 0 || len(l.Entries) != 0 {
		t.Error("a refused fold changed the list")
	}
}

// randomDay makes flags on a few tokens and an occasional lift, all in
// [from, from+day).
func randomDay(r *rand.Rand, from int64, serial *int) ([]Flag, []Lift) {
	var flags []Flag
	var lifts []Lift
	for range r.IntN(30) {
		*serial++
		tok := string(rune('a' + r.IntN(6)))
		at := from + r.Int64N(day)
		ev := "e" + string(rune('A'+*serial%26)) + string(rune('a'+*serial/26%26)) + string(rune('a'+*serial/676))
		f := Flag{Entity: features.Entity(r.IntN(2)), Token: tok, Reason: []string{"VELOCITY", "CARD_TESTING", "COUPON_ABUSE"}[r.IntN(3)],
			Severity: 1 + r.IntN(4), Block: r.IntN(3) == 0, Source: "rule:x@v1", EventID: ev, At: at}
		flags = append(flags, f)
		if r.IntN(4) == 0 { // a second rule on the same event
			g := f
			g.Reason, g.Severity = "VELOCITY", 1+r.IntN(4)
			flags = append(flags, g)
		}
	}
	if r.IntN(3) == 0 {
		lifts = append(lifts, Lift{Entity: features.User, Token: string(rune('a' + r.IntN(6))), At: from + r.Int64N(day), Case: "C" + string(rune('a'+r.IntN(26)))})
	}
	return flags, lifts
}

// TestFoldIsOrderFreeAndDayByDayEqualsAtOnce: shuffled input gives the
// same list, and folding day by day (pending flags carried over) gives the
// same entries and lifts as folding everything at once.
func TestFoldIsOrderFreeAndDayByDayEqualsAtOnce(t *testing.T) {
	p := mustPolicy(t, testPolicy)
	entries, lifted := 0, 0
	defer func() { t.Logf("%d entries, %d lifts over 40 seeds", entries, lifted) }()
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 7))
		var daily List
		var allF []Flag
		var allL []Lift
		serial := 0
		for d := range int64(20) {
			f, lf := randomDay(r, t0+d*day, &serial)
			allF, allL = append(allF, f...), append(allL, lf...)
			if _, err := daily.Fold(p, "run", f, lf); err != nil {
				t.Fatal(err)
			}
		}
		var once, shuffled List
		if _, err := once.Fold(p, "run", allF, allL); err != nil {
			t.Fatal(err)
		}
		r.Shuffle(len(allF), func(i, j int) { allF[i], allF[j] = allF[j], allF[i] })
		slices.Reverse(allL)
		if _, err := shuffled.Fold(p, "run", allF, allL); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(once.Entries, shuffled.Entries) || !reflect.DeepEqual(once.Pending, shuffled.Pending) || !reflect.DeepEqual(once.Lifts, shuffled.Lifts) {
			t.Fatalf("seed %d: input order changed the list", seed)
		}
		if !reflect.DeepEqual(once.Entries, daily.Entries) || !reflect.DeepEqual(once.Lifts, daily.Lifts) || !reflect.DeepEqual(once.Pending, daily.Pending) {
			t.Fatalf("seed %d: day by day differs from at once\n%+v\n%+v", seed, daily.Entries, once.Entries)
		}
		// Event by event through FoldEvent, as the risk list and the
		// service fold, settled once: the same list again.
		var each List
		fs, ls := slices.Clone(allF), slices.Clone(allL)
		slices.SortFunc(fs, cmpFlag)
		slices.SortFunc(ls, cmpLift)
		for i, j := 0, 0; i < len(fs) || j < len(ls); {
			var err error
			if j < len(ls) && (i == len(fs) || ls[j].At <= fs[i].At) {
				_, err = each.FoldEvent(p, "run", nil, ls[j:j+1])
				j++
			} else {
				_, err = each.FoldEvent(p, "run", fs[i:i+1], nil)
				i++
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		each.Settle()
		if !reflect.DeepEqual(once.Entries, each.Entries) || !reflect.DeepEqual(once.Lifts, each.Lifts) || !reflect.DeepEqual(once.Pending, each.Pending) {
			t.Fatalf("seed %d: event by event differs from at once\n%+v\n%+v", seed, each.Entries, once.Entries)
		}
		checkInvariants(t, &once)
		entries += len(once.Entries)
		lifted += len(once.Lifts)
	}
}

// checkInvariants: versions are 1..n without gaps, an entity never has
// two entries in force at once, and no entry in force starts at or
// before a lift of its entity that came earlier.
func checkInvariants(t *testing.T, l *List) {
	t.Helper()
	var vs []int64
	for _, e := range l.Entries {
		vs = append(vs, e.Version)
	}
	for _, r := range l.Lifts {
		vs = append(vs, r.Version)
	}
	slices.Sort(vs)
	for i, v := range vs {
		if v != int64(i+1) {
			t.Fatalf("versions %v: not 1..n", vs)
		}
	}
	if l.NextVersion != int64(len(vs)+1) {
		t.Fatalf("next version %d after %d changes", l.NextVersion, len(vs))
	}
	for i, a := range l.Entries {
		for _, b := range l.Entries[i+1:] {
			if a.Entity == b.Entity && a.Token == b.Token && b.AddedAt >= a.AddedAt && a.InForce(b.AddedAt) {
				t.Fatalf("two entries in force on one entity: %+v %+v", a, b)
			}
		}
		for _, r := range l.Lifts {
			if r.Entity == a.Entity && r.Token == a.Token && a.AddedAt <= r.At && a.InForce(r.At) {
				t.Fatalf("entry %+v in force through lift %+v", a, r)
			}
		}
	}
}

// TestNoLookupSeesAFutureEntry plants an entry in a random history and
// asks at many moments before it: no lookup before AddedAt sees it, and
// AsOf agrees with Lookup everywhere.
func TestNoLookupSeesAFutureEntry(t *testing.T) {
	p := mustPolicy(t, testPolicy)
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 11))
		var l List
		serial := 0
		for d := range int64(10) {
			f, lf := randomDay(r, t0+d*day, &serial)
			if _, err := l.Fold(p, "run", f, lf); err != nil {
				t.Fatal(err)
			}
		}
		plantAt := t0 + 10*day + r.Int64N(day)
		planted := Flag{Entity: features.Card, Token: "planted", Reason: "CARD_TESTING", Severity: 4, Block: true, Source: "model:m1", EventID: "p1", At: plantAt}
		if _, err := l.Fold(p, "run-plant", []Flag{planted}, nil); err != nil {
			t.Fatal(err)
		}
		v := l.Entries[len(l.Entries)-1].Version
		for range 200 {
			q := t0 - day + r.Int64N(plantAt-t0+day)
			if e, ok := l.Lookup(features.Card, "planted", q); ok {
				t.Fatalf("seed %d: lookup at %d sees the entry added at %d: %+v", seed, q, plantAt, e)
			}
			for _, e := range l.AsOf(q) {
				if e.Version == v {
					t.Fatalf("seed %d: AsOf(%d) lists the future entry", seed, q)
				}
				if got, ok := l.Lookup(e.Entity, e.Token, q); !ok || got.Severity < e.Severity {
					t.Fatalf("seed %d: AsOf lists %+v, Lookup gives %+v %v", seed, e, got, ok)
				}
			}
		}
		if l.VersionAt(plantAt-1) >= v || l.VersionAt(plantAt) != v {
			t.Fatalf("seed %d: version at %d is %d, just before %d; planted %d", seed, plantAt, l.VersionAt(plantAt), l.VersionAt(plantAt-1), v)
		}
		if e, ok := l.Lookup(features.Card, "planted", plantAt); !ok || e.Version != v || e.Source != "model:m1" || e.RunID != "run-plant" {
			t.Fatalf("seed %d: the entry is not in force at its AddedAt: %+v %v", seed, e, ok)
		}
	}
}

func TestPolicyVariants(t *testing.T) {
	flags := []Flag{review("u1", "e1", t0, 1), block("u2", "e2", t0, 4), review("u3", "e3", t0, 4), review("u3", "e4", t0+hour, 4)}
	for _, c := range []struct {
		policy  string
		entries []string // tokens admitted, in version order
		pending int
	}{
		{"admission: {block_severity: none, reviews: 1, review_window: 1h}\nexpiry: {default: 1d}", []string{"u1", "u2", "u3"}, 0},
		{"admission: {block_severity: high}\nexpiry: {default: 1d}", []string{"u2"}, 0},
		{"admission: {block_severity: critical, reviews: 2, review_window: 59m}\nexpiry: {default: 1d}", []string{"u2"}, 1}, // u3 e4 waits
		{"admission: {block_severity: critical, reviews: 2, review_window: 1h}\nexpiry: {default: 1d}", []string{"u2", "u3"}, 1},
	} {
		var l List
		if _, err := l.Fold(mustPolicy(t, c.policy), "r", flags, nil); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range l.Entries {
			got = append(got, e.Token)
		}
		if !slices.Equal(got, c.entries) || len(l.Pending) != c.pending {
			t.Errorf("%s:\nentries %v pending %d, want %v %d", c.policy, got, len(l.Pending), c.entries, c.pending)
		}
	}
}

// TestConcurrentLookups: lookups from many goroutines share one lazily
// built index (run with -race).
func TestConcurrentLookups(t *testing.T) {
	var l List
	fold(t, &l, []Flag{block("u1", "e1", t0, 4), block("u2", "e2", t0, 4)}, nil)
	done := make(chan bool)
	for g := range 4 {
		go func() {
			_, ok := l.Lookup(features.User, []string{"u1", "u2"}[g%2], t0+hour)
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("lookup missed an entry in force")
		}
	}
}
