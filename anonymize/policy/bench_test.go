package policy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/schemas"
)

// BenchmarkApplyEvent: the default events policy on rows whose
// identifiers repeat as they do in a day of events (50k users with a
// Zipf-like skew, each with one device, IP, card, phone and e-mail), with
// real Tink keys. One op is one row: six tokens, an IP prefix and country,
// an amount bucket, an age band and a region. The per-worker token cache
// is what makes repeats cheap; "cold" disables it (every token computed).
func BenchmarkApplyEvent(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	kek, err := keys.InitKEK(filepath.Join(dir, "kek.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := keys.Init(ctx, filepath.Join(dir, "keys"), kek); err != nil {
		b.Fatal(err)
	}
	set, err := keys.Open(ctx, filepath.Join(dir, "keys"), kek)
	if err != nil {
		b.Fatal(err)
	}
	c, err := Default().Compile(schemas.Events)
	if err != nil {
		b.Fatal(err)
	}
	const users, n = 50000, 1 << 18
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.07, 2, users-1)
	recs := make([]*Record, n)
	ts := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC)
	for i := range recs {
		u := z.Uint64()
		rec := c.NewRecord()
		set := func(k, v string) {
			j, _ := c.Index(k)
			rec.Vals[j], rec.Present[j] = v, true
		}
		set("event_id", fmt.Sprintf("e%09d", i))
		set("ts", ts.Format(time.RFC3339Nano))
		set("type", "purchase")
		set("user_id", fmt.Sprintf("u%08d", u))
		set("device_id", fmt.Sprintf("dev-%016x", u*2654435761))
		set("ip", fmt.Sprintf("%d.%d.%d.%d", 1+u%223, u%256, (u/256)%256, (u*7)%256))
		set("payment_card", fmt.Sprintf("6222%012d", u))
		set("phone", fmt.Sprintf("138%08d", u))
		set("email", fmt.Sprintf("user%d@example.com", u))
		set("amount", "129.5")
		set("currency", "CNY")
		set("birth_date", "1990-05-17")
		set("shipping_address", "浙江省杭州市西湖区文三路90号")
		set("country", "CN")
		rec.TS = ts
		recs[i] = rec
	}
	for _, tc := range []struct {
		name  string
		cache int
	}{{"cached", anonymize.DefaultCacheSize}, {"cold", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			tok, err := anonymize.NewTokenizer(set, anonymize.WithCacheSize(tc.cache))
			if err != nil {
				b.Fatal(err)
			}
			w := tok.Worker()
			rows := c.NewRows(1)
			row := rows.Row(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				row.Clear()
				if err := c.Apply(w, recs[i%n], row); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
		})
	}
}
