package dp

import (
	"crypto/rand"
	"io"
	"testing"
)

// countingReader counts Read calls, the unit crypto/rand charges by.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// BenchmarkDiscreteLaplace draws from crypto/rand, as production does.
func BenchmarkDiscreteLaplace(b *testing.B) {
	for _, es := range []string{"0.1", "1", "10"} {
		b.Run("eps="+es, func(b *testing.B) {
			eps := mustEps(b, es)
			r := &countingReader{r: rand.Reader}
			s := Sampler{Rand: r}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.DiscreteLaplace(eps); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(r.reads)/float64(b.N), "reads/op")
		})
	}
}
