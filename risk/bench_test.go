package risk

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
)

const benchEvents, benchUsers = 1_000_000, 50_000

// benchDays returns benchEvents synthetic events of benchUsers users, by
// day offset back from dt, over the 7-day window. Most users keep to one or
// two devices; one in fifty shares a device with its neighbours, as
// coupon-abuse rings do.
func benchDays() [][]testwarehouse.Event {
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := make([]string, benchUsers)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("AQ%032x", rng.Uint64()) // token-like, random order
	}
	types := []string{"view", "view", "view", "click", "cart", "login", "login", "login_failed", "purchase", "payment_failed"}
	days := make([][]testwarehouse.Event, 7)
	for i := range benchEvents {
		d := i % len(days)
		u := rng.IntN(benchUsers)
		dev := fmt.Sprintf("DV%08d-%d", u, rng.IntN(2))
		if u%50 == 0 {
			dev = fmt.Sprintf("DV-ring-%06d", u/500)
		}
		days[d] = append(days[d], testwarehouse.Event{
			TS:     asOf.AddDate(0, 0, -d).Add(-time.Duration(rng.Int64N(int64(24 * time.Hour)))),
			Type:   types[rng.IntN(len(types))],
			User:   tokens[u],
			Device: dev,
		})
	}
	return days
}

// BenchmarkStage runs the risk stage as a scheduled run does: scan the
// 7-day window from Parquet, fold, sort and write.
func BenchmarkStage(b *testing.B) {
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(b)
	for d, evs := range benchDays() {
		testwarehouse.WriteEvents(b, w, mem, date(-d), evs)
	}
	s := Stage{}
	b.ReportAllocs()
	start, n := time.Now(), 0
	for b.Loop() {
		n++
		job := testwarehouse.Job(b, w, mem, s, testwarehouse.Day(b, dt), fmt.Sprintf("bench-%d", n))
		if err := s.Run(context.Background(), job); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchEvents*n)/time.Since(start).Seconds(), "events/s")
}
