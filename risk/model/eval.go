package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// checkScores validates scores against labels and counts positives.
func checkScores(scores []float64, y []bool) (pos, neg int, err error) {
	if len(scores) != len(y) {
		return 0, 0, fmt.Errorf("%d scores for %d labels", len(scores), len(y))
	}
	for _, s := range scores {
		if math.IsNaN(s) {
			return 0, 0, errors.New("a score is NaN")
		}
	}
	for _, v := range y {
		if v {
			pos++
		}
	}
	neg = len(y) - pos
	if pos == 0 || neg == 0 {
		return pos, neg, fmt.Errorf("need both classes, have %d positive and %d negative", pos, neg)
	}
	return pos, neg, nil
}

// descending returns row indices ordered by score, highest first (ties in
// row order; callers treat a run of equal scores as one group).
func descending(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	return idx
}

// AUC is the area under the ROC curve: the probability that a random
// positive scores above a random negative, a tie counting one half (the
// Mann–Whitney U over n₊n₋). This equals scikit-learn's roc_auc_score,
// whose ROC curve joins tied scores by a straight segment. U is counted in
// integers (in halves), so the only rounding is the final division.
func AUC(scores []float64, y []bool) (float64, error) {
	pos, neg, err := checkScores(scores, y)
	if err != nil {
		return 0, fmt.Errorf("auc: %w", err)
	}
	idx := descending(scores)
	var u2 int64         // 2U
	negAbove := int64(0) // negatives scored strictly higher than the group
	for g := 0; g < len(idx); {
		var gp, gn int64
		e := g
		for ; e < len(idx) && scores[idx[e]] == scores[idx[g]]; e++ {
			if y[idx[e]] {
				gp++
			} else {
				gn++
			}
		}
		// Each positive in the group beats every negative below it and ties
		// the group's negatives.
		negBelow := int64(neg) - negAbove - gn
		u2 += gp * (2*negBelow + gn)
		negAbove += gn
		g = e
	}
	return float64(u2) / (2 * float64(pos) * float64(neg)), nil
}

// Confusion is the outcome of flagging rows with score >= Threshold.
type Confusion struct {
	Threshold float64 `json:"threshold"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	TN        int     `json:"tn"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"` // 0 when nothing is flagged
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	FPR       float64 `json:"fpr"`
}

// AtThreshold flags rows with score >= thr and counts the outcome.
func AtThreshold(scores []float64, y []bool, thr float64) (Confusion, error) {
	if _, _, err := checkScores(scores, y); err != nil {
		return Confusion{}, fmt.Errorf("at threshold: %w", err)
	}
	c := Confusion{Threshold: thr}
	for i, s := range scores {
		switch flag := s >= thr; {
		case flag && y[i]:
			c.TP++
		case flag:
			c.FP++
		case y[i]:
			c.FN++
		default:
			c.TN++
		}
	}
	c.fill()
	return c, nil
}

func (c *Confusion) fill() {
	if c.TP+c.FP > 0 {
		c.Precision = float64(c.TP) / float64(c.TP+c.FP)
	}
	c.Recall = float64(c.TP) / float64(c.TP+c.FN)
	c.FPR = float64(c.FP) / float64(c.FP+c.TN)
	if c.Precision+c.Recall > 0 {
		c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
	}
}

// RecallAtFPR returns the outcome at the lowest threshold whose false-
// positive rate is at most maxFPR. Thresholds are the scores themselves, so
// tied rows are flagged together: a threshold never splits a tie. When even
// the highest score exceeds maxFPR, the threshold lies just above it and
// nothing is flagged.
func RecallAtFPR(scores []float64, y []bool, maxFPR float64) (Confusion, error) {
	pos, neg, err := checkScores(scores, y)
	if err != nil {
		return Confusion{}, fmt.Errorf("recall at fpr: %w", err)
	}
	if !(maxFPR >= 0 && maxFPR <= 1) {
		return Confusion{}, fmt.Errorf("recall at fpr: max fpr %v not in [0, 1]", maxFPR)
	}
	idx := descending(scores)
	c := Confusion{TN: neg, FN: pos}
	if len(idx) > 0 {
		c.Threshold = math.Nextafter(scores[idx[0]], math.Inf(1))
	}
	for g := 0; g < len(idx); {
		tp, fp := c.TP, c.FP
		e := g
		for ; e < len(idx) && scores[idx[e]] == scores[idx[g]]; e++ {
			if y[idx[e]] {
				tp++
			} else {
				fp++
			}
		}
		if float64(fp) > maxFPR*float64(neg) {
			break
		}
		c.Threshold, c.TP, c.FP, c.TN, c.FN = scores[idx[g]], tp, fp, neg-fp, pos-tp
		g = e
	}
	c.fill()
	return c, nil
}

