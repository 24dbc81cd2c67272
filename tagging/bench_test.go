package tagging

import (
	"context"
	"fmt"
	"github.com/veil-data/veil/internal/cputime"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/heappeak"
	"github.com/veil-data/veil/internal/testtags"
	"github.com/veil-data/veil/internal/testwarehouse"
)

// BenchmarkTags times one run of the tags stage (registry, scan, fold,
// evaluate, write both datasets) over a generated 30-day window of
// $VEIL_BENCH_CONSUMERS consumers (default testtags.DefaultConsumers),
// ~4 events each. Generation is not timed. peak-heap-MiB is the
// high-water mark of the Go heap's objects sampled every 10 ms during the
// run, peak-live-MiB of what garbage collections found live
// (heappeak.Sampler); evals and memo-hits are the stage's own counts
// of CEL evaluations and memoised results; cpu-s is the process's CPU
// seconds during the run, steadier than ns/op on a shared machine.
func BenchmarkTags(b *testing.B) {
	n := testtags.ConsumersFromEnv(b, testtags.DefaultConsumers)
	mem := memory.NewGoAllocator()
	world := testtags.Open(b, mem, n)
	s := Stage{}
	summary := &summaryHandler{attrs: map[string]int64{}}
	var peak, live float64
	var cpu time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		job := testwarehouse.Job(b, world.Warehouse, mem, s, world.Day, fmt.Sprintf("bench-tags-%d", i))
		job.Log = slog.New(summary)
		runtime.GC() // the generator's garbage is not the stage's
		h, c0 := heappeak.Start(), cputime.Used()
		b.StartTimer()
		if err := s.Run(context.Background(), job); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cputime.Used() - c0
		o, l := h.Stop()
		peak, live = max(peak, o), max(live, l)
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	events := summary.attrs["events"]
	if events != world.Events {
		b.Fatalf("the stage read %d events, %d were generated", events, world.Events)
	}
	b.ReportMetric(float64(world.Consumers), "consumers")
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(float64(world.Consumers)/sec, "consumers/s")
	b.ReportMetric(float64(events)/sec, "events/s")
	b.ReportMetric(float64(summary.attrs["cel_evaluations"]), "evals")
	b.ReportMetric(float64(summary.attrs["memo_hits"]), "memo-hits")
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(live, "peak-live-MiB")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
}

// summaryHandler keeps the integer attributes of the stage's summary log
// line: the counts the benchmark reports come from the stage itself.
type summaryHandler struct{ attrs map[string]int64 }

func (h *summaryHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *summaryHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "consumer tags committed" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Value.Kind() == slog.KindInt64 {
				h.attrs[a.Key] = a.Value.Int64()
			}
			return true
		})
	}
	return nil
}

func (h *summaryHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *summaryHandler) WithGroup(string) slog.Handler      { return h }
