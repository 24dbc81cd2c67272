package dp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
)

// Sampler draws exact samples from uniform bytes.
//
// Rand is the source of uniform bytes; nil means crypto/rand.Reader, which
// is what production must use. A Sampler is safe for concurrent use when
// Rand is (crypto/rand.Reader is; a math/rand/v2 generator is not).
type Sampler struct {
	Rand io.Reader
}

// source reads uniform integers from a reader through one buffer, so a draw
// allocates once rather than once per integer.
type source struct {
	r   io.Reader
	buf [8]byte
}

func (s Sampler) source() *source {
	if s.Rand == nil {
		return &source{r: rand.Reader}
	}
	return &source{r: s.Rand}
}

// DiscreteLaplace returns Y with P(Y = y) = (1-e^-ε)/(1+e^-ε) · e^(-ε|y|):
// noise of scale 1/ε for a count of sensitivity 1. See the package doc for
// what one draw guarantees.
func (s Sampler) DiscreteLaplace(eps Epsilon) (int64, error) {
	if err := eps.valid(); err != nil {
		return 0, fmt.Errorf("dp: discrete laplace: %w", err)
	}
	num, den := eps.ratio()
	y, err := s.source().discreteLaplace(num, den)
	if err != nil {
		return 0, fmt.Errorf("dp: discrete laplace at ε=%s: %w", eps, err)
	}
	return y, nil
}

// NoisyCount returns trueCount (≥ 0) plus one draw of
// [Sampler.DiscreteLaplace], or an error if the sum would overflow int64.
// The answer is not clamped and can be negative: clamping it to ≥ 0 is
// post-processing that a caller may do without spending more ε. Store the
// answer and serve it again for a repeated question: every draw spends ε.
//
// Errors never contain the count or the noise, so logging them leaks
// neither.
func (s Sampler) NoisyCount(trueCount int64, eps Epsilon) (int64, error) {
	if trueCount < 0 {
		return 0, errors.New("dp: noisy count: the true count is negative")
	}
	y, err := s.DiscreteLaplace(eps)
	if err != nil {
		return 0, err
	}
	if y > 0 && trueCount > math.MaxInt64-y {
		return 0, errors.New("dp: noisy count: count plus noise overflows int64")
	}
	return trueCount + y, nil
}

// BernoulliExp returns true with probability exactly exp(-num/den).
func (s Sampler) BernoulliExp(num, den uint64) (bool, error) {
	if den == 0 {
		return false, errors.New("dp: bernoulli exp: zero denominator")
	}
	b, err := s.source().bernoulliExp(num, den)
	if err != nil {
		return false, fmt.Errorf("dp: bernoulli exp(-%d/%d): %w", num, den, err)
	}
	return b, nil
}

// uniform returns an integer uniform on [0, n).
func (s Sampler) uniform(n uint64) (uint64, error) {
	if n == 0 {
		return 0, errors.New("dp: uniform on an empty range")
	}
	u, err := s.source().uniform(n)
	if err != nil {
		return 0, fmt.Errorf("dp: uniform on [0, %d): %w", n, err)
	}
	return u, nil
}

// uniform returns an integer uniform on [0, n), n ≥ 1, by rejection: read
// just enough bytes to cover n-1, keep the low bits.Len(n-1) bits, and
// try again if the value is ≥ n. Every kept value is equally likely, and
// since the mask is below 2n at least half the tries succeed.
func (s *source) uniform(n uint64) (uint64, error) {
	if n == 1 {
		return 0, nil
	}
	width := bits.Len64(n - 1)
	mask := uint64(math.MaxUint64) >> (64 - width)
	b := s.buf[:(width+7)/8]
	for {
		if _, err := io.ReadFull(s.r, b); err != nil {
			return 0, fmt.Errorf("read randomness: %w", err)
		}
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		if v &= mask; v < n {
			return v, nil
		}
	}
}

// bernoulli returns true with probability num/(den·k), num ≤ den·k.
func (s *source) bernoulli(num, den, k uint64) (bool, error) {
	if hi, lo := bits.Mul64(den, k); hi == 0 {
		u, err := s.uniform(lo)
		return err == nil && u < num, err
	}
	// den·k overflows: num/den and 1/k as two independent events, whose
	// conjunction has exactly the product probability.
	u, err := s.uniform(den)
	if err != nil || u >= num {
		return false, err
	}
	u, err = s.uniform(k)
	return err == nil && u == 0, err
}

// bernoulliExp returns true with probability exp(-num/den), den ≥ 1.
// CKS Algorithm 1: exp(-γ) for γ > 1 is exp(-1) ⌊γ⌋ times (stopping at the
// first failure) and then exp(-(γ-⌊γ⌋)).
func (s *source) bernoulliExp(num, den uint64) (bool, error) {
	for whole := num / den; whole > 0; whole-- {
		ok, err := s.bernoulliExpUnit(1, 1)
		if err != nil || !ok {
			return false, err
		}
	}
	return s.bernoulliExpUnit(num%den, den)
}

// bernoulliExpUnit returns true with probability exp(-γ), γ = num/den ≤ 1.
// CKS Algorithm 1: draw A_k ~ Bernoulli(γ/k) for k = 1, 2, … until one is
// false, and let K be that k. P(K > k) = γ^k/k!, so P(K odd) =
// Σ_j (-γ)^j/j! = exp(-γ).
func (s *source) bernoulliExpUnit(num, den uint64) (bool, error) {
	if num == 0 {
		return true, nil
	}
	k := uint64(1)
	for {
		a, err := s.bernoulli(num, den, k)
		if err != nil {
			return false, err
		}
		if !a {
			return k%2 == 1, nil
		}
		k++
	}
}

// discreteLaplace is CKS Algorithm 2 for scale t/s, i.e. ε = s/t:
// X = U + t·V with U uniform on [0, t) kept with probability exp(-U/t) and
// V geometric with ratio exp(-1), so P(X = x) ∝ exp(-x/t) on x ≥ 0; then
// Y = ⌊X/s⌋ has P(Y = y) ∝ exp(-y·s/t). A random sign, rejecting "-0" so
// that 0 is not counted twice, makes it two-sided.
func (s *source) discreteLaplace(sNum, t uint64) (int64, error) {
	for {
		u, err := s.uniform(t)
		if err != nil {
			return 0, err
		}
		keep, err := s.bernoulliExp(u, t)
		if err != nil {
			return 0, err
		}
		if !keep {
			continue
		}
		var v uint64
		for {
			more, err := s.bernoulliExp(1, 1)
			if err != nil {
				return 0, err
			}
			if !more {
				break
			}
			v++
		}
		// With t ≤ 10⁶, overflowing U + t·V (or int64 below) needs
		// V ≥ 9·10¹²: that many loop iterations, with probability e^-V.
		y := (u + t*v) / sNum
		neg, err := s.uniform(2)
		if err != nil {
			return 0, err
		}
		if neg == 1 {
			if y == 0 {
				continue
			}
			return -int64(y), nil
		}
		return int64(y), nil
	}
}
