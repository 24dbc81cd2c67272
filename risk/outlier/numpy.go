package outlier

import (
	"math"
	"slices"
)

// pairwiseSum is numpy's pairwise_sum for float64, which np.sum and np.mean
// use along a contiguous row: sequential below 8 values, eight accumulators
// up to 128, halves (at a multiple of 8) above. Reproducing it keeps the
// last bit of LOF's means equal to scikit-learn's.
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		res := 0.0
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range 8 {
				r[j] += a[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
	}
}

// percentile is np.percentile(a, 100*q) with the default 'linear' method.
// a is not modified.
func percentile(a []float64, q float64) float64 {
	s := slices.Clone(a)
	slices.Sort(s)
	n := len(s)
	// np.percentile divides the percentage by 100 again.
	q = (100 * q) / 100
	vi := float64(n-1) * q
	prev := math.Floor(vi)
	gamma := vi - prev
	pi := min(max(int(prev), 0), n-1)
	ni := min(pi+1, n-1)
	lo, hi := s[pi], s[ni]
	diff := hi - lo
	if gamma >= 0.5 {
		return hi - diff*(1-gamma)
	}
	return lo + diff*gamma
}
