package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

type consentLine struct {
	UserID string `json:"user_id"`
	TS     string `json:"ts"`
	Scope  string `json:"scope"`
	Action string `json:"action"`
}

type consentTruthLine struct {
	DT       string `json:"dt"`
	UserID   string `json:"user_id"`
	OptedOut bool   `json:"opted_out"`
	Since    string `json:"since"`
}

// consentFeed is the optouts feed and the consent truth of a generated
// directory, and, per day, when each consumer in the truth had their
// first well-formed event.
type consentFeed struct {
	requests map[string][]consentLine               // by dt, in file order
	truth    map[string]map[string]consentTruthLine // by dt, user
	active   map[string]map[string]int64            // by dt, user: first event, ms
	days     []string
}

func readConsent(t *testing.T, dir string) *consentFeed {
	t.Helper()
	f := &consentFeed{requests: map[string][]consentLine{}, truth: map[string]map[string]consentTruthLine{}, active: map[string]map[string]int64{}}
	files, _ := filepath.Glob(filepath.Join(dir, "landing", "optouts", "dt=*", "*.jsonl"))
	for _, p := range files {
		dt := strings.TrimPrefix(filepath.Base(filepath.Dir(p)), "dt=")
		f.days = append(f.days, dt)
		f.requests[dt] = []consentLine{}
		for _, line := range readLines(t, p) {
			var c consentLine
			if err := json.Unmarshal(line, &c); err != nil {
				t.Fatalf("optouts %s: %v", dt, err)
			}
			f.requests[dt] = append(f.requests[dt], c)
		}
	}
	sort.Strings(f.days)
	for _, line := range readLines(t, filepath.Join(dir, "truth", "optouts.jsonl")) {
		var c consentTruthLine
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatal(err)
		}
		if f.truth[c.DT] == nil {
			f.truth[c.DT] = map[string]consentTruthLine{}
		}
		f.truth[c.DT][c.UserID] = c
	}
	users := map[string]bool{}
	for _, byUser := range f.truth {
		for u := range byUser {
			users[u] = true
		}
	}
	evFiles, _ := filepath.Glob(filepath.Join(dir, "landing", "events", "dt=*", "*.jsonl*"))
	for _, p := range evFiles {
		dt := strings.TrimPrefix(filepath.Base(filepath.Dir(p)), "dt=")
		if f.active[dt] == nil {
			f.active[dt] = map[string]int64{}
		}
		for _, line := range readLines(t, p) {
			// Only consumers with a request matter; a cheap look at the
			// user id spares parsing every line (the demo has 200k).
			_, rest, ok := bytes.Cut(line, []byte(`"user_id":"`))
			if id, _, _ := bytes.Cut(rest, []byte(`"`)); !ok || !users[string(id)] {
				continue
			}
			if reason, _ := classify(line, dt); reason != "" {
				continue
			}
			var e evRec
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatal(err)
			}
			if first, ok := f.active[dt][e.UserID]; !ok || ms(t, e.TS) < first {
				f.active[dt][e.UserID] = ms(t, e.TS)
			}
		}
	}
	return f
}

