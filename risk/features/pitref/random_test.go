package pitref

import (
	"reflect"
	"testing"

	"github.com/veil-data/veil/risk/features"
)

func TestRandomStreamDeterministic(t *testing.T) {
	a, al := RandomStream(3, 300)
	b, bl := RandomStream(3, 300)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(al, bl) {
		t.Fatal("same seed, different streams")
	}
	c, _ := RandomStream(4, 300)
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same stream")
	}
	if len(a) != 300 {
		t.Fatalf("%d events, want 300", len(a))
	}
}

// The stream must hold every case the rules treat specially, or a property
// test over it proves little.
func TestRandomStreamIsAdversarial(t *testing.T) {
	evs, labels := RandomStream(9, 2000)
	has := map[string]int{}
	ids := map[string]bool{}
	type at struct {
		user string
		ts   int64
	}
	byUserTS := map[at]int{}
	midnight := map[at]bool{}
	lastLive := map[string]int64{}
	liveStart := map[string]int64{}
	users, others := map[string]bool{}, map[string]bool{}
	for i, e := range evs {
		if i > 0 && e.TS < evs[i-1].TS {
			t.Fatal("not sorted by ts")
		}
		if ids[e.ID] {
			t.Fatalf("id %s twice", e.ID)
		}
		ids[e.ID] = true
		if i > 0 && e.ID < evs[i-1].ID {
			has["ids out of ts order"]++
		}
		for ent, k := range e.Keys {
			if k == "" {
				has["no "+features.EntityNames[ent]]++
			} else if features.Entity(ent) == features.User {
				users[k] = true
			} else {
				others[k] = true
			}
		}
		if e.Type == "register" {
			has["register"]++
		}
		if e.Signup != 0 {
			has["signup"]++
			if e.Signup > e.TS {
				has["signup after event"]++
			}
		}
		if e.HasAmount && e.Amount4 == 0 {
			has["zero amount"]++
		}
		u := e.Keys[features.User]
		if u != "" {
			if byUserTS[at{u, e.TS}] > 0 {
				has["user's equal ts"]++
			}
			for w, span := range features.WindowMS {
				if byUserTS[at{u, e.TS - span}] > 0 {
					has["user's "+features.WindowSuffix[w]+" edge"]++
				}
			}
			if midnight[at{u, features.Day(e.TS) - month}] {
				has["user's graph edge"]++
			}
			byUserTS[at{u, e.TS}]++
			if e.TS == features.Day(e.TS) {
				midnight[at{u, e.TS}] = true
			}
		}
		if l := e.Live; l != "" {
			last, seen := lastLive[l]
			if !seen || e.TS-last > month {
				liveStart[l] = e.TS
				if seen {
					has["live silence over 30d"]++
				}
			} else if e.Type == "purchase" && e.TS < liveStart[l]+minute {
				has["live first-minute purchase"]++
			}
			lastLive[l] = e.TS
		}
	}
	for u := range users {
		if others[u] {
			has["token both user and other"]++
		}
	}
	for _, l := range labels {
		if byUserTS[at{l.User, l.KnownAt}] > 0 {
			has["label at own event"]++
		}
		for _, e := range evs {
			if e.TS == l.KnownAt {
				has["label at event ts"]++
				break
			}
		}
	}
	if span := evs[len(evs)-1].TS - evs[0].TS; span < 60*day {
		t.Errorf("stream spans %d days", span/day)
	}
	for _, want := range []string{
		"ids out of ts order", "no user", "no device", "no ip", "no ip24", "no card", "register", "signup",
		"signup after event", "zero amount", "user's equal ts", "user's 1h edge", "user's 24h edge", "user's 7d edge",
		"user's 30d edge", "user's graph edge", "live silence over 30d", "live first-minute purchase",
		"token both user and other", "label at event ts",
	} {
		if has[want] == 0 {
			t.Errorf("no %s in the stream", want)
		}
	}
	t.Logf("%d events, %d labels: %v", len(evs), len(labels), has)
}
