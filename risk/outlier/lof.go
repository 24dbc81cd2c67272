package outlier

import (
	"context"
	"fmt"
)

// lof is LocalOutlierFactor(n_neighbors, contamination,
// algorithm='kd_tree').fit_predict, step for step:
//
//   - n_neighbors_ = max(1, min(n_neighbors, n-1));
//   - each point's n_neighbors_+1 nearest points (itself included), sorted as
//     sklearn sorts them, then the point itself removed, or, when it is not
//     among them because more duplicates than that share its place, the
//     first of them;
//   - k-distance of a neighbour = its own n_neighbors_-th distance; reach =
//     max(distance, k-distance); lrd = 1/(mean(reach)+1e-10);
//   - score = -mean(lrd[neighbour]/lrd[point]), means summed as numpy does.
func lof(ctx context.Context, m Matrix, p LOFParams) (*LOFResult, error) {
	if err := checkMatrix(m); err != nil {
		return nil, err
	}
	if m.Rows < 2 {
		return nil, fmt.Errorf("outlier: LOF needs at least 2 points, got %d", m.Rows)
	}
	nn := p.NNeighbors
	if nn == 0 {
		nn = 20
	}
	if nn < 0 {
		return nil, fmt.Errorf("outlier: LOF n_neighbors %d must be positive", nn)
	}
	c := p.Contamination
	if c < 0 || c > 0.5 {
		return nil, fmt.Errorf("outlier: LOF contamination %g must be in (0, 0.5], or 0 for auto", c)
	}
	n := m.Rows
	k := max(1, min(nn, n-1))
	t := buildTree(m, p.LeafSize)

	dist := make([]float64, n*k)
	ind := make([]int32, n*k)
	type scratch struct {
		h    *knnHeap
		d    []float64
		i    []int
		keep []float64
	}
	newScratch := func() *scratch {
		return &scratch{h: newKNNHeap(k + 1), d: make([]float64, k+1), i: make([]int, k+1), keep: make([]float64, k)}
	}
	err := parallelChunks(ctx, n, p.Workers, newScratch, func(s *scratch, lo, hi int) {
		for q := lo; q < hi; q++ {
			t.query(m.Row(q), s.h, s.d, s.i)
			// Drop the point itself, or the first neighbour when it is absent.
			skip := 0
			for j, x := range s.i {
				if x == q {
					skip = j
					break
				}
			}
			o := q * k
			for j := range k + 1 {
				if j == skip {
					continue
				}
				dist[o] = s.d[j]
				ind[o] = int32(s.i[j])
				o++
			}
		}
	})
	if err != nil {
		return nil, err
	}

	lrd := make([]float64, n)
	err = parallelChunks(ctx, n, p.Workers, newScratch, func(s *scratch, lo, hi int) {
		for q := lo; q < hi; q++ {
			for j := range k {
				nb := int(ind[q*k+j])
				s.keep[j] = max(dist[q*k+j], dist[nb*k+k-1])
			}
			lrd[q] = 1.0 / (pairwiseSum(s.keep)/float64(k) + 1e-10)
		}
	})
	if err != nil {
		return nil, err
	}

	res := &LOFResult{NegativeOutlierFactor: make([]float64, n), Outlier: make([]bool, n), NNeighbors: k}
	err = parallelChunks(ctx, n, p.Workers, newScratch, func(s *scratch, lo, hi int) {
		for q := lo; q < hi; q++ {
			for j := range k {
				s.keep[j] = lrd[ind[q*k+j]] / lrd[q]
			}
			res.NegativeOutlierFactor[q] = -(pairwiseSum(s.keep) / float64(k))
		}
	})
	if err != nil {
		return nil, err
	}
	res.Offset = -1.5
	if c != 0 {
		res.Offset = percentile(res.NegativeOutlierFactor, c)
	}
	for i, v := range res.NegativeOutlierFactor {
		res.Outlier[i] = v < res.Offset
	}
	return res, nil
}
