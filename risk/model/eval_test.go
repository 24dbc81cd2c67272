package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

func bools(v ...int) []bool {
	out := make([]bool, len(v))
	for i, x := range v {
		out[i] = x == 1
	}
	return out
}

func TestAUCHandComputed(t *testing.T) {
	cases := []struct {
		name   string
		scores []float64
		y      []bool
		want   float64
	}{
		{"sklearn doc example", []float64{0.1, 0.4, 0.35, 0.8}, bools(0, 0, 1, 1), 0.75},
		{"perfect", []float64{1, 2, 3, 4}, bools(0, 0, 1, 1), 1},
		{"reversed", []float64{4, 3, 2, 1}, bools(0, 0, 1, 1), 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5, 0.5}, bools(0, 1, 0, 1, 1), 0.5},
		// pos 1 ties neg 1 (½) and loses to neg 2; pos 2 beats neg 1, ties
		// neg 2 (1½); pos 3 beats both (2): U = 4 of 6.
		{"ties across classes", []float64{1, 1, 2, 2, 3}, bools(0, 1, 0, 1, 1), 4.0 / 6},
		// Input order must not matter.
		{"ties shuffled", []float64{2, 3, 1, 2, 1}, bools(1, 1, 1, 0, 0), 4.0 / 6},
	}
	for _, c := range cases {
		got, err := AUC(c.scores, c.y)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: AUC %v, want %v", c.name, got, c.want)
		}
	}
	if _, err := AUC([]float64{1, 2}, bools(1, 1)); err == nil {
		t.Error("AUC with one class: want an error")
	}
	if _, err := AUC([]float64{1, math.NaN()}, bools(0, 1)); err == nil {
		t.Error("AUC with a NaN score: want an error")
	}
}

// TestAUCMatchesPairCount checks AUC against the definition, every pair
// counted, on data with many ties.
func TestAUCMatchesPairCount(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		n := 2 + r.IntN(300)
		s := make([]float64, n)
		y := make([]bool, n)
		for i := range n {
			s[i] = float64(r.IntN(6))
			y[i] = r.IntN(3) == 0
		}
		y[0], y[1] = true, false
		var num, pairs float64
		for i := range n {
			for j := range n {
				if !y[i] || y[j] {
					continue
				}
				pairs++
				switch {
				case s[i] > s[j]:
					num++
				case s[i] == s[j]:
					num += 0.5
				}
			}
		}
		got, err := AUC(s, y)
		if err != nil {
			t.Fatal(err)
		}
		if want := num / pairs; got != want {
			t.Fatalf("trial %d: AUC %v, pair count %v", trial, got, want)
		}
	}
}

func TestRecallAtFPR(t *testing.T) {
	// Ten negatives at 0.0 … 0.9; positives at 0.95, 0.9 (tied with a
	// negative), 0.5 and 0.05.
	var s []float64
	var y []bool
	for i := range 10 {
		s = append(s, float64(i)/10)
		y = append(y, false)
	}
	s = append(s, 0.95, 0.9, 0.5, 0.05)
	y = append(y, true, true, true, true)
	c, err := RecallAtFPR(s, y, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Threshold != 0.9 || c.TP != 2 || c.FP != 1 || c.Recall != 0.5 || c.FPR != 0.1 {
		t.Errorf("at 10%% fpr: %+v, want threshold 0.9, tp 2, fp 1", c)
	}
	// At 5% the tie at 0.9 cannot be split, so only the top row is flagged.
	c, err = RecallAtFPR(s, y, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if c.Threshold != 0.95 || c.TP != 1 || c.FP != 0 || c.Precision != 1 {
		t.Errorf("at 5%% fpr: %+v, want threshold 0.95, tp 1, fp 0", c)
	}
	a, err := AtThreshold(s, y, c.Threshold)
	if err != nil {
		t.Fatal(err)
	}
	if a != c {
		t.Errorf("AtThreshold(%v) = %+v, RecallAtFPR gave %+v", c.Threshold, a, c)
	}
	// A negative on top: nothing can be flagged at 0%.
	c, err = RecallAtFPR([]float64{0.9, 0.1}, bools(0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.TP != 0 || c.FP != 0 || !(c.Threshold > 0.9) {
		t.Errorf("negative on top: %+v", c)
	}
}

func TestPrecisionRecallF1(t *testing.T) {
	c, err := AtThreshold([]float64{0.9, 0.8, 0.7, 0.2, 0.1}, bools(1, 0, 1, 1, 0), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if c.TP != 2 || c.FP != 1 || c.FN != 1 || c.TN != 1 {
		t.Fatalf("confusion %+v", c)
	}
	if c.Precision != 2.0/3 || c.Recall != 2.0/3 || math.Abs(c.F1-2.0/3) > 1e-15 || c.FPR != 0.5 {
		t.Errorf("rates %+v", c)
	}
}

func TestCalibrate(t *testing.T) {
	c, err := Calibrate([]float64{0.05, 0.15, 0.95, 0.9, 1}, bools(0, 1, 1, 1, 1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Bins) != 3 {
		t.Fatalf("bins %+v, want 3 non-empty", c.Bins)
	}
	last := c.Bins[2]
	if last.Count != 3 || last.Observed != 1 || math.Abs(last.MeanPred-2.85/3) > 1e-15 {
		t.Errorf("last bin %+v", last)
	}
	wantBrier := (0.05*0.05 + 0.85*0.85 + 0.05*0.05 + 0.1*0.1) / 5
	if math.Abs(c.Brier-wantBrier) > 1e-15 {
		t.Errorf("brier %v, want %v", c.Brier, wantBrier)
	}
	wantECE := (0.05 + 0.85 + 3*(1-2.85/3)) / 5
	if math.Abs(c.ECE-wantECE) > 1e-15 {
		t.Errorf("ece %v, want %v", c.ECE, wantECE)
	}
}

func TestSplitByTime(t *testing.T) {
	times := []int64{50, 10, 30, 30, 20, 40, 30, 60}
	s, err := SplitByTime(times, 0.5) // sorted: 10 20 30 30 30 40 50 60
	if err != nil {
		t.Fatal(err)
	}
	// Row 4 of the sorted order is at 30, so every 30 goes to test.
	if s.Cut != 30 || len(s.Train) != 2 || len(s.Test) != 6 {
		t.Fatalf("split %+v", s)
	}
	for _, i := range s.Train {
		if times[i] >= s.Cut {
			t.Errorf("train row %d at %d, cut %d", i, times[i], s.Cut)
		}
	}
	for _, i := range s.Test {
		if times[i] < s.Cut {
			t.Errorf("test row %d at %d, cut %d", i, times[i], s.Cut)
		}
	}
	if _, err := SplitByTime([]int64{5, 5, 5, 6}, 0.5); err == nil {
		t.Error("no row before the cut: want an error")
	}
	got := Take([]string{"a", "b", "c"}, []int{2, 0})
	if got[0] != "c" || got[1] != "a" {
		t.Errorf("Take %v", got)
	}
}

func TestFeatureAUCs(t *testing.T) {
	nan := math.NaN()
	names := []string{"up", "down", "sparse", "flat"}
	X := [][]float64{
		{1, 2, 3, 4},
		{4, 3, 2, 0},
		{nan, nan, 1, 2},
		{5, 5, 5, 5},
	}
	got, err := FeatureAUCs(names, X, bools(0, 0, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []FeatureAUC{
		{"down", 1, false, 1}, {"up", 1, true, 1},
		{"flat", 0.5, true, 1}, {"sparse", 0.5, true, 0.5},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rank %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