// TestConsentRequests checks the feed's shape, and that folding it day by
// day in time order gives the truth.
func TestConsentRequests(t *testing.T) {
	f := readConsent(t, fixtureDir)
	if len(f.days) != fixtureCfg.Days {
		t.Fatalf("%d optouts partitions, want %d", len(f.days), fixtureCfg.Days)
	}
	state := map[string]bool{} // user -> opted out
	lines, withdrawals, implicit := 0, 0, 0
	for _, dt := range f.days {
		reqs := f.requests[dt]
		if len(reqs) == 0 {
			t.Errorf("dt=%s: no consent requests", dt)
		}
		today := map[string]bool{}
		for _, c := range reqs {
			lines++
			if c.Scope != "marketing" || !reUser.MatchString(c.UserID) || !reTS.MatchString(c.TS) || !strings.HasPrefix(c.TS, dt) {
				t.Errorf("dt=%s: request %+v", dt, c)
			}
			if today[c.UserID] {
				t.Errorf("dt=%s: two requests of one consumer", dt)
			}
			today[c.UserID] = true
			// Requests end a session: the consumer was active that day.
			if first, ok := f.active[dt][c.UserID]; !ok || first > ms(t, c.TS) {
				t.Errorf("dt=%s: request at %s without an event of the consumer before it", dt, c.TS)
			}
			switch c.Action {
			case "withdraw":
				withdrawals++
				if !state[c.UserID] {
					t.Errorf("dt=%s: withdrawal by a consumer who is not opted out", dt)
				}
				state[c.UserID] = false
			case "", "opt_out":
				if c.Action == "" {
					implicit++
				}
				if state[c.UserID] {
					t.Errorf("dt=%s: opt-out by a consumer already opted out", dt)
				}
				state[c.UserID] = true
			default:
				t.Errorf("dt=%s: action %q", dt, c.Action)
			}
		}
		truth := f.truth[dt]
		if len(truth) != len(state) {
			t.Errorf("dt=%s: truth lists %d consumers, the feed %d", dt, len(truth), len(state))
		}
		for u, out := range state {
			if tr, ok := truth[u]; !ok || tr.OptedOut != out {
				t.Errorf("dt=%s: truth %+v, feed says opted out %v", dt, tr, out)
			}
		}
	}
	if lines != fixtureSum.OptOuts || withdrawals != fixtureSum.Withdrawals {
		t.Errorf("summary: %d requests, %d withdrawals; feed: %d, %d", fixtureSum.OptOuts, fixtureSum.Withdrawals, lines, withdrawals)
	}
	if implicit == 0 || implicit == lines-withdrawals {
		t.Errorf("%d of %d opt-outs leave the action out; want some of each form", implicit, lines-withdrawals)
	}
}

// TestDemoConsentHistory: the demo's two days hold an opt-out on day 2 by
// a consumer active on day 1, and a withdrawal on day 2 of a day-1
// opt-out, and opted-out consumers keep browsing.
func TestDemoConsentHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the demo's 200k events")
	}
	// The demo's days (veil demo: 200k events, seed 42), without gzip and
	// chats: neither changes an event or a consent request, since chats
	// draw from their own stream.
	dir := t.TempDir()
	if _, err := Generate(context.Background(), Config{Out: dir, Start: DefaultStart, Days: 2, Events: 200_000, Seed: 42, ChatRatio: -1}); err != nil {
		t.Fatal(err)
	}
	f := readConsent(t, dir)
	d1, d2 := DefaultStart.Format(time.DateOnly), DefaultStart.AddDate(0, 0, 1).Format(time.DateOnly)
	lateOptOuts, withdrawals, keptBrowsing := 0, 0, 0
	for _, c := range f.requests[d2] {
		_, wasActive := f.active[d1][c.UserID]
		before, known := f.truth[d1][c.UserID]
		switch {
		case c.Action != "withdraw" && wasActive && !known:
			lateOptOuts++
		case c.Action == "withdraw" && known && before.OptedOut:
			withdrawals++
		}
	}
	for u, tr := range f.truth[d1] {
		if _, ok := f.active[d2][u]; ok && tr.OptedOut {
			keptBrowsing++
		}
	}
	t.Logf("day 2: %d first opt-outs of day-1 consumers, %d withdrawals of day-1 opt-outs; %d day-1 opt-outs active on day 2", lateOptOuts, withdrawals, keptBrowsing)
	if lateOptOuts == 0 || withdrawals == 0 || keptBrowsing == 0 {
		t.Error("the demo lacks a day-2 opt-out of a day-1 consumer, a day-2 withdrawal, or an opted-out consumer who keeps browsing")
	}
}
