package outlier

import "sync/atomic"

// radiusCount is query_radius(count_only=True) for one point: a node whose
// box is farther than r is skipped, one wholly within r counts whole, a leaf
// counts the points with squared distance <= r2.
func (t *kdTree) radiusCount(node int, pt []float64, r, r2 float64) int {
	lb, ub := t.minMaxDist(node, pt)
	switch {
	case lb > r:
		return 0
	case ub <= r:
		return int(t.end[node] - t.start[node])
	case t.leaf[node]:
		cnt, d := 0, t.d
		for pos := int(t.start[node]); pos < int(t.end[node]); pos++ {
			if rdist(pt, t.pts[pos*d:(pos+1)*d]) <= r2 {
				cnt++
			}
		}
		return cnt
	}
	return t.radiusCount(2*node+1, pt, r, r2) + t.radiusCount(2*node+2, pt, r, r2)
}

// unionFind is a lock-free disjoint-set forest over point indices. A root
// is always the smallest index of its set: union links the larger root
// under the smaller, and path halving only moves pointers to smaller
// indices.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(x int32) int32 {
	for {
		p := atomic.LoadInt32(&u[x])
		if p == x {
			return x
		}
		gp := atomic.LoadInt32(&u[p])
		if gp != p {
			atomic.CompareAndSwapInt32(&u[x], p, gp)
		}
		x = gp
	}
}

func (u unionFind) union(a, b int32) {
	for {
		a, b = u.find(a), u.find(b)
		if a == b {
			return
		}
		if a > b {
			a, b = b, a
		}
		if atomic.CompareAndSwapInt32(&u[b], b, a) {
			return
		}
	}
}

// connector joins a core with the cores in its neighbourhood, visiting the
// tree as radiusCount does (so it finds the same neighbours).
type connector struct {
	t        *kdTree
	r, r2    float64
	coreAt   []bool  // by tree position
	nodeCore []int32 // a core in the node, -1 if none
	uf       unionFind
	joined   []atomic.Bool // all the node's cores are in one set
}

func (c *connector) visit(node int, pt []float64, q int32) {
	t := c.t
	if c.nodeCore[node] < 0 {
		return
	}
	lb, ub := t.minMaxDist(node, pt)
	switch {
	case lb > c.r:
		return
	case ub <= c.r:
		if c.joined[node].Load() {
			c.uf.union(q, c.nodeCore[node])
			return
		}
		for pos := int(t.start[node]); pos < int(t.end[node]); pos++ {
			if c.coreAt[pos] {
				c.uf.union(q, int32(t.idx[pos]))
			}
		}
		c.joined[node].Store(true)
		return
	case t.leaf[node]:
		d := t.d
		for pos := int(t.start[node]); pos < int(t.end[node]); pos++ {
			if c.coreAt[pos] && rdist(pt, t.pts[pos*d:(pos+1)*d]) <= c.r2 {
				c.uf.union(q, int32(t.idx[pos]))
			}
		}
		return
	}
	c.visit(2*node+1, pt, q)
	c.visit(2*node+2, pt, q)
}

// borderer finds the smallest cluster label among the cores within r of a
// non-core point (-1 if none).
type borderer struct {
	t        *kdTree
	r, r2    float64
	coreAt   []bool
	minLabel []int32 // smallest core label in the node, -1 if no core
	labels   []int
}

func (b *borderer) visit(node int, pt []float64, best int32) int32 {
	t := b.t
	ml := b.minLabel[node]
	if ml < 0 || (best >= 0 && ml >= best) {
		return best
	}
	lb, ub := t.minMaxDist(node, pt)
	switch {
	case lb > b.r:
		return best
	case ub <= b.r:
		return ml
	case t.leaf[node]:
		d := t.d
		for pos := int(t.start[node]); pos < int(t.end[node]); pos++ {
			if !b.coreAt[pos] {
				continue
			}
			l := int32(b.labels[t.idx[pos]])
			if (best < 0 || l < best) && rdist(pt, t.pts[pos*d:(pos+1)*d]) <= b.r2 {
				best = l
			}
		}
		return best
	}
	best = b.visit(2*node+1, pt, best)
	return b.visit(2*node+2, pt, best)
}
