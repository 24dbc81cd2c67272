package dp

import (
	"crypto/rand"
	"errors"
	"io"
	"math"
	mrand "math/rand/v2"
	"strings"
	"testing"
)

// The tests draw from seeded ChaCha8 streams so that every run sees the
// same samples; a statistical failure is then a property of the code, not
// bad luck. Thresholds sit at p < 1e-6 (or 5σ) so a correct sampler passes
// with any seed and the seeds were not picked to pass.
func seeded(seed byte) Sampler {
	return Sampler{Rand: mrand.NewChaCha8([32]byte{seed})}
}

const rejectBelow = 1e-6

func TestDiscreteLaplace(t *testing.T) {
	for _, c := range []struct {
		eps   string
		n     int
		seed  byte
		wrong []string // hypotheses the same samples must be rejected against
	}{
		{"0.1", 200_000, 1, nil},
		{"1", 200_000, 2, []string{"1.2", "0.9"}},
		// s/t = 3/4 and 12/5: the ⌊X/s⌋ step with s > 1, which ε = 1/t skips.
		{"0.75", 100_000, 3, nil},
		{"2.4", 100_000, 4, nil},
	} {
		t.Run("eps="+c.eps, func(t *testing.T) {
			t.Parallel()
			eps := mustEps(t, c.eps)
			s := seeded(c.seed)
			n := float64(c.n)
			ys := make([]int64, c.n)
			for i := range ys {
				y, err := s.DiscreteLaplace(eps)
				if err != nil {
					t.Fatal(err)
				}
				ys[i] = y
			}

			stat, df, p := fitLaplace(ys, eps.Float64())
			t.Logf("ε=%s: χ²=%.1f df=%d p=%.3g", eps, stat, df, p)
			if p < rejectBelow {
				t.Errorf("ε=%s: samples do not fit the discrete Laplace pmf (p=%.3g)", eps, p)
			}
			for _, w := range c.wrong {
				stat, df, p := fitLaplace(ys, mustEps(t, w).Float64())
				t.Logf("negative control, sampled at ε=%s tested against ε=%s: χ²=%.1f df=%d p=%.3g (0: below float range)", eps, w, stat, df, p)
				if p >= rejectBelow {
					t.Errorf("the fit test cannot tell ε=%s from ε=%s (p=%.3g)", eps, w, p)
				}
			}

			// Mean 0 and variance 2q/(1-q)², within 5 standard errors.
			q := math.Exp(-eps.Float64())
			variance := 2 * q / ((1 - q) * (1 - q))
			var sum, sumSq float64
			var pos, neg int
			for _, y := range ys {
				sum += float64(y)
				sumSq += float64(y) * float64(y)
				if y > 0 {
					pos++
				} else if y < 0 {
					neg++
				}
			}
			mean := sum / n
			t.Logf("ε=%s: mean %.4f (±%.4f), variance %.2f (want %.2f), %d positive, %d negative",
				eps, mean, math.Sqrt(variance/n), sumSq/n-mean*mean, variance, pos, neg)
			if math.Abs(mean) > 5*math.Sqrt(variance/n) {
				t.Errorf("ε=%s: mean %.4f is more than 5 standard errors from 0", eps, mean)
			}
			// The sample variance has variance ≈ (μ4 - σ⁴)/n, with the fourth
			// moment μ4 = 2q(1+11q+11q²+q³)/((1+q)(1-q)⁴) from Σ y⁴qʸ.
			mu4 := 2 * q * (1 + 11*q + 11*q*q + q*q*q) / ((1 + q) * math.Pow(1-q, 4))
			if got := sumSq/n - mean*mean; math.Abs(got-variance) > 5*math.Sqrt((mu4-variance*variance)/n) {
				t.Errorf("ε=%s: variance %.3f, want %.3f", eps, got, variance)
			}
			// Given a nonzero sample, its sign is a fair coin.
			if d := float64(pos - neg); math.Abs(d) > 5*math.Sqrt(float64(pos+neg)) {
				t.Errorf("ε=%s: %d positive vs %d negative samples", eps, pos, neg)
			}
		})
	}
}

