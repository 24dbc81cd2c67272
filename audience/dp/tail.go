package dp

import (
	"fmt"
	"math"
)

// TailProbability returns P(|Y| ≥ m) for the noise Y of one draw at eps:
// 2e^(-εm)/(1+e^-ε) for m ≥ 1, and 1 for m ≤ 0. It is float arithmetic
// for reports, never used to sample.
func TailProbability(eps Epsilon, m int64) float64 {
	if m <= 0 {
		return 1
	}
	return math.Exp(logTail(eps.Float64(), m))
}

// logTail is ln P(|Y| ≥ m), m ≥ 1, in logs so that it neither underflows
// nor rounds twice for the tiny probabilities a report might ask about.
func logTail(e float64, m int64) float64 {
	return math.Ln2 - e*float64(m) - math.Log1p(math.Exp(-e))
}

// ConfidenceInterval returns the smallest m ≥ 0 with P(|Y| ≥ m) ≤ p: with
// probability at least 1-p a noisy answer is within m-1 of the true count.
// p must be in (0, 1].
func ConfidenceInterval(eps Epsilon, p float64) (int64, error) {
	if err := eps.valid(); err != nil {
		return 0, fmt.Errorf("dp: confidence interval: %w", err)
	}
	if !(p > 0 && p <= 1) {
		return 0, fmt.Errorf("dp: confidence interval: probability %v is not in (0, 1]", p)
	}
	if p == 1 {
		return 0, nil
	}
	// Solve ln P(|Y| ≥ m) = ln p for m, then step to the integer boundary
	// so that rounding cannot leave the answer one off. P(|Y| ≥ 1) < 1, so
	// for p < 1 the answer is at least 1.
	e, lp := eps.Float64(), math.Log(p)
	m := max(int64(math.Ceil((math.Ln2-math.Log1p(math.Exp(-e))-lp)/e)), 1)
	for m > 1 && logTail(e, m-1) <= lp {
		m--
	}
	for logTail(e, m) > lp {
		m++
	}
	return m, nil
}
