// Package outlier scores and clusters points the way scikit-learn 1.2 does:
// LocalOutlierFactor, DBSCAN and OPTICS over exact Euclidean neighbours.
//
// The results are scikit-learn's with algorithm='kd_tree', to the bit on
// every case the tests compare (sklearn_test.go; floats are held to 1e-12
// relative, the measured difference is 0): integer outputs equal, and ties
// broken as sklearn breaks them. That takes rebuilding sklearn's KDTree
// exactly (kdtree.go): the same nodes, the same split, and the same order of
// points inside each node, which comes from libstdc++'s std::nth_element
// (nthelement.go). Among points at the same distance, the k-NN heap keeps
// the ones met first in that order (knn.go), which decides who is whose
// neighbour on lattices and duplicates. Sums are taken in numpy's order
// (numpy.go), distances as sklearn's tree computes them (squared
// differences added dimension by dimension, square root last).
//
// One deliberate difference: with algorithm='auto' (the default),
// scikit-learn switches to brute force when d > 15 or n_neighbors >= n/2
// (for DBSCAN, when 5 >= n//2), and brute force computes distances as
// ||x||² - 2x·y + ||y||², which is not exact: two equal points can come out
// a little apart, and a distance equal to eps can fall on either side. veil
// always computes exact distances, so it equals sklearn with
// algorithm='kd_tree', and with 'auto' wherever 'auto' picks the tree.
//
// Memory stays O(n) (LOF keeps n_neighbors neighbours a point; DBSCAN keeps
// no neighbourhoods, unlike sklearn), and the work runs on Workers
// goroutines (0: GOMAXPROCS); results do not depend on Workers.
// Cancelling the context stops the work between chunks of points.
//
// Standardize is StandardScaler, to the bit as well. OPTICS's own notes
// (the steps it follows, its two main loops) head optics.go.
package outlier

import (
	"context"
	"math"
)

// Matrix is n points of d features, row-major: point i is
// Data[i*Cols:(i+1)*Cols].
type Matrix struct {
	Rows, Cols int
	Data       []float64
}

// Row returns point i.
func (m Matrix) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// LOFParams are LocalOutlierFactor's parameters; zero values take
// scikit-learn's defaults.
type LOFParams struct {
	NNeighbors int // 20
	// Contamination 0 is scikit-learn's "auto" (offset -1.5); otherwise the
	// offset is that percentile of the scores, in (0, 0.5].
	Contamination float64
	LeafSize      int // 30
	Workers       int // 0: GOMAXPROCS; results do not depend on it
}

// LOFResult is what LocalOutlierFactor.fit_predict leaves behind.
type LOFResult struct {
	NegativeOutlierFactor []float64 // scikit-learn's negative_outlier_factor_
	Offset                float64   // offset_
	Outlier               []bool    // NegativeOutlierFactor < Offset (fit_predict == -1)
	NNeighbors            int       // n_neighbors_ actually used
}

// DBSCANParams are DBSCAN's parameters (Euclidean).
type DBSCANParams struct {
	Eps        float64 // required, > 0
	MinSamples int     // 5; a point counts itself
	LeafSize   int     // 30
	Workers    int
}

// DBSCANResult holds labels_ (-1 noise, clusters from 0) and the core flags.
type DBSCANResult struct {
	Labels    []int
	Core      []bool
	NClusters int
}

// OPTICSParams are OPTICS's parameters with cluster_method='xi'.
type OPTICSParams struct {
	MinSamples     int     // 5
	MaxEps         float64 // 0 means +Inf
	Xi             float64 // 0.05
	MinClusterSize int     // 0: MinSamples
	// NoPredecessorCorrection turns off predecessor_correction (default on).
	NoPredecessorCorrection bool
	LeafSize                int // 30
	Workers                 int
}

// OPTICSResult holds OPTICS's fitted attributes.
type OPTICSResult struct {
	Ordering         []int
	Reachability     []float64 // +Inf where undefined
	CoreDistances    []float64
	Predecessor      []int // -1 where none
	Labels           []int // xi clusters, -1 noise
	ClusterHierarchy [][2]int
}

// LOF runs LocalOutlierFactor(n_neighbors, contamination).fit_predict.
func LOF(ctx context.Context, m Matrix, p LOFParams) (*LOFResult, error) { return lof(ctx, m, p) }

// DBSCAN runs DBSCAN(eps, min_samples).fit.
func DBSCAN(ctx context.Context, m Matrix, p DBSCANParams) (*DBSCANResult, error) {
	return dbscan(ctx, m, p)
}

// OPTICS runs OPTICS(min_samples, max_eps, xi).fit.
func OPTICS(ctx context.Context, m Matrix, p OPTICSParams) (*OPTICSResult, error) {
	return optics(ctx, m, p)
}

var inf = math.Inf(1)
