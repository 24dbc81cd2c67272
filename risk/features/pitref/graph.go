package pitref

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/veil-data/veil/risk/features"
)

// graph is the cluster graph of an Index: its nodes (interned with the
// index's keys) and its edges as the events that carry them, by ts. It
// answers the cluster features of many events at once (clusters), which
// Audit needs: a component can span most of history, so rebuilding it per
// row, as Compute does, would be too slow over a million events.
type graph struct {
	users    map[string]*keyEntry // the index's user keys, with their nodes
	isUser   []bool
	earliest []int64    // per user node, its earliest label's known_at; MaxInt64 without one
	ts       []int64    // per edge-carrying event (one with a user), by ts
	edges    [][4]int32 // its user, device, ip and card nodes; -1 when absent
}

// graphBuilder collects the graph while NewIndex walks history in ts order.
type graphBuilder struct{ g graph }

// node returns a new node for a value of ent, or -1 for an entity that is
// not in the graph (ip24).
func (b *graphBuilder) node(ent features.Entity) int32 {
	switch ent {
	case features.User, features.Device, features.IP, features.Card:
		b.g.isUser = append(b.g.isUser, ent == features.User)
		return int32(len(b.g.isUser) - 1)
	}
	return -1
}

// event adds an event's edges, given its nodes by entity; events must come
// in ts order.
func (b *graphBuilder) event(ts int64, nodes [features.NEntities]int32) {
	if nodes[features.User] < 0 {
		return // no user, no edge
	}
	b.g.ts = append(b.g.ts, ts)
	b.g.edges = append(b.g.edges, [4]int32{nodes[features.User], nodes[features.Device], nodes[features.IP], nodes[features.Card]})
}

func (b *graphBuilder) build(ix *Index, labels []features.Label) graph {
	g := b.g
	g.users = ix.byKey[features.User]
	g.earliest = make([]int64, len(g.isUser))
	for i := range g.earliest {
		g.earliest[i] = math.MaxInt64
	}
	for _, l := range labels {
		if en := g.users[l.User]; en != nil {
			g.earliest[en.node] = min(g.earliest[en.node], l.KnownAt)
		}
	}
	return g
}

type clusterFeatures struct{ size, fraud float64 }

// clusters returns cluster_size and cluster_fraud_accounts for each of evs.
// Events of one day share the graph's start, Day(t)-30d, so per day it
// adds edges in ts order and answers each event once every edge with
// ts < t, and none other, is in: the definition's graph, built once.
func (g *graph) clusters(evs []features.Event) []clusterFeatures {
	out := make([]clusterFeatures, len(evs))
	byDay := make(map[int64][]int)
	for i, e := range evs {
		out[i] = clusterFeatures{features.Null, features.Null}
		if e.Keys[features.User] != "" {
			byDay[features.Day(e.TS)] = append(byDay[features.Day(e.TS)], i)
		}
	}
	for d, idx := range byDay {
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(evs[a].TS, evs[b].TS) })
		uf := g.newUnionFind()
		p := sort.Search(len(g.ts), func(i int) bool { return g.ts[i] >= d-month })
		for _, i := range idx {
			t := evs[i].TS
			for ; p < len(g.ts) && g.ts[p] < t; p++ {
				for _, n := range g.edges[p][1:] {
					if n >= 0 {
						uf.union(g.edges[p][0], n)
					}
				}
			}
			en := g.users[evs[i].Keys[features.User]]
			if en == nil { // a user history never saw: alone
				out[i] = clusterFeatures{1, 0}
				continue
			}
			u := en.node
			r := uf.find(u)
			var fraud int
			for _, v := range uf.labelled[r] {
				if v != u && g.earliest[v] < t {
					fraud++
				}
			}
			out[i] = clusterFeatures{float64(uf.users[r]), float64(fraud)}
		}
	}
	return out
}

// unionFind keeps, per root, its component's node count (for union by
// size), user count and labelled users.
type unionFind struct {
	parent, size, users []int32
	labelled            map[int32][]int32
}

func (g *graph) newUnionFind() *unionFind {
	n := len(g.isUser)
	uf := &unionFind{parent: make([]int32, n), size: make([]int32, n), users: make([]int32, n), labelled: make(map[int32][]int32)}
	for i := range n {
		uf.parent[i], uf.size[i] = int32(i), 1
		if g.isUser[i] {
			uf.users[i] = 1
			if g.earliest[i] != math.MaxInt64 {
				uf.labelled[int32(i)] = []int32{int32(i)}
			}
		}
	}
	return uf
}

func (uf *unionFind) find(n int32) int32 {
	for uf.parent[n] != n {
		uf.parent[n] = uf.parent[uf.parent[n]] // path halving
		n = uf.parent[n]
	}
	return n
}

func (uf *unionFind) union(a, b int32) {
	a, b = uf.find(a), uf.find(b)
	if a == b {
		return
	}
	if uf.size[a] < uf.size[b] {
		a, b = b, a
	}
	uf.parent[b] = a
	uf.size[a] += uf.size[b]
	uf.users[a] += uf.users[b]
	if l := uf.labelled[b]; len(l) > 0 {
		uf.labelled[a] = append(uf.labelled[a], l...)
		delete(uf.labelled, b)
	}
}
