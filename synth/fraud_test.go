package synth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type evRec struct {
	EventID  string  `json:"event_id"`
	TS       string  `json:"ts"`
	Type     string  `json:"type"`
	UserID   string  `json:"user_id"`
	DeviceID string  `json:"device_id"`
	IP       string  `json:"ip"`
	Merchant string  `json:"merchant_id"`
	Coupon   string  `json:"coupon_id"`
	Live     string  `json:"live_session_id"`
	Card     string  `json:"payment_card"`
	Amount   float64 `json:"amount"`
	Birth    string  `json:"birth_date"`
}

var fixtureEvents struct {
	once sync.Once
	evs  []evRec
}

// validEvents returns the fixture's well-formed, first-seen events, read
// once for all tests; callers must not modify them.
func validEvents(t *testing.T) []evRec {
	t.Helper()
	fixtureEvents.once.Do(func() { fixtureEvents.evs = readValidEvents(t) })
	if fixtureEvents.evs == nil {
		t.Fatal("fixture events could not be read")
	}
	return fixtureEvents.evs
}

func readValidEvents(t *testing.T) []evRec {
	t.Helper()
	var out []evRec
	seen := map[string]bool{}
	for dt, lines := range feedLines(t, "events") {
		for _, line := range lines {
			if reason, _ := classify(line, dt); reason != "" {
				continue
			}
			var e evRec
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatal(err)
			}
			if !seen[e.EventID] {
				seen[e.EventID] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func truthInstances(t *testing.T) []fraudInstance {
	t.Helper()
	var out []fraudInstance
	for _, line := range readLines(t, filepath.Join(fixtureDir, "truth", "ground_truth.jsonl")) {
		var f fraudInstance
		if err := json.Unmarshal(line, &f); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

func ms(t *testing.T, ts string) int64 {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixMilli()
}

func TestFraudPatternsInEvents(t *testing.T) {
	evs := validEvents(t)
	byUser := map[string][]evRec{}
	liveFirst := map[string]int64{}
	for _, e := range evs {
		byUser[e.UserID] = append(byUser[e.UserID], e)
		if e.Live != "" {
			if v, ok := liveFirst[e.Live]; !ok || ms(t, e.TS) < v {
				liveFirst[e.Live] = ms(t, e.TS)
			}
		}
	}
	insts := truthInstances(t)
	perDay := map[string]map[string]int{}
	for _, f := range insts {
		if perDay[f.Dt] == nil {
			perDay[f.Dt] = map[string]int{}
		}
		perDay[f.Dt][f.Pattern]++
		if len(f.UserIDs) == 0 || len(f.DeviceIDs) == 0 || len(f.IPs) == 0 || f.WindowStart > f.WindowEnd {
			t.Errorf("%s: incomplete truth %+v", f.InstanceID, f)
		}
		for _, c := range f.Cards {
			if !luhnValid(c) {
				t.Errorf("%s: card %s fails Luhn", f.InstanceID, c)
			}
		}
		from, to := ms(t, f.WindowStart), ms(t, f.WindowEnd)
		switch f.Pattern {
		case PatternCouponRing:
			if n := len(f.UserIDs); n < 20 || n > 50 {
				t.Errorf("%s: %d accounts", f.InstanceID, n)
			}
			for _, u := range f.UserIDs {
				kinds := map[string]bool{}
				for _, e := range byUser[u] {
					if e.DeviceID != f.DeviceIDs[0] {
						t.Errorf("%s: %s used device %s", f.InstanceID, u, e.DeviceID)
					}
					if e.Type == "coupon_redeem" || e.Type == "purchase" {
						if e.Coupon != f.CouponIDs[0] {
							t.Errorf("%s: %s %s without the ring coupon", f.InstanceID, u, e.Type)
						}
					}
					kinds[e.Type] = true
				}
				// A replayed or spoiled line may hide one event; most have all.
				if !kinds["register"] && !kinds["coupon_redeem"] {
					t.Errorf("%s: %s neither registered nor redeemed", f.InstanceID, u)
				}
			}
			if to-from > 3*3_600_000 {
				t.Errorf("%s: window %s..%s too long", f.InstanceID, f.WindowStart, f.WindowEnd)
			}
		case PatternCredStuffing:
			failed, ok := 0, 0
			for _, u := range f.UserIDs {
				for _, e := range byUser[u] {
					if ts := ms(t, e.TS); ts >= from && ts <= to && contains(f.IPs, e.IP) {
						switch e.Type {
						case "login_failed":
							failed++
						case "login":
							ok++
						}
					}
				}
			}
			if failed < 200 || ok == 0 || len(f.CompromisedUserIDs) == 0 || to-from > 20*60_000 {
				t.Errorf("%s: %d failed and %d good logins from the attack IPs over %v", f.InstanceID, failed, ok, time.Duration(to-from)*time.Millisecond)
			}
		case PatternCardTesting:
			cards := map[string]bool{}
			success := false
			for _, e := range byUser[f.UserIDs[0]] {
				switch e.Type {
				case "payment_failed":
					cards[e.Card] = true
					if e.Amount > 5 {
						t.Errorf("%s: test amount %.2f", f.InstanceID, e.Amount)
					}
				case "payment":
					success = true
				}
			}
			if len(cards) < 15 || !success {
				t.Errorf("%s: %d cards tried, success %v", f.InstanceID, len(cards), success)
			}
		case PatternLiveBots:
			start, ok := liveFirst[f.LiveSessionID]
			if !ok {
				t.Fatalf("%s: live session %s not in events", f.InstanceID, f.LiveSessionID)
			}
			for _, u := range f.UserIDs {
				for _, e := range byUser[u] {
					if e.Type == "purchase" {
						if d := ms(t, e.TS) - start; d < 1000 || d > 5000 {
							t.Errorf("%s: bot %s ordered %dms after the stream's first event", f.InstanceID, u, d)
						}
					}
				}
			}
		default:
			t.Errorf("unknown pattern %q", f.Pattern)
		}
	}
	for _, dt := range fixtureDates() {
		for _, p := range []string{PatternCouponRing, PatternCredStuffing, PatternCardTesting, PatternLiveBots} {
			if perDay[dt][p] == 0 {
				t.Errorf("dt=%s: no %s in truth", dt, p)
			}
		}
	}

	// Organic live buyers order minutes after the stream starts; bots
	// seconds, and so do the fans of a live-start burst (in the truth).
	fans := map[string]bool{}
	for _, lg := range truthLookalikes(t) {
		if lg.Kind == LookLiveStartBurst {
			for _, u := range lg.UserIDs {
				fans[lg.LiveSessionID+"/"+u] = true
			}
		}
	}
	bots := map[string]bool{}
	for _, f := range insts {
		if f.Pattern == PatternLiveBots {
			for _, u := range f.UserIDs {
				bots[u] = true
			}
		}
	}
	for _, e := range evs {
		if e.Type == "purchase" && e.Live != "" && !bots[e.UserID] && !fans[e.Live+"/"+e.UserID] {
			if d := ms(t, e.TS) - liveFirst[e.Live]; d < 120_000 {
				t.Errorf("organic buyer %s ordered %dms into live %s", e.UserID, d, e.Live)
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestLabelsOptOutsAppeals(t *testing.T) {
	fraudsters := map[string]time.Time{} // account -> end of its fraud window
	labelled := 0
	for _, f := range truthInstances(t) {
		if f.Pattern == PatternCredStuffing {
			continue
		}
		end, _ := time.Parse(time.RFC3339Nano, f.WindowEnd)
		for _, u := range f.UserIDs {
			fraudsters[u] = end
		}
		labelled += len(f.LabelledUserIDs) + len(f.PendingLabelUserIDs)
	}
	if share := float64(labelled) / float64(len(fraudsters)); share < 0.4 || share > 0.8 {
		t.Errorf("%.2f of fraud accounts labelled, want about 0.6", share)
	}
	n := 0
	for dt, lines := range feedLines(t, "labels") {
		for _, line := range lines {
			var l struct{ UserID, Label, KnownAt, Source string }
			var raw map[string]string
			if err := json.Unmarshal(line, &raw); err != nil {
				t.Fatal(err)
			}
			l.UserID, l.Label, l.KnownAt, l.Source = raw["user_id"], raw["label"], raw["known_at"], raw["source"]
			at, err := time.Parse(time.RFC3339Nano, l.KnownAt)
			end, ok := fraudsters[l.UserID]
			switch {
			case err != nil || l.Label != "fraud" || l.Source == "":
				t.Errorf("label %s", line)
			case !ok:
				t.Errorf("label for %s, not a fraud account", l.UserID)
			case at.Before(end.Add(2 * time.Hour)):
				t.Errorf("label for %s known at %s, under 2h after the fraud ended at %s", l.UserID, at, end)
			case at.UTC().Format(time.DateOnly) != dt:
				t.Errorf("label known at %s in partition %s", l.KnownAt, dt)
			}
			n++
		}
	}
	if n != fixtureSum.Labels || n == 0 {
		t.Errorf("labels: %d lines, summary says %d", n, fixtureSum.Labels)
	}

	optouts := 0
	for _, lines := range feedLines(t, "optouts") {
		for _, line := range lines {
			var o map[string]string
			if err := json.Unmarshal(line, &o); err != nil || o["scope"] != "marketing" || !reUser.MatchString(o["user_id"]) || !reTS.MatchString(o["ts"]) {
				t.Errorf("opt-out %s", line)
			}
			optouts++
		}
	}
	if optouts != fixtureSum.OptOuts || optouts == 0 {
		t.Errorf("opt-outs: %d lines, summary says %d", optouts, fixtureSum.OptOuts)
	}

	appeals := 0
	for _, lines := range feedLines(t, "appeals") {
		for _, line := range lines {
			var a map[string]string
			if err := json.Unmarshal(line, &a); err != nil || a["appeal_id"] == "" || a["statement"] == "" || !reUser.MatchString(a["user_id"]) {
				t.Errorf("appeal %s", line)
			}
			appeals++
		}
	}
	if appeals != fixtureSum.Appeals || appeals == 0 {
		t.Errorf("appeals: %d lines, summary says %d", appeals, fixtureSum.Appeals)
	}
	if b, err := os.ReadFile(filepath.Join(fixtureDir, "truth", "appeals.jsonl")); err != nil || len(b) == 0 {
		t.Errorf("truth/appeals.jsonl: %v", err)
	}
}
