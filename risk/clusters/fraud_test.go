package clusters

import (
	"context"
	"fmt"
	"maps"
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
		testwarehouse.WriteEvents(t, w, mem, last, testwarehouse.LandingDay(t, dir, day, seen))
		s := risk.Stage{}
		if err := s.Run(context.Background(), testwarehouse.Job(t, w, mem, s, day, "run-risk-"+last)); err != nil {
			t.Fatal(err)
		}
	}
	s := Stage{}
	err := s.Run(context.Background(), testwarehouse.Job(t, w, mem, s, synth.DefaultStart.AddDate(0, 0, days-1), "run-clusters"))
	skipIfUnbuilt(t, err)
	rows := readClusters(t, w, mem, last)

	truth, err := synth.ReadTruth(dir)
	if err != nil {
		t.Fatal(err)
	}
	group := map[string]string{} // user -> pattern, or "lookalike <kind>"
	for u, kind := range truth.Lookalike {
		group[u] = "lookalike " + kind
	}
	for u, p := range truth.Fraud {
		group[u] = p
	}
	for u, p := range truth.Compromised {
		group[u] = p
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
