package tagging

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
)

const benchEvents, benchUsers, benchMerchants = 1_000_000, 50_000, 2_000

// benchDays returns benchEvents synthetic events of benchUsers users, by
// day offset back from dt, over the 30-day window. Most events are at one
// of benchMerchants merchants, each user favouring a handful.
func benchDays(tb testing.TB) [][]mev {
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := make([]string, benchUsers)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("AQ%032x", rng.Uint64()) // token-like, random order
	}
	cats := make([]string, 40)
	for i := range cats {
		cats[i] = fmt.Sprintf("category-%02d", i)
	}
	types := []string{"view", "view", "view", "view", "click", "click", "fav", "cart", "purchase", "login"}
	ages := []string{"18-24", "25-34", "35-44", "45-54", "55+"}
	day := testwarehouse.Day(tb, dt)
	days := make([][]mev, 30)
	for i := range benchEvents {
		d := i % len(days)
		u := rng.IntN(benchUsers)
		e := testwarehouse.Event{
			TS:       day.AddDate(0, 0, -d).Add(time.Duration(rng.Int64N(int64(24 * time.Hour)))),
			Type:     types[rng.IntN(len(types))],
			User:     tokens[u],
			Device:   tokens[(u+1)%benchUsers],
			Category: cats[(u+rng.IntN(5))%len(cats)],
		}
		if e.Type == "purchase" && rng.IntN(3) == 0 {
			e.Coupon = "cpn"
		}
		if rng.IntN(10) == 0 {
			e.AgeBand, e.Country, e.Region = ages[u%len(ages)], "CN", "Zhejiang"
		}
		m := ""
		if e.Type != "login" {
			m = fmt.Sprintf("m%04d", (u*7+rng.IntN(4))%benchMerchants)
		}
		days[d] = append(days[d], mev{ev: e, Merchant: m})
	}
	return days
}

// BenchmarkStage runs the tags stage as a scheduled run does: scan the
// 30-day window from Parquet, fold, sort and write consumer tags, then
// tokenise and write the merchant audiences.
func BenchmarkStage(b *testing.B) {
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(b)
	for d, evs := range benchDays(b) {
		writeMerchantEvents(b, w, mem, testwarehouse.Day(b, dt).AddDate(0, 0, -d).Format(time.DateOnly), evs)
	}
	s := Stage{}
	keys := openKeys(b)
	b.ReportAllocs()
	start, n := time.Now(), 0
	for b.Loop() {
		n++
		job := newJob(b, w, mem, s, fmt.Sprintf("bench-%d", n), keys)
		if err := s.Run(context.Background(), job); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchEvents*n)/time.Since(start).Seconds(), "events/s")
}