// CalibrationBin is one reliability bin: rows with score in [Lo, Hi).
type CalibrationBin struct {
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
	Count    int     `json:"count"`
	MeanPred float64 `json:"mean_pred"`
	Observed float64 `json:"observed_rate"`
}

// Calibration is a reliability diagram and its summaries.
type Calibration struct {
	Bins  []CalibrationBin `json:"bins"` // empty bins are left out
	Brier float64          `json:"brier"`
	// ECE is the expected calibration error: Σ count/n · |mean_pred − observed|.
	ECE float64 `json:"ece"`
}

// Calibrate bins probabilities into nBins equal-width bins on [0, 1] (bin
// floor(p·nBins), a score of 1 in the last) and computes the Brier score,
// the mean of (p − y)².
func Calibrate(scores []float64, y []bool, nBins int) (Calibration, error) {
	if len(scores) != len(y) || len(y) == 0 {
		return Calibration{}, fmt.Errorf("calibrate: %d scores for %d labels", len(scores), len(y))
	}
	if nBins <= 0 {
		return Calibration{}, fmt.Errorf("calibrate: %d bins", nBins)
	}
	cnt := make([]int, nBins)
	sp := make([]float64, nBins)
	sy := make([]float64, nBins)
	brier := 0.0
	for i, s := range scores {
		if !(s >= 0 && s <= 1) {
			return Calibration{}, fmt.Errorf("calibrate: score %d is not a probability", i)
		}
		yi := 0.0
		if y[i] {
			yi = 1
		}
		brier += (s - yi) * (s - yi)
		b := min(int(s*float64(nBins)), nBins-1)
		cnt[b]++
		sp[b] += s
		sy[b] += yi
	}
	n := float64(len(scores))
	c := Calibration{Brier: brier / n}
	for b := range nBins {
		if cnt[b] == 0 {
			continue
		}
		k := float64(cnt[b])
		bin := CalibrationBin{
			Lo: float64(b) / float64(nBins), Hi: float64(b+1) / float64(nBins),
			Count: cnt[b], MeanPred: sp[b] / k, Observed: sy[b] / k,
		}
		c.ECE += k / n * math.Abs(bin.MeanPred-bin.Observed)
		c.Bins = append(c.Bins, bin)
	}
	return c, nil
}

// Metrics summarise a model's scores on labelled rows.
type Metrics struct {
	Rows      int     `json:"rows"`
	Positives int     `json:"positives"`
	AUC       float64 `json:"auc"`
	// AtThreshold is the outcome at the chosen threshold; AtFPR at the
	// lowest threshold within the target false-positive rate.
	AtThreshold Confusion   `json:"at_threshold"`
	MaxFPR      float64     `json:"max_fpr"`
	AtFPR       Confusion   `json:"at_fpr"`
	Calibration Calibration `json:"calibration"`
}

// Evaluate computes Metrics. threshold <= 0 means the threshold found for
// maxFPR (0 means 0.01); bins 0 means 10.
func Evaluate(scores []float64, y []bool, threshold, maxFPR float64, bins int) (Metrics, error) {
	if maxFPR == 0 {
		maxFPR = 0.01
	}
	if bins == 0 {
		bins = 10
	}
	auc, err := AUC(scores, y)
	if err != nil {
		return Metrics{}, fmt.Errorf("evaluate: %w", err)
	}
	m := Metrics{Rows: len(y), AUC: auc, MaxFPR: maxFPR}
	for _, v := range y {
		if v {
			m.Positives++
		}
	}
	if m.AtFPR, err = RecallAtFPR(scores, y, maxFPR); err != nil {
		return Metrics{}, fmt.Errorf("evaluate: %w", err)
	}
	if threshold <= 0 {
		threshold = m.AtFPR.Threshold
	}
	if m.AtThreshold, err = AtThreshold(scores, y, threshold); err != nil {
		return Metrics{}, fmt.Errorf("evaluate: %w", err)
	}
	if m.Calibration, err = Calibrate(scores, y, bins); err != nil {
		return Metrics{}, fmt.Errorf("evaluate: %w", err)
	}
	return m, nil
}
