package model

import (
	"cmp"
	"fmt"
	"slices"
)

// TimeSplit is a time-ordered validation split: train on the rows before a
// cut time, test on the rows at or after it.
type TimeSplit struct {
	Train []int `json:"-"` // row indices, in time order (ties by index)
	Test  []int `json:"-"`
	// Cut is the first test time: every training row has time < Cut and
	// every test row time >= Cut.
	Cut int64 `json:"cut"`
}

// SplitByTime sorts rows by time and cuts at the row a fraction frac of the
// way through. Rows sharing the cut row's time all go to test, so no
// training row is simultaneous with a test row; the training share is
// therefore at most frac.
func SplitByTime(times []int64, frac float64) (TimeSplit, error) {
	if !(frac > 0 && frac < 1) {
		return TimeSplit{}, fmt.Errorf("split by time: fraction %v not in (0, 1)", frac)
	}
	idx := make([]int, len(times))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(times[a], times[b]) })
	k := int(frac * float64(len(idx)))
	if k >= len(idx) {
		return TimeSplit{}, fmt.Errorf("split by time: %d rows leave no test rows at fraction %v", len(idx), frac)
	}
	cut := times[idx[k]]
	for k > 0 && times[idx[k-1]] == cut {
		k--
	}
	if k == 0 {
		return TimeSplit{}, fmt.Errorf("split by time: no row is earlier than the cut at fraction %v", frac)
	}
	return TimeSplit{Train: idx[:k:k], Test: idx[k:], Cut: cut}, nil
}

// Rows returns the rows idx of column-major X, in idx order.
func Rows(X [][]float64, idx []int) [][]float64 {
	out := make([][]float64, len(X))
	for j, col := range X {
		out[j] = Take(col, idx)
	}
	return out
}

// Take returns v[idx[0]], v[idx[1]], ….
func Take[T any](v []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, k := range idx {
		out[i] = v[k]
	}
	return out
}