// fitLaplace is the chi-square goodness of fit of samples to the discrete
// Laplace pmf at eps.
func fitLaplace(ys []int64, eps float64) (stat float64, df int, p float64) {
	expected, bin := laplaceBins(eps, len(ys))
	observed := make([]int, len(expected))
	for _, y := range ys {
		observed[bin(y)]++
	}
	stat, df = chiSquare(observed, expected)
	return stat, df, chiSquareSF(stat, df)
}

func TestBernoulliExp(t *testing.T) {
	for _, c := range []struct{ num, den uint64 }{
		{0, 1}, {3, 10}, {1, 1}, {5, 2}, {7, 3},
		{1 << 63, math.MaxUint64}, // γ ≈ 0.5 with den·k overflowing at k = 2
	} {
		s := seeded(byte(c.num) ^ 3)
		const n = 100_000
		hits := 0
		for range n {
			b, err := s.BernoulliExp(c.num, c.den)
			if err != nil {
				t.Fatal(err)
			}
			if b {
				hits++
			}
		}
		p := math.Exp(-float64(c.num) / float64(c.den))
		freq := float64(hits) / n
		sigma := math.Sqrt(p * (1 - p) / n)
		t.Logf("γ=%d/%d: frequency %.5f, exp(-γ) %.5f, %.2fσ", c.num, c.den, freq, p, (freq-p)/max(sigma, 1e-300))
		if math.Abs(freq-p) > 5*sigma {
			t.Errorf("γ=%d/%d: frequency %.5f, want exp(-γ) = %.5f ± %.5f", c.num, c.den, freq, p, 5*sigma)
		}
	}
}

// byteCounter serves every k-byte string once, in order, then io.EOF.
type byteCounter struct {
	next, end uint64
	k         int
}

func (b *byteCounter) Read(p []byte) (int, error) {
	if len(p) != b.k {
		return 0, errors.New("read of an unexpected size")
	}
	if b.next == b.end {
		return 0, io.EOF
	}
	for i := range p {
		p[i] = byte(b.next >> (8 * (b.k - 1 - i)))
	}
	b.next++
	return b.k, nil
}

// Fed each possible byte string exactly once, uniform must return each
// value in [0, n) exactly as often as every other: unbiased by
// construction, not just statistically.
func TestUniformExhaustive(t *testing.T) {
	for _, n := range []uint64{2, 3, 6, 100, 128, 129, 255, 256, 257, 300, 1000, 40000} {
		k := (bitsLen(n-1) + 7) / 8
		src := &source{r: &byteCounter{end: 1 << (8 * k), k: k}}
		counts := make([]int, n)
		for {
			u, err := src.uniform(n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			counts[u]++
		}
		for v, c := range counts {
			if c != counts[0] || c == 0 {
				t.Fatalf("n=%d: value %d drawn %d times, value 0 %d times", n, v, c, counts[0])
			}
		}
	}
}

func bitsLen(x uint64) int {
	n := 0
	for ; x > 0; x >>= 1 {
		n++
	}
	return n
}

func TestUniformFit(t *testing.T) {
	for _, n := range []uint64{6, 1000} {
		s := seeded(byte(n))
		const draws = 100_000
		observed := make([]int, n)
		for range draws {
			u, err := s.uniform(n)
			if err != nil {
				t.Fatal(err)
			}
			observed[u]++
		}
		expected := make([]float64, n)
		for i := range expected {
			expected[i] = float64(draws) / float64(n)
		}
		stat, df := chiSquare(observed, expected)
		p := chiSquareSF(stat, df)
		t.Logf("uniform(%d): χ²=%.1f df=%d p=%.3g", n, stat, df, p)
		if p < rejectBelow {
			t.Errorf("uniform(%d) is not uniform: χ²=%.1f df=%d p=%.3g", n, stat, df, p)
		}
	}
	if _, err := (Sampler{}).uniform(0); err == nil {
		t.Error("uniform(0): want an error")
	}
	if u, err := (Sampler{Rand: failing{}}).uniform(1); u != 0 || err != nil {
		t.Errorf("uniform(1) = %d, %v; want 0 without reading", u, err)
	}
}

var errBroken = errors.New("entropy source broken")

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errBroken }

