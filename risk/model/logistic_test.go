package model

import (
	"math"
	"testing"
)

func TestLogisticRecoversCoefficients(t *testing.T) {
	beta := []float64{1.5, -2, 0.5, 0.25, -0.75, 1}
	X, y := synthLogistic(1, 200_000, -1, beta)
	m, info, err := TrainLogistic(X, y, LogisticOptions{Lambda: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("iterations %d, objective %.6f, max |grad| %.3g, last step %.3g", info.Iterations, info.Objective, info.MaxGrad, info.LastStep)
	if math.Abs(m.Intercept+1) > 0.03 {
		t.Errorf("intercept %.4f, want -1 ± 0.03", m.Intercept)
	}
	for j, b := range beta {
		if math.Abs(m.Coef[j]-b) > 0.03 {
			t.Errorf("coef %d = %.4f, want %.4f ± 0.03", j, m.Coef[j], b)
		}
	}
}
