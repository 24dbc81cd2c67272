package outlier

import (
	"context"
	"fmt"
	"sync/atomic"
)

// dbscan is DBSCAN(eps, min_samples, algorithm='kd_tree').fit in O(n)
// memory: sklearn stores every neighbourhood (O(n·neighbours)); veil makes
// three passes over the tree instead and keeps only per-point and per-node
// arrays.
//
//  1. Core flags: whether |N(i)|, the points within eps of i (i included),
//     reaches min_samples, counting with the tests sklearn's query_radius
//     makes (and stopping there).
//  2. Connect: a lock-free union-find joins each core to the cores in its
//     neighbourhood. A node wholly inside the ball joins all its cores
//     once; later visits join one of them (its cores are already one set).
//     Roots are the lowest index of their set, so the result does not
//     depend on scheduling.
//  3. Label: sklearn numbers clusters in the order its loop meets their
//     lowest-index core, so a cluster's label is the rank of its root; a
//     border point takes the first cluster that reaches it, which is the
//     smallest label among the cores within eps.
//
// sklearn's neighbourhood relation could in theory be asymmetric: a node
// wholly inside the ball is taken when sqrt(Σ box extent²) <= eps while a
// single point is taken when its squared distance <= eps², and the two
// roundings can disagree in the last bit for a distance equal to eps. veil
// treats the relation as symmetric; sklearn's outcome would then depend on
// its visiting order. No test data has shown it. (sklearn also takes that
// square root as pow(x, 0.5), veil as math.Sqrt; glibc's pow is within
// 0.52 ulp, so they could differ only for a sum within a hair of a rounding
// midpoint.)
func dbscan(ctx context.Context, m Matrix, p DBSCANParams) (*DBSCANResult, error) {
	if err := checkMatrix(m); err != nil {
		return nil, err
	}
	if !(p.Eps > 0) {
		return nil, fmt.Errorf("outlier: DBSCAN eps must be > 0")
	}
	ms := p.MinSamples
	if ms == 0 {
		ms = 5
	}
	if ms < 1 {
		return nil, fmt.Errorf("outlier: DBSCAN min_samples %d must be >= 1", ms)
	}
	n := m.Rows
	t := buildTree(m, p.LeafSize)
	bl := newBall(p.Eps)
	res := &DBSCANResult{Labels: make([]int, n), Core: make([]bool, n)}
	none := func() struct{} { return struct{}{} }

	// 1. Counts, in tree order for locality.
	err := parallelChunks(ctx, n, p.Workers, none, func(_ struct{}, lo, hi int) {
		for pos := lo; pos < hi; pos++ {
			i := t.idx[pos]
			res.Core[i] = t.radiusCount(0, m.Row(i), bl, ms) >= ms
		}
	})
	if err != nil {
		return nil, err
	}
	coreAt := make([]bool, n)           // by tree position
	nodeCore := make([]int32, t.nNodes) // a core's index in the node, or -1
	for pos, i := range t.idx {
		coreAt[pos] = res.Core[i]
	}
	for nd := range t.nNodes {
		nodeCore[nd] = -1
		for pos := int(t.start[nd]); pos < int(t.end[nd]); pos++ {
			if coreAt[pos] {
				nodeCore[nd] = int32(t.idx[pos])
				break
			}
		}
	}

	// 2. Connect cores.
	c := &connector{t: t, b: bl, coreAt: coreAt, nodeCore: nodeCore,
		uf: newUnionFind(n), joined: make([]atomic.Bool, t.nNodes)}
	err = parallelChunks(ctx, n, p.Workers, none, func(_ struct{}, lo, hi int) {
		for pos := lo; pos < hi; pos++ {
			if coreAt[pos] {
				i := t.idx[pos]
				c.visit(0, m.Row(i), int32(i))
			}
		}
	})
	if err != nil {
		return nil, err
	}

	// 3. Labels: cores by the rank of their root, then borders.
	for i := range res.Labels {
		res.Labels[i] = -1
		if res.Core[i] && c.uf.find(int32(i)) == int32(i) {
			res.Labels[i] = res.NClusters
			res.NClusters++
		}
	}
	for i := range res.Labels {
		if res.Core[i] {
			res.Labels[i] = res.Labels[c.uf.find(int32(i))]
		}
	}
	minLabel := make([]int32, t.nNodes) // smallest core label in the node
	for nd := range t.nNodes {
		minLabel[nd] = -1
		if nodeCore[nd] < 0 {
			continue
		}
		for pos := int(t.start[nd]); pos < int(t.end[nd]); pos++ {
			if l := int32(res.Labels[t.idx[pos]]); coreAt[pos] && (minLabel[nd] < 0 || l < minLabel[nd]) {
				minLabel[nd] = l
			}
		}
	}
	b := &borderer{t: t, b: bl, coreAt: coreAt, minLabel: minLabel, labels: res.Labels}
	err = parallelChunks(ctx, n, p.Workers, none, func(_ struct{}, lo, hi int) {
		for pos := lo; pos < hi; pos++ {
			i := t.idx[pos]
			if !res.Core[i] {
				res.Labels[i] = int(b.visit(0, m.Row(i), -1))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
