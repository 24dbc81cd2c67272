package pitref

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/veil-data/veil/risk/features"
)

// graph is the cluster graph of an Index: its nodes interned once, and its
// edges as the events that carry them, by ts. It answers the cluster
// features of many events at once (clusters), which Audit needs: a
// component can span most of history, so rebuilding it per row, as Compute
// does, would be too slow over a million events.
type graph struct {
	nodeOf   map[node]int32
	isUser   []bool
	earliest []int64    // per user node, its earliest label's known_at; MaxInt64 without one
	ts       []int64    // per edge-carrying event (one with a user), by ts
	edges    [][4]int32 // its user, device, ip and card nodes; -1 when absent
}

var edgeEnds = [3]features.Entity{features.Device, features.IP, features.Card}

func newGraph(ix *Index, labels []features.Label) graph {
	g := graph{nodeOf: make(map[node]int32)}
	intern := func(n node) int32 {
		id, ok := g.nodeOf[n]
		if !ok {
			id = int32(len(g.isUser))
			g.nodeOf[n] = id
			g.isUser = append(g.isUser, n.ent == features.User)
		}
		return id
	}
	var pos []int32
	for i, ev := range ix.history {
		if ev.Keys[features.User] != "" {
			pos = append(pos, int32(i))
		}
	}
	ix.sortByTS(pos)
	g.ts = make([]int64, len(pos))
	g.edges = make([][4]int32, len(pos))
	for i, p := range pos {
		ev := &ix.history[p]
		g.ts[i] = ev.TS
		g.edges[i][0] = intern(node{features.User, ev.Keys[features.User]})
		for j, ent := range edgeEnds {
			g.edges[i][j+1] = -1
			if k := ev.Keys[ent]; k != "" {
				g.edges[i][j+1] = intern(node{ent, k})
			}
		}
	}
	g.earliest = make([]int64, len(g.isUser))
	for i := range g.earliest {
		g.earliest[i] = math.MaxInt64
	}
	for _, l := range labels {
		if id, ok := g.nodeOf[node{features.User, l.User}]; ok && l.User != "" {
			g.earliest[id] = min(g.earliest[id], l.KnownAt)
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
			u, ok := g.nodeOf[node{features.User, evs[i].Keys[features.User]}]
			if !ok { // a user history never saw: alone
				out[i] = clusterFeatures{1, 0}
				continue
			}
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
