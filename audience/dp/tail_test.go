package dp

import (
	"math"
	"testing"
)

// TailProbability against a direct sum of the pmf over |y| ≥ m.
func TestTailProbability(t *testing.T) {
	for _, es := range []string{"0.1", "0.5", "1", "3"} {
		eps := mustEps(t, es)
		q := math.Exp(-eps.Float64())
		pmf := func(y int64) float64 { return (1 - q) / (1 + q) * math.Pow(q, float64(y)) }
		for _, m := range []int64{-3, 0, 1, 2, 10, 40} {
			want := 1.0
			if m > 0 {
				want = 0
				for y := m; y < m+20_000; y++ {
					want += 2 * pmf(y)
				}
			}
			if got := TailProbability(eps, m); math.Abs(got-want) > 1e-12*max(want, 1e-300) && math.Abs(got-want) > 1e-300 {
				t.Errorf("TailProbability(%s, %d) = %.15g, summed pmf %.15g", eps, m, got, want)
			}
		}
	}
	// The figure quoted in the package doc.
	if p := TailProbability(mustEps(t, "0.5"), 10); math.Abs(p-0.008388) > 5e-7 {
		t.Errorf("TailProbability(0.5, 10) = %.6f, want 0.008388", p)
	}
}

func TestConfidenceInterval(t *testing.T) {
	for _, es := range []string{"0.000001", "0.1", "0.5", "1", "10"} {
		eps := mustEps(t, es)
		for _, p := range []float64{1, 0.5, 0.05, 0.01, 1e-6, 1e-300, 5e-324} {
			m, err := ConfidenceInterval(eps, p)
			if err != nil {
				t.Fatalf("ConfidenceInterval(%s, %g): %v", eps, p, err)
			}
			// In logs: a subnormal p is below what TailProbability can
			// resolve as a float.
			lp := math.Log(p)
			if (m > 0 && logTail(eps.Float64(), m) > lp) || (m > 1 && logTail(eps.Float64(), m-1) <= lp) {
				t.Errorf("ConfidenceInterval(%s, %g) = %d: ln tail at m %g, at m-1 %g, ln p %g",
					eps, p, m, logTail(eps.Float64(), m), logTail(eps.Float64(), m-1), lp)
			}
			if p >= 1e-300 && (TailProbability(eps, m) > p || (m > 0 && TailProbability(eps, m-1) <= p)) {
				t.Errorf("ConfidenceInterval(%s, %g) = %d: tail at m %g, at m-1 %g",
					eps, p, m, TailProbability(eps, m), TailProbability(eps, m-1))
			}
		}
	}
	if m, _ := ConfidenceInterval(mustEps(t, "0.5"), 0.05); m != 7 {
		t.Errorf("ConfidenceInterval(0.5, 0.05) = %d, want 7", m)
	}
	for _, p := range []float64{0, -0.1, 1.5, math.NaN(), math.Inf(1)} {
		if _, err := ConfidenceInterval(mustEps(t, "1"), p); err == nil {
			t.Errorf("ConfidenceInterval(1, %v): want an error", p)
		}
	}
	if _, err := ConfidenceInterval(Epsilon{}, 0.05); err == nil {
		t.Error("ConfidenceInterval(zero Epsilon): want an error")
	}
}
