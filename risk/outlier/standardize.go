package outlier

import "math"

// Standardize scales each column as scikit-learn 1.2's
// StandardScaler().fit_transform does (mean 0, population standard
// deviation 1; a constant column is only centred) and returns a new matrix.
// The arithmetic follows sklearn's _incremental_mean_and_var step for step,
// with numpy's summation order (column sums of a 2-d array add row after
// row; a single column is one contiguous vector, summed pairwise), so the
// result is sklearn's to the bit.
func Standardize(m Matrix) Matrix {
	n, d := m.Rows, m.Cols
	out := Matrix{Rows: n, Cols: d, Data: make([]float64, len(m.Data))}
	if n == 0 || d == 0 {
		return out
	}
	cnt := float64(n)
	mean := colSums(m.Data, n, d)
	for j := range mean {
		mean[j] /= cnt // (last_sum + new_sum) / count, last_sum = 0
	}
	// temp = X - T (T = new_sum / count = mean); the corrected two-pass
	// variance: Σtemp² - (Σtemp)²/count.
	temp := make([]float64, len(m.Data))
	for i, v := range m.Data {
		temp[i] = v - mean[i%d]
	}
	corr := colSums(temp, n, d)
	for i, v := range temp {
		temp[i] = v * v
	}
	ssq := colSums(temp, n, d)
	const eps = 0x1p-52 // np.finfo(np.float64).eps
	scale := make([]float64, d)
	for j := range scale {
		v := (ssq[j] - corr[j]*corr[j]/cnt) / cnt
		// _is_constant_feature, then _handle_zeros_in_scale.
		bound := cnt*eps*v + math.Pow(cnt*mean[j]*eps, 2)
		scale[j] = math.Sqrt(v)
		if v <= bound {
			scale[j] = 1
		}
	}
	for i, v := range m.Data {
		out.Data[i] = (v - mean[i%d]) / scale[i%d]
	}
	return out
}

// colSums is np.sum(a, axis=0) for an n×d C-ordered array.
func colSums(a []float64, n, d int) []float64 {
	if d == 1 {
		return []float64{pairwiseSum(a)}
	}
	s := make([]float64, d)
	for i := range n {
		row := a[i*d : (i+1)*d]
		for j, v := range row {
			s[j] += v
		}
	}
	return s
}
