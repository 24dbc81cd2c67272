package audience

import (
	"context"
	"errors"
	"github.com/veil-data/veil/internal/cputime"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/heappeak"
	"github.com/veil-data/veil/internal/testtags"
	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/tagging"
)

// BenchmarkAudience times one Select of beautyHigh (a size query: no
// members collected) over the tags of the generated world of
// BenchmarkTags ($VEIL_BENCH_CONSUMERS consumers), for the merchant with
// the most consumers and for a merchant with platform reach (every
// consumer a candidate). Select reads all of consumer_merchant_tags and
// consumer_tags either way; consumers/s is consumer_tags rows a second.
// The reach merchant has no relationships, so its membership is null and
// the audience empty: the cost is the scan. The tags are computed first,
// untimed, unless $VEIL_BENCH_DIR holds them. Metrics as BenchmarkTags.
func BenchmarkAudience(b *testing.B) {
	n := testtags.ConsumersFromEnv(b, testtags.DefaultConsumers)
	mem := memory.NewGoAllocator()
	world := testtags.Open(b, mem, n)
	spec := tagging.DefaultSpec()
	ctx := context.Background()
	d, err := OpenData(ctx, world.Warehouse, mem, spec, testtags.DT)
	if errors.Is(err, ErrNoTags) {
		s := tagging.Stage{Spec: spec}
		if err := s.Run(ctx, testwarehouse.Job(b, world.Warehouse, mem, s, world.Day, "bench-tags")); err != nil {
			b.Fatal(err)
		}
		d, err = OpenData(ctx, world.Warehouse, mem, spec, testtags.DT)
	}
	if err != nil {
		b.Fatal(err)
	}
	rows := func(ds schemas.Dataset) int64 {
		m, err := world.Warehouse.Manifest(ds, sinks.Partition{DT: testtags.DT})
		if err != nil {
			b.Fatal(err)
		}
		return m.Rows
	}
	consumers, pairs := rows(spec.ConsumerTags()), rows(spec.ConsumerMerchantTags())
	e, err := Compile(spec, beautyHigh)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, merchant string
		reach          bool
	}{{"largest", world.Largest, false}, {"reach", "m-wide", true}} {
		b.Run(c.name, func(b *testing.B) {
			var sel *Selection
			var peak, live float64
			var cpu time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				runtime.GC()
				h, c0 := heappeak.Start(), cputime.Used()
				b.StartTimer()
				sel, err = d.Select(ctx, c.merchant, c.reach, e, false, nil, "")
				b.StopTimer()
				cpu += cputime.Used() - c0
				o, l := h.Stop()
				peak, live = max(peak, o), max(live, l)
				if err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(consumers), "consumers")
			b.ReportMetric(float64(pairs), "pairs")
			b.ReportMetric(float64(consumers)/sec, "consumers/s")
			b.ReportMetric(float64(sel.Candidates), "candidates")
			b.ReportMetric(float64(sel.Count), "members")
			b.ReportMetric(peak, "peak-heap-MiB")
			b.ReportMetric(live, "peak-live-MiB")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
		})
	}
}
