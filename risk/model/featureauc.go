package model

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// FeatureAUC is one raw column's power alone: the AUC of its values as
// scores, over the rows where it is not null.
type FeatureAUC struct {
	Name string  `json:"name"`
	AUC  float64 `json:"auc"` // >= 0.5: the better of the two directions
	// Higher reports whether larger values mean fraud (AUC as is) or
	// smaller ones (AUC of the negated column).
	Higher   bool    `json:"higher_is_fraud"`
	Coverage float64 `json:"coverage"` // share of rows not null
}

// FeatureAUCs ranks raw columns by single-column AUC, strongest first (ties
// by name). A column with no non-null row or one class among them gets
// AUC 0.5 and coverage as measured.
func FeatureAUCs(names []string, X [][]float64, y []bool) ([]FeatureAUC, error) {
	if len(names) != len(X) {
		return nil, fmt.Errorf("feature aucs: %d names for %d columns", len(names), len(X))
	}
	n, _, err := shape(X)
	if err != nil {
		return nil, fmt.Errorf("feature aucs: %w", err)
	}
	if len(y) != n || n == 0 {
		return nil, fmt.Errorf("feature aucs: %d labels for %d rows", len(y), n)
	}
	out := make([]FeatureAUC, len(X))
	var s []float64
	var l []bool
	for j, col := range X {
		s, l = s[:0], l[:0]
		for i, v := range col {
			if !isNull(v) {
				s = append(s, v)
				l = append(l, y[i])
			}
		}
		f := FeatureAUC{Name: names[j], AUC: 0.5, Higher: true, Coverage: float64(len(s)) / float64(n)}
		if auc, err := AUC(s, l); err == nil {
			f.AUC = math.Max(auc, 1-auc)
			f.Higher = auc >= 0.5
		}
		out[j] = f
	}
	slices.SortStableFunc(out, func(a, b FeatureAUC) int {
		if c := cmp.Compare(b.AUC, a.AUC); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out, nil
}
