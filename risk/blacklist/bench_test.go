package blacklist

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/sinks"
)

// benchFlags is a month of flags on 20k tokens: a day's risk list of a
// busy platform, many tokens flagged once and some repeatedly.
func benchFlags(n int) []Flag {
	r := rand.New(rand.NewPCG(1, 2))
	fs := make([]Flag, n)
	for i := range fs {
		fs[i] = Flag{Entity: features.Entity(r.IntN(2)), Token: fmt.Sprintf("tok-%05d", r.IntN(20000)),
			Reason: "VELOCITY", Severity: 1 + r.IntN(4), Block: r.IntN(4) == 0, Source: "rule:x@v1",
			EventID: fmt.Sprintf("ev-%07d", i), At: t0 + r.Int64N(30*day)}
	}
	return fs
}

// BenchmarkFold folds 100k flags (printed: flags/s).
func BenchmarkFold(b *testing.B) {
	p := mustPolicy(b, testPolicy)
	fs := benchFlags(100_000)
	b.ReportAllocs()
	for b.Loop() {
		var l List
		if _, err := l.Fold(p, "bench", fs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(fs)*b.N)/b.Elapsed().Seconds(), "flags/s")
}

// BenchmarkLookup asks the list at random moments, as a training set of
// events would (printed: lookups/s).
func BenchmarkLookup(b *testing.B) {
	var l List
	if _, err := l.Fold(mustPolicy(b, testPolicy), "bench", benchFlags(100_000), nil); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	qs := make([]Flag, 4096)
	for i := range qs {
		qs[i] = Flag{Entity: features.Entity(r.IntN(2)), Token: fmt.Sprintf("tok-%05d", r.IntN(20000)), At: t0 + r.Int64N(30*day)}
	}
	b.ReportAllocs()
	hits, n := 0, 0
	for b.Loop() {
		q := &qs[n%len(qs)]
		if _, ok := l.LookupBefore(q.Entity, q.Token, q.At); ok {
			hits++
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lookups/s")
	b.ReportMetric(float64(len(l.Entries)), "entries")
}

// BenchmarkWriteRead commits the list to a warehouse and reads it back
// (printed: rows/s).
func BenchmarkWriteRead(b *testing.B) {
	var l List
	if _, err := l.Fold(mustPolicy(b, testPolicy), "bench", benchFlags(100_000), nil); err != nil {
		b.Fatal(err)
	}
	w, err := sinks.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	mem := memory.NewGoAllocator()
	ctx := context.Background()
	rows := 1 + len(l.Entries) + len(l.Pending)
	b.ReportAllocs()
	for b.Loop() {
		commitDay(b, w, mem, &l, "2026-11-30")
		if _, _, ok, err := Latest(ctx, w, mem, time.UnixMilli(t0+30*day)); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows), "rows")
}

// FuzzParsePolicy: any input is refused with an error or gives a policy
// that admits somehow and expires every entry after a positive time.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(testPolicy))
	f.Add([]byte("admission:\n  block_severity: none\n  reviews: 3\n  review_window: 12h\nexpiry:\n  default: 1d\n"))
	f.Add([]byte("expiry: {default: 30d, reasons: {X: 2h}}\nadmission: {block_severity: low}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePolicy(b)
		if err != nil {
			return
		}
		if p.BlockSeverity() == 0 && p.Reviews() == 0 {
			t.Fatal("a policy that admits nothing was accepted")
		}
		if p.Expiry("ANY") <= 0 || (p.Reviews() > 0 && p.ReviewWindow() <= 0) {
			t.Fatal("a non-positive duration was accepted")
		}
		_ = p.Fingerprint()
	})
}
