package features

// graph is the user–device–IP–card graph as a union-find over all four
// entity kinds, which share one forest (id maps an entity's index to its
// node). Each root carries its component's number
// of accounts and of accounts with a fraud label. Links are never removed
// from a union-find, so the engine rebuilds it at the start of every day
// from the links still inside 30 days: cluster_size is therefore defined
// over [D0-30d, t), D0 being the event's day.
type graph struct {
	id     [NEntities][]int32 // node by entity index; -1 for none
	parent []int32
	users  []int32 // accounts in the component, at roots
	fraud  []int32 // labelled accounts in the component, at roots
}

func newGraph() *graph { return &graph{} }

// node returns e's node, adding it when add is set (else -1 if absent).
func (g *graph) node(e Entity, ix uint32, add bool) int32 {
	ids := g.id[e]
	if int(ix) < len(ids) && ids[ix] >= 0 {
		return ids[ix]
	}
	if !add {
		return -1
	}
	for int(ix) >= len(g.id[e]) {
		g.id[e] = append(g.id[e], -1)
	}
	n := int32(len(g.parent))
	g.id[e][ix] = n
	g.parent = append(g.parent, n)
	u := int32(0)
	if e == User {
		u = 1
	}
	g.users = append(g.users, u)
	g.fraud = append(g.fraud, 0)
	return n
}

func (g *graph) find(n int32) int32 {
	for g.parent[n] != n {
		g.parent[n] = g.parent[g.parent[n]] // path halving
		n = g.parent[n]
	}
	return n
}

// union joins the components of a and b, the smaller under the larger.
func (g *graph) union(a, b int32) {
	ra, rb := g.find(a), g.find(b)
	if ra == rb {
		return
	}
	if g.size(ra) < g.size(rb) || (g.size(ra) == g.size(rb) && ra > rb) {
		ra, rb = rb, ra
	}
	g.parent[rb] = ra
	g.users[ra] += g.users[rb]
	g.fraud[ra] += g.fraud[rb]
}

func (g *graph) size(r int32) int32 { return g.users[r] }

// link joins user u with entity e's node x.
func (g *graph) link(u uint32, e Entity, x uint32) {
	g.union(g.node(User, u, true), g.node(e, x, true))
}

// label counts user u as labelled in its component.
func (g *graph) label(u uint32) {
	g.fraud[g.find(g.node(User, u, true))]++
}

// cluster returns the accounts in u's component and the labelled ones.
func (g *graph) cluster(u uint32) (users, fraud int32) {
	n := g.node(User, u, false)
	if n == -1 {
		return 1, 0
	}
	r := g.find(n)
	return g.users[r], g.fraud[r]
}
