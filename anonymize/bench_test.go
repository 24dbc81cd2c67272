package anonymize

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchEvents simulates the identifier columns of an event stream: n events
// drawn from users with a Zipf-like skew (a few heavy users, a long tail),
// each user with a fixed device, IP, card, email and phone. Like a decoder,
// every event has its own copy of its values, laid out in event order: the
// raw strings are fresh, the cache is what repeats. The events hold offsets,
// not strings, so the benchmark's own data adds no pointers for the GC.
func benchEvents(users, n int) *eventStream {
	r := rand.New(rand.NewPCG(1, 2))
	profiles := make([][6]string, users)
	for u := range profiles {
		profiles[u] = [6]string{
			fmt.Sprintf("u%08d", u),
			fmt.Sprintf("dev-%016x", r.Uint64()),
			fmt.Sprintf("%d.%d.%d.%d", r.IntN(223)+1, r.IntN(256), r.IntN(256), r.IntN(256)),
			fmt.Sprintf("6222%012d", r.Int64N(1e12)),
			fmt.Sprintf("user%d@example.com", u),
			fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1e9)),
		}
	}
	z := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.07, 2, uint64(users-1))
	var arena strings.Builder
	es := &eventStream{ends: make([][6]uint32, n)}
	for i := range es.ends {
		for f, v := range profiles[z.Uint64()] {
			arena.WriteString(v)
			es.ends[i][f] = uint32(arena.Len())
		}
	}
	es.arena = arena.String()
	return es
}

type eventStream struct {
	arena string
	ends  [][6]uint32 // end offset of each field value in arena
}

// event returns the six values of event i (mod n).
func (es *eventStream) event(i int) (ev [6]string) {
	i %= len(es.ends)
	from := uint32(0)
	if i > 0 {
		from = es.ends[i-1][5]
	}
	for f, to := range es.ends[i] {
		ev[f] = es.arena[from:to]
		from = to
	}
	return ev
}

func ptr[T any](v T) *T { return &v }

var benchFields = [6]string{"user_id", "device_id", "ip", "payment_card", "email", "phone"}

// tokenizeEvent makes the six tokens of one event: reversible for the
// identifiers that may need re-identification, one-way for the rest.
func tokenizeEvent(w interface {
	Reversible(string, string) string
	OneWay(string, string) string
}, ev *[6]string) {
	w.Reversible(benchFields[0], ev[0])
	w.Reversible(benchFields[1], ev[1])
	w.OneWay(benchFields[2], ev[2])
	w.Reversible(benchFields[3], ev[3])
	w.OneWay(benchFields[4], ev[4])
	w.OneWay(benchFields[5], ev[5])
}

// BenchmarkTokenize: 50k distinct users over 1M events (6M tokens per pass).
// One b.N iteration is one event. Sub-benchmarks: one Worker; parallel
// Workers (one per goroutine, GOMAXPROCS goroutines); the shared Tokenizer
// under the same parallelism; and no cache (pure Tink cost).
func BenchmarkTokenize(b *testing.B) {
	const users, n = 50_000, 1_000_000
	events := benchEvents(users, n)
	set := newSet(b)
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.N)*6/b.Elapsed().Seconds(), "tokens/s")
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	}
	b.Run("worker", func(b *testing.B) {
		tok, _ := NewTokenizer(set)
		w := tok.Worker()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			tokenizeEvent(w, ptr(events.event(i)))
		}
		report(b)
	})
	b.Run("workers-parallel", func(b *testing.B) {
		tok, _ := NewTokenizer(set)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := tok.Worker()
			i := rand.IntN(n)
			for pb.Next() {
				tokenizeEvent(w, ptr(events.event(i)))
				i++
			}
		})
		report(b)
	})
	b.Run("shared-parallel", func(b *testing.B) {
		tok, _ := NewTokenizer(set)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(n)
			for pb.Next() {
				tokenizeEvent(tok, ptr(events.event(i)))
				i++
			}
		})
		report(b)
	})
	b.Run("uncached", func(b *testing.B) {
		tok, _ := NewTokenizer(set, WithCacheSize(0))
		w := tok.Worker()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			tokenizeEvent(w, ptr(events.event(i)))
		}
		report(b)
	})
}
