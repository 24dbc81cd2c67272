package outlier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// OPTICS follows scikit-learn 1.2.1's sklearn/cluster/_optics.py step for
// step, so that ordering_, predecessor_, labels_ and cluster_hierarchy_ are
// identical and the distances agree to the last bit:
//
//   - core distances are the distance to the MinSamples-th nearest point,
//     the point itself counting as the first (kneighbors(X)[0][:, -1]);
//     those above MaxEps become +Inf; all are rounded as np.around(x, 15)
//     does (round15);
//   - the next point is the unprocessed point of smallest reachability,
//     the smallest index winning ties, +Inf included (np.argmin over the
//     unprocessed indices in ascending order);
//   - a processed core point p offers each unprocessed point q within
//     MaxEps round15(max(dist(p, q), core[p])); only a strictly smaller
//     value replaces q's reachability and makes p its predecessor;
//   - distances are sqrt of the sequential sum of squared differences,
//     which is what scipy's cdist(metric='minkowski', p=2) and sklearn's
//     KDTree compute bit for bit.
//
// Where scikit-learn differs from itself: with algorithm='auto' it finds
// core distances by brute force (GEMM-based, inexact to ~1e-8 for close
// points) when d > 15 or MinSamples >= n/2; veil always computes them
// exactly, i.e. it matches OPTICS(algorithm='kd_tree'). With a finite
// MaxEps, neighbours are the points with squared distance <= MaxEps^2, the
// test KDTree.query_radius makes in its leaves. MinSamples and
// MinClusterSize are counts; scikit-learn's fractional forms are not
// offered.
//
// Speed: the main loop is optics_dense.go (MaxEps = +Inf, a fused update
// and argmin over the unprocessed points, four at a time in AVX) or
// optics_radius.go (finite MaxEps, radius queries and a heap).

var errOPTICSParams = errors.New("outlier: invalid OPTICS parameters")

// opticsDefaults fills zero values and checks what scikit-learn's
// parameter constraints and _validate_size check.
func opticsDefaults(m Matrix, p OPTICSParams) (OPTICSParams, error) {
	if m.Rows < 1 || m.Cols < 1 || len(m.Data) != m.Rows*m.Cols {
		return p, fmt.Errorf("%w: matrix %dx%d holds %d values", errOPTICSParams, m.Rows, m.Cols, len(m.Data))
	}
	for _, v := range m.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return p, fmt.Errorf("%w: input contains NaN or infinity", errOPTICSParams)
		}
	}
	if p.MinSamples == 0 {
		p.MinSamples = 5
	}
	if p.MaxEps == 0 {
		p.MaxEps = inf
	}
	if p.Xi == 0 {
		p.Xi = 0.05
	}
	if p.MinClusterSize == 0 {
		p.MinClusterSize = p.MinSamples
	}
	if p.LeafSize == 0 {
		p.LeafSize = 30
	}
	if p.Workers <= 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	var errs []error
	if p.MinSamples < 2 {
		errs = append(errs, fmt.Errorf("min_samples must be >= 2, got %d", p.MinSamples))
	} else if p.MinSamples > m.Rows {
		errs = append(errs, fmt.Errorf("min_samples must be no greater than the number of samples (%d), got %d", m.Rows, p.MinSamples))
	}
	if p.MinClusterSize < 2 {
		errs = append(errs, fmt.Errorf("min_cluster_size must be >= 2, got %d", p.MinClusterSize))
	} else if p.MinClusterSize > m.Rows {
		errs = append(errs, fmt.Errorf("min_cluster_size must be no greater than the number of samples (%d), got %d", m.Rows, p.MinClusterSize))
	}
	if math.IsNaN(p.MaxEps) || p.MaxEps < 0 {
		errs = append(errs, fmt.Errorf("max_eps must be >= 0, got %g", p.MaxEps))
	}
	if math.IsNaN(p.Xi) || p.Xi < 0 || p.Xi > 1 {
		errs = append(errs, fmt.Errorf("xi must be in [0, 1], got %g", p.Xi))
	}
	if p.LeafSize < 1 {
		errs = append(errs, fmt.Errorf("leaf_size must be >= 1, got %d", p.LeafSize))
	}
	if len(errs) > 0 {
		return p, fmt.Errorf("%w: %w", errOPTICSParams, errors.Join(errs...))
	}
	return p, nil
}

func optics(ctx context.Context, m Matrix, p OPTICSParams) (*OPTICSResult, error) {
	p, err := opticsDefaults(m, p)
	if err != nil {
		return nil, err
	}
	core, err := coreDistances(ctx, m, p)
	if err != nil {
		return nil, err
	}
	var res *OPTICSResult
	if math.IsInf(p.MaxEps, 1) {
		res, err = opticsDense(ctx, m, core, p.Workers)
	} else {
		res, err = opticsRadius(ctx, m, core, p.MaxEps, p.LeafSize)
	}
	if err != nil {
		return nil, err
	}
	res.Labels, res.ClusterHierarchy = ClusterOpticsXi(res.Reachability, res.Predecessor, res.Ordering,
		p.MinSamples, p.MinClusterSize, p.Xi, !p.NoPredecessorCorrection)
	return res, nil
}

// round15 is np.around(x, decimals=15): multiply by 10**15 (exact in
// float64), round half to even, divide. For x >= ~9 the product is already
// an integer and only the multiply-divide round trip can move the last bit,
// exactly as it does in numpy.
func round15(x float64) float64 { return math.RoundToEven(x*1e15) / 1e15 }

// coreDistances is compute_optics_graph's core distance step, split over
// workers by contiguous ranges of points.
func coreDistances(ctx context.Context, m Matrix, p OPTICSParams) ([]float64, error) {
	tree := buildTree(m, p.LeafSize)
	core := make([]float64, m.Rows)
	w := min(p.Workers, m.Rows)
	var wg sync.WaitGroup
	for g := range w {
		lo, hi := g*m.Rows/w, (g+1)*m.Rows/w
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				if (i-lo)&1023 == 0 && ctx.Err() != nil {
					return
				}
				c := tree.kthDistance(m.Row(i), p.MinSamples)
				if c > p.MaxEps {
					c = inf
				}
				core[i] = round15(c)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("outlier: OPTICS core distances: %w", err)
	}
	return core, nil
}

func newOPTICSResult(n int) *OPTICSResult {
	r := &OPTICSResult{
		Ordering:     make([]int, n),
		Reachability: make([]float64, n),
		Predecessor:  make([]int, n),
	}
	for i := range n {
		r.Reachability[i] = inf
		r.Predecessor[i] = -1
	}
	return r
}

// ClusterOpticsDBSCAN is cluster_optics_dbscan(reachability, core_distances,
// ordering, eps): labels of a DBSCAN at eps (<= MaxEps) read off an OPTICS
// run in linear time; -1 is noise.
func ClusterOpticsDBSCAN(reach, core []float64, ordering []int, eps float64) []int {
	labels := make([]int, len(core))
	c := -1
	for _, i := range ordering {
		if reach[i] > eps && core[i] <= eps {
			c++
		}
		labels[i] = c
	}
	for i := range labels {
		if reach[i] > eps && !(core[i] <= eps) {
			labels[i] = -1
		}
	}
	return labels
}
