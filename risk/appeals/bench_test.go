package appeals

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkDecide appends decisions: each verifies the whole log again
// under the lock (an edit since Open is caught), then MACs, writes, syncs
// and moves the anchor; so it slows as the log grows, by design.
func BenchmarkDecide(b *testing.B) {
	files, key := newLog(b)
	l, err := Open(files, key)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := Case{ID: fmt.Sprintf("ap-%d", i), UserToken: "r_x"}
		if _, err := l.Decide(c, Lift, "alice", "reviewed", t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkOpen reads and verifies a log of 300 decisions (about a year of them; building it costs an fsync each).
func BenchmarkOpen(b *testing.B) {
	const n = 300
	files, key := newLog(b)
	l, err := Open(files, key)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := l.Decide(Case{ID: fmt.Sprintf("ap-%d", i), UserToken: "r_x"}, Uphold, "alice", "reviewed", t0.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l, err := Open(files, key)
		if err != nil || l.Verify() != nil {
			b.Fatal(err, l.Verify())
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
