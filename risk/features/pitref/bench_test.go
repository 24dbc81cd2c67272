package pitref

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/veil-data/veil/risk/features"
)

// marketHistory is a million-event-scale stream over 35 days shaped like
// real traffic for the audit's cost: households sharing devices, carrier IP
// churn and office NATs that join most users into one giant component, and
// a few hot live sessions. Its last day's scored events are the ones a
// daily build would audit.
func marketHistory(n int) ([]features.Event, []features.Label) {
	r := rand.New(rand.NewPCG(42, 42))
	users := n / 10
	types := []string{"view", "view", "view", "click", "cart", "login", "login", "login_failed", "purchase", "payment", "payment_failed", "coupon_redeem"}
	evs := make([]features.Event, n)
	for i := range evs {
		u := r.IntN(users)
		e := features.Event{ID: fmt.Sprintf("m%07d", i), TS: T0 + r.Int64N(35*day), Type: types[r.IntN(len(types))]}
		e.Keys[features.User] = fmt.Sprintf("u%d", u)
		e.Keys[features.Device] = fmt.Sprintf("d%d", u/2)
		if r.IntN(10) == 0 {
			e.Keys[features.Device] = fmt.Sprintf("d%d", r.IntN(users))
		}
		switch k := r.IntN(20); {
		case k == 0:
			e.Keys[features.IP] = fmt.Sprintf("nat%d", u%20)
		case k < 6:
			e.Keys[features.IP] = fmt.Sprintf("home%d", u)
		default:
			e.Keys[features.IP] = fmt.Sprintf("mob%d", r.IntN(users/3))
		}
		e.Keys[features.IP24] = e.Keys[features.IP][:len(e.Keys[features.IP])-1]
		switch e.Type {
		case "purchase", "payment", "payment_failed":
			e.Keys[features.Card] = fmt.Sprintf("c%d", u)
			e.Amount4, e.HasAmount = 1+r.Int64N(2_000_000), true
		}
		if r.IntN(50) == 0 {
			e.Live = fmt.Sprintf("live%d", r.IntN(50))
		}
		evs[i] = e
	}
	var ls []features.Label
	for u := 0; u < users; u += 100 {
		ls = append(ls, features.Label{User: fmt.Sprintf("u%d", u), KnownAt: T0 + r.Int64N(35*day)})
	}
	return evs, ls
}

// BenchmarkAudit times the leakage audit of 200 rows of the last day over
// a million events of history: the index is built once per build, then the
// rows are recomputed. go test -run '^$' -bench Audit ./risk/features/pitref/
func BenchmarkAudit(b *testing.B) {
	const n, sample = 1_000_000, 200
	hist, labels := marketHistory(n)
	last := features.Day(T0 + 35*day - 1)
	var rows []Checked
	for _, e := range hist {
		if e.TS >= last && features.IsScored(e.Type) && len(rows) < sample {
			rows = append(rows, Checked{Event: e})
		}
	}
	b.ReportAllocs()
	var build, audit time.Duration
	for b.Loop() {
		start := time.Now()
		ix := NewIndex(hist, labels)
		build += time.Since(start)
		start = time.Now()
		evs := make([]features.Event, len(rows))
		for i, r := range rows {
			evs[i] = r.Event
		}
		for i, row := range ix.Rows(evs) {
			rows[i].Row = row
		}
		if ms := ix.Audit(rows); len(ms) > 0 {
			b.Fatalf("%d mismatches", len(ms))
		}
		audit += time.Since(start) / 2 // Rows and Audit: two recomputations
	}
	b.ReportMetric(build.Seconds()/float64(b.N), "index-s")
	b.ReportMetric(audit.Seconds()/float64(b.N), "audit200-s")
	b.ReportMetric(float64(sample*b.N)/audit.Seconds(), "rows/s")
}

// BenchmarkCompute times the naive reference on the adversarial stream a
// property test would use.
func BenchmarkCompute(b *testing.B) {
	hist, labels := RandomStream(1, 2000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Compute(hist, labels, hist[i%len(hist)])
		i++
	}
}