// failAfter serves good bytes for a while, one at a time, then fails.
type failAfter struct {
	left int
	r    io.Reader
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.left == 0 {
		return 0, errBroken
	}
	f.left--
	return f.r.Read(p[:1])
}

func TestReaderErrors(t *testing.T) {
	eps := mustEps(t, "0.5")
	s := Sampler{Rand: failing{}}
	if _, err := s.DiscreteLaplace(eps); !errors.Is(err, errBroken) {
		t.Errorf("DiscreteLaplace: err = %v, want the reader's error", err)
	}
	if _, err := s.NoisyCount(100, eps); !errors.Is(err, errBroken) {
		t.Errorf("NoisyCount: err = %v, want the reader's error", err)
	}
	if _, err := s.BernoulliExp(1, 2); !errors.Is(err, errBroken) {
		t.Errorf("BernoulliExp: err = %v, want the reader's error", err)
	}
	if _, err := s.uniform(10); !errors.Is(err, errBroken) {
		t.Errorf("uniform: err = %v, want the reader's error", err)
	}
	// Failing at every point inside a draw (and short reads throughout)
	// yields the error or a sample, never a panic or a made-up value.
	for left := range 64 {
		s := Sampler{Rand: &failAfter{left: left, r: mrand.NewChaCha8([32]byte{9})}}
		if _, err := s.DiscreteLaplace(eps); err != nil && !errors.Is(err, errBroken) {
			t.Errorf("failing after %d bytes: err = %v", left, err)
		}
	}
}

func TestNilRandIsCryptoRand(t *testing.T) {
	if r := (Sampler{}).source().r; r != rand.Reader {
		t.Fatalf("nil Rand reads from %T, want crypto/rand.Reader", r)
	}
	if _, err := (Sampler{}).NoisyCount(1000, mustEps(t, "1")); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidArguments(t *testing.T) {
	s := seeded(4)
	if _, err := s.DiscreteLaplace(Epsilon{}); !errors.Is(err, ErrEpsilon) {
		t.Errorf("zero Epsilon: err = %v, want ErrEpsilon", err)
	}
	if _, err := s.BernoulliExp(1, 0); err == nil {
		t.Error("BernoulliExp(1, 0): want an error")
	}
	if _, err := s.NoisyCount(-1, mustEps(t, "1")); err == nil {
		t.Error("NoisyCount(-1): want an error")
	}
	// MaxInt64 + positive noise overflows: an error, not a wrapped count.
	sawOverflow := false
	for range 100 {
		c, err := s.NoisyCount(math.MaxInt64, mustEps(t, "1"))
		if err != nil {
			sawOverflow = true
			if strings.Contains(err.Error(), "922337") {
				t.Fatalf("the error names the count: %v", err)
			}
		} else if c < 0 {
			t.Fatalf("NoisyCount(MaxInt64) wrapped to %d", c)
		}
	}
	if !sawOverflow {
		t.Error("NoisyCount(MaxInt64): no draw reported an overflow in 100 tries")
	}
}

// NoisyCount is the count plus exactly the draw DiscreteLaplace would make.
func TestNoisyCountAddsOneDraw(t *testing.T) {
	eps := mustEps(t, "0.25")
	a, b := seeded(5), seeded(5)
	for range 1000 {
		y, err := a.DiscreteLaplace(eps)
		if err != nil {
			t.Fatal(err)
		}
		c, err := b.NoisyCount(42, eps)
		if err != nil {
			t.Fatal(err)
		}
		if c != 42+y {
			t.Fatalf("NoisyCount(42) = %d, want 42 + %d", c, y)
		}
	}
}
