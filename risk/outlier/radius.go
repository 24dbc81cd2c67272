package outlier

import "sync/atomic"

// radiusCount is query_radius(count_only=True) for one point, stopped as
// soon as the count reaches need (DBSCAN only asks whether a point has
// min_samples neighbours): a node whose box is farther than r is skipped,
// one wholly within r counts whole, a leaf counts the points with squared
// distance <= r*r. Up to need, the count is sklearn's.
func (t *kdTree) radiusCount(node int, pt []float64, b ball, need int) int {
	switch t.boxVsBall(node, pt, b) {
	case boxOutside:
		return 0
	case boxInside:
		return int(t.end[node] - t.start[node])
	}
	if t.leaf[node] {
		return t.countLeaf(node, pt, b.r2)
	}
	// The child holding pt first: it reaches need sooner.
	c1, c2 := 2*node+1, 2*node+2
	if !t.inBox(c1, pt) {
		c1, c2 = c2, c1
	}
	cnt := t.radiusCount(c1, pt, b, need)
	if cnt >= need {
		return cnt
	}
	return cnt + t.radiusCount(c2, pt, b, need-cnt)
}

// inBox reports whether pt lies in the node's bounding box.
func (t *kdTree) inBox(node int, pt []float64) bool {
	lo, hi := t.lo[node*t.d:(node+1)*t.d], t.hi[node*t.d:(node+1)*t.d]
	for j, x := range pt {
		if x < lo[j] || x > hi[j] {
			return false
		}
	}
	return true
}

// unionFind is a lock-free disjoint-set forest. Union links the larger
// root under the smaller, and path halving only moves pointers to smaller
// elements, so every pointer goes down and a CAS on a root is enough.
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
// tree as radiusCount does (so it finds the same neighbours). It skips
// what cannot change the sets: a subtree whose cores are known to be in
// one set already holding q, and single cores already in q's set.
type connector struct {
	t        *kdTree
	b        ball
	coreAt   []bool        // by tree position
	nodeCore []int32       // a core's position in the node, -1 if none
	uf       unionFind     // over tree positions
	joined   []atomic.Bool // all the node's cores are in one set
}

func (c *connector) visit(node int, pt []float64, q int32) {
	t, uf := c.t, c.uf
	rep := c.nodeCore[node]
	if rep < 0 {
		return
	}
	joined := c.joined[node].Load()
	if joined && uf.find(rep) == uf.find(q) {
		return
	}
	switch t.boxVsBall(node, pt, c.b) {
	case boxOutside:
		return
	case boxInside:
		if joined {
			uf.union(q, rep)
			return
		}
		for pos := int(t.start[node]); pos < int(t.end[node]); pos++ {
			if c.coreAt[pos] {
				uf.union(q, int32(pos))
			}
		}
		c.joined[node].Store(true)
		return
	}
	if t.leaf[node] {
		d, all, rq := t.d, true, uf.find(q)
		for pos := int(t.start[node]); pos < int(t.end[node]); pos++ {
			if !c.coreAt[pos] {
				continue
			}
			j := int32(pos)
			if uf.find(j) == rq {
				continue
			}
			if rdist(pt, t.pts[pos*d:(pos+1)*d]) <= c.b.r2 {
				uf.union(q, j)
				rq = uf.find(q)
			} else {
				all = false
			}
		}
		if all {
			c.joined[node].Store(true)
		}
		return
	}
	c1, c2 := 2*node+1, 2*node+2
	c.visit(c1, pt, q)
	c.visit(c2, pt, q)
	if !joined && c.isJoined(c1) && c.isJoined(c2) &&
		(c.nodeCore[c1] < 0 || c.nodeCore[c2] < 0 || uf.find(c.nodeCore[c1]) == uf.find(c.nodeCore[c2])) {
		c.joined[node].Store(true)
	}
}

func (c *connector) isJoined(node int) bool {
	return c.nodeCore[node] < 0 || c.joined[node].Load()
}

// borderer finds the smallest cluster label among the cores within r of a
// non-core point (-1 if none).
type borderer struct {
	t        *kdTree
	b        ball
	coreAt   []bool
	minLabel []int32 // smallest core label in the node, -1 if no core
	labelAt  []int32 // by position
}

func (b *borderer) visit(node int, pt []float64, best int32) int32 {
	t := b.t
	ml := b.minLabel[node]
	if ml < 0 || (best >= 0 && ml >= best) {
		return best
	}
	switch t.boxVsBall(node, pt, b.b) {
	case boxOutside:
		return best
	case boxInside:
		return ml
	}
	if t.leaf[node] {
		d := t.d
		for pos := int(t.start[node]); pos < int(t.end[node]); pos++ {
			if !b.coreAt[pos] {
				continue
			}
			l := b.labelAt[pos]
			if (best < 0 || l < best) && rdist(pt, t.pts[pos*d:(pos+1)*d]) <= b.b.r2 {
				best = l
			}
		}
		return best
	}
	best = b.visit(2*node+1, pt, best)
	return b.visit(2*node+2, pt, best)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// radiusIndices appends to out the points within r of pt, pt included if
// it is a point, in the order sklearn's KDTree.query_radius(sort_results=
// False) lists them (node by node, leaf order). OPTICS may use it for its
// max_eps neighbourhoods.
func (t *kdTree) radiusIndices(pt []float64, r float64, out []int) []int {
	return t.radiusAppend(0, pt, newBall(r), out)
}

func (t *kdTree) radiusAppend(node int, pt []float64, b ball, out []int) []int {
	switch t.boxVsBall(node, pt, b) {
	case boxOutside:
		return out
	case boxInside:
		return append(out, t.idx[t.start[node]:t.end[node]]...)
	}
	if t.leaf[node] {
		return t.appendLeaf(node, pt, b.r2, out)
	}
	out = t.radiusAppend(2*node+1, pt, b, out)
	return t.radiusAppend(2*node+2, pt, b, out)
}
