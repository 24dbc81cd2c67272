package clusters

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/synth"
)

// A measurement, not a threshold: on the generator's data, the share of
// the injected fraud users (per pattern) that risk_clusters flags (LOF
// outlier, DBSCAN noise or a small cluster) against the share of
// legitimate users and of their look-alikes (households, NAT groups, ...).
// Tokens are a bijection of raw ids, so the test writes raw ids where
// events_clean holds tokens and reads the ground truth by them.

type landingEvent struct {
	EventID string   `json:"event_id"`
	TS      string   `json:"ts"`
	Type    string   `json:"type"`
	UserID  string   `json:"user_id"`
	Device  string   `json:"device_id"`
	IP      string   `json:"ip"`
	Card    string   `json:"payment_card"`
	Live    string   `json:"live_session_id"`
	Amount  *float64 `json:"amount"`
}

// landingDay reads a generated day as ingest would accept it: parseable
// lines with a user, on the day, the first of each event_id.
func landingDay(t *testing.T, dir string, day time.Time, seen map[string]bool) []testwarehouse.Event {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "landing", "events", "dt="+day.Format(time.DateOnly), "*.jsonl"))
	var out []testwarehouse.Event
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var le landingEvent
			if json.Unmarshal(sc.Bytes(), &le) != nil || le.EventID == "" || le.UserID == "" || le.Type == "" || seen[le.EventID] {
				continue
			}
			ts, err := time.Parse(time.RFC3339Nano, le.TS)
			if err != nil || ts.UTC().Truncate(24*time.Hour) != day {
				continue
			}
			seen[le.EventID] = true
			e := testwarehouse.Event{ID: le.EventID, TS: ts.UTC(), Type: le.Type, User: le.UserID, Device: le.Device, Card: le.Card, Live: le.Live}
			if a, err := netip.ParseAddr(le.IP); err == nil {
				bits := 24
				if a.Is6() && !a.Is4In6() {
					bits = 48
				}
				p, _ := a.Prefix(bits)
				e.IP, e.IPPrefix = le.IP, p.String()
			}
			if le.Amount != nil && *le.Amount >= 0 {
				e.Amount = *le.Amount
			}
			out = append(out, e)
		}
		fh.Close()
	}
	return out
}

func readLines[T any](t *testing.T, path string) []T {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	return out
}

func TestFraudShareFlagged(t *testing.T) {
	if testing.Short() {
		t.Skip("generates two days of events and runs the risk stage on them")
	}
	dir := t.TempDir()
	if raceBuild {
		// Smaller days change the measurement (fraud outnumbers legitimate
		// users); the stage's concurrency is raced by the other tests.
		t.Skip("a measurement at 60k events a day: ~25 s under the race detector")
	}
	const days, perDay = 2, 60_000
	if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Days: days, Events: days * perDay, Seed: 7, ChatRatio: -1}); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(t)
	seen := map[string]bool{}
	var last string
	for d := range days {
		day := synth.DefaultStart.AddDate(0, 0, d)
		last = day.Format(time.DateOnly)
		testwarehouse.WriteEvents(t, w, mem, last, landingDay(t, dir, day, seen))
		s := risk.Stage{}
		if err := s.Run(context.Background(), testwarehouse.Job(t, w, mem, s, day, "run-risk-"+last)); err != nil {
			t.Fatal(err)
		}
	}
	s := Stage{}
	err := s.Run(context.Background(), testwarehouse.Job(t, w, mem, s, synth.DefaultStart.AddDate(0, 0, days-1), "run-clusters"))
	skipIfUnbuilt(t, err)
	rows := readClusters(t, w, mem, last)

	type instance struct {
		Pattern     string   `json:"pattern"`
		UserIDs     []string `json:"user_ids"`
		Compromised []string `json:"compromised_user_ids"`
	}
	type lookalike struct {
		Kind    string   `json:"kind"`
		UserIDs []string `json:"user_ids"`
	}
	group := map[string]string{} // user -> pattern, or "lookalike <kind>"
	for _, l := range readLines[lookalike](t, filepath.Join(dir, "truth", "lookalikes.jsonl")) {
		for _, u := range l.UserIDs {
			group[u] = "lookalike " + l.Kind
		}
	}
	for _, in := range readLines[instance](t, filepath.Join(dir, "truth", "ground_truth.jsonl")) {
		for _, u := range append(slices.Clone(in.UserIDs), in.Compromised...) {
			group[u] = in.Pattern
		}
	}
	type tally struct{ n, outlier, small, either int }
	by := map[string]*tally{}
	add := func(k string, r clusterRow) {
		if by[k] == nil {
			by[k] = &tally{}
		}
		c := by[k]
		c.n++
		if r.outlier {
			c.outlier++
		}
		if r.small {
			c.small++
		}
		if r.outlier || r.small {
			c.either++
		}
	}
	for _, r := range rows {
		g, ok := group[r.token]
		switch {
		case !ok:
			add("legitimate", r)
		case strings.HasPrefix(g, "lookalike "):
			add("legitimate", r)
			add(g, r)
		default:
			add("fraud (all patterns)", r)
			add("fraud "+g, r)
		}
	}
	pct := func(a, n int) string { return fmt.Sprintf("%5.1f%%", 100*float64(a)/float64(max(n, 1))) }
	var b strings.Builder
	fmt.Fprintf(&b, "risk_clusters/dt=%s, default configs/clusters.yaml: %d users clustered\n", last, len(rows))
	fmt.Fprintf(&b, "%-36s %6s %9s %14s %9s\n", "group", "users", "LOF out", "small/noise", "either")
	for _, k := range slices.Sorted(maps.Keys(by)) {
		c := by[k]
		fmt.Fprintf(&b, "%-36s %6d %9s %14s %9s\n", k, c.n, pct(c.outlier, c.n), pct(c.small, c.n), pct(c.either, c.n))
	}
	t.Log("\n" + b.String())
	f, l := by["fraud (all patterns)"], by["legitimate"]
	if f == nil || l == nil {
		t.Fatalf("no fraud or no legitimate users clustered: %v", slices.Sorted(maps.Keys(by)))
	}
	if float64(f.either)/float64(f.n) <= float64(l.either)/float64(l.n) {
		t.Errorf("fraud users flagged %s, legitimate %s: fraud should stand out more", pct(f.either, f.n), pct(l.either, l.n))
	}
}
