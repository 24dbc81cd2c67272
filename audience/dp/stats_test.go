package dp

import (
	"math"
	"testing"
)

// chiSquareSF returns P(χ²_df ≥ x), the p-value of a chi-square statistic:
// the regularized upper incomplete gamma Q(df/2, x/2).
func chiSquareSF(x float64, df int) float64 {
	a, x := float64(df)/2, x/2
	if x <= 0 {
		return 1
	}
	lgA, _ := math.Lgamma(a)
	front := math.Exp(-x + a*math.Log(x) - lgA)
	if x < a+1 {
		// Series for the lower function P, then Q = 1 - P; here Q is not
		// small, so the subtraction loses nothing that matters.
		sum, term := 1/a, 1/a
		for n := 1.0; n < 1000 && math.Abs(term) > 1e-17*math.Abs(sum); n++ {
			term *= x / (a + n)
			sum += term
		}
		return 1 - front*sum
	}
	// Continued fraction for Q itself (modified Lentz), accurate in the
	// far tail where the p-values of a rejection live.
	const tiny = 1e-300
	b := x + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1.0; i < 1000; i++ {
		an := -i * (i - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return front * h
}

// Reference values from mpmath (30 digits):
// gammainc(df/2, x/2, inf, regularized=True).
func TestChiSquareSF(t *testing.T) {
	for _, c := range []struct {
		x    float64
		df   int
		want float64
	}{
		{3.841458820694124, 1, 0.050000000000000057},
		{18.307038053275146, 10, 0.050000000000000007},
		{100, 100, 0.48119168452795672},
		{150, 100, 0.00090393204235400909},
		{300, 120, 2.0761530190828101e-17},
		{2, 5, 0.84914503608460964},
		{0.5, 3, 0.91889141165467586},
	} {
		got := chiSquareSF(c.x, c.df)
		if math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("chiSquareSF(%v, %d) = %.17g, want %.17g", c.x, c.df, got, c.want)
		}
	}
}

// chiSquare returns the statistic and degrees of freedom of observed
// counts against expected ones (same length, expected all > 0).
func chiSquare(observed []int, expected []float64) (stat float64, df int) {
	for i, o := range observed {
		d := float64(o) - expected[i]
		stat += d * d / expected[i]
	}
	return stat, len(observed) - 1
}

// laplaceBins bins n samples of the discrete Laplace at eps for a
// chi-square test: one bin per y in [-k, k], where k is the largest value
// still expected minExpected times, and one bin for each tail beyond.
// It returns the expected counts and a function from a sample to its bin.
func laplaceBins(eps float64, n int) (expected []float64, bin func(int64) int) {
	const minExpected = 20
	q := math.Exp(-eps)
	pmf := func(y int64) float64 { return (1 - q) / (1 + q) * math.Pow(q, math.Abs(float64(y))) }
	k := int64(0)
	for float64(n)*pmf(k+1) >= minExpected {
		k++
	}
	tail := float64(n) * math.Pow(q, float64(k+1)) / (1 + q) // n·P(Y ≥ k+1)
	expected = append(expected, tail)
	for y := -k; y <= k; y++ {
		expected = append(expected, float64(n)*pmf(y))
	}
	expected = append(expected, tail)
	return expected, func(y int64) int { return int(min(max(y, -k-1), k+1) + k + 1) }
}
