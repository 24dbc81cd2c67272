package pitref

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/veil-data/veil/risk/features"
)

// Checked is a row a stage wrote, with the event it was computed for.
type Checked struct {
	Event features.Event
	Row   features.Row
}

// Mismatch is one feature of one row that differs from the reference. It
// carries the event's id (a pseudonymous id) and feature values only, never
// an entity token.
type Mismatch struct {
	EventID string
	Feature string // a Defs name, or "row_length"
	Got     float64
	Want    float64
}

func (m Mismatch) String() string {
	return fmt.Sprintf("event %s: %s = %v, want %v", m.EventID, m.Feature, m.Got, m.Want)
}

// Same reports whether two feature values agree: bit for bit, with every
// NaN (null) equal to every other.
func Same(a, b float64) bool {
	if features.IsNull(a) || features.IsNull(b) {
		return features.IsNull(a) && features.IsNull(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// Diff lists the features where got differs from want (see Same). A row of
// the wrong length is one mismatch, "row_length".
func Diff(eventID string, got, want features.Row) []Mismatch {
	if len(got) != len(want) {
		return []Mismatch{{EventID: eventID, Feature: "row_length", Got: float64(len(got)), Want: float64(len(want))}}
	}
	var ms []Mismatch
	for i := range got {
		if !Same(got[i], want[i]) {
			name := fmt.Sprintf("column_%d", i)
			if i < len(features.Defs) {
				name = features.Defs[i].Name
			}
			ms = append(ms, Mismatch{EventID: eventID, Feature: name, Got: got[i], Want: want[i]})
		}
	}
	return ms
}

// Audit recomputes every row from history and labels and returns every
// feature that differs, in rows' order; none means the rows are exactly
// what the definitions give from what was known before each event.
func Audit(history []features.Event, labels []features.Label, rows []Checked) []Mismatch {
	return NewIndex(history, labels).Audit(rows)
}

// Index holds history indexed by entity key, live session and time, so that
// a row is recomputed from the few events that can matter to it rather than
// from all of history, and the cluster graph is built once per day of the
// rows rather than once per row: built once, it serves any number of rows.
type Index struct {
	history []features.Event
	byKey   [features.NEntities]map[string]*keyEntry
	byLive  map[string][]int32
	labels  map[string][]features.Label
	graph   graph
}

// keyEntry is one entity value: its events and its node in the graph.
type keyEntry struct {
	pos  []int32 // positions in history, by ts
	node int32
}

// NewIndex indexes history and labels; it keeps history without copying,
// so the caller must not change it while the Index is in use.
func NewIndex(history []features.Event, labels []features.Label) *Index {
	ix := &Index{history: history, byLive: make(map[string][]int32), labels: make(map[string][]features.Label)}
	// One sort by ts, on a compact copy of the times; appending in that
	// order leaves every per-key list sorted.
	ts := make([]int64, len(history))
	order := make([]int32, len(history))
	for i := range history {
		ts[i], order[i] = history[i].TS, int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(ts[a], ts[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for ent := range ix.byKey {
		ix.byKey[ent] = make(map[string]*keyEntry)
	}
	var g graphBuilder
	for _, p := range order {
		ev := &history[p]
		var nodes [features.NEntities]int32
		for ent, k := range ev.Keys {
			nodes[ent] = -1
			if k == "" {
				continue
			}
			en := ix.byKey[ent][k]
			if en == nil {
				en = &keyEntry{node: g.node(features.Entity(ent))}
				ix.byKey[ent][k] = en
			}
			en.pos = append(en.pos, p)
			nodes[ent] = en.node
		}
		if ev.Live != "" {
			ix.byLive[ev.Live] = append(ix.byLive[ev.Live], p)
		}
		if features.IsScored(ev.Type) { // browsing links nothing
			g.event(ev.TS, nodes)
		}
	}
	for _, l := range labels {
		ix.labels[l.User] = append(ix.labels[l.User], l)
	}
	ix.graph = g.build(ix, labels)
	return ix
}

// Audit recomputes rows against the indexed history; see the function Audit.
func (ix *Index) Audit(rows []Checked) []Mismatch {
	evs := make([]features.Event, len(rows))
	for i, r := range rows {
		evs[i] = r.Event
	}
	want := ix.Rows(evs)
	var ms []Mismatch
	for i, r := range rows {
		ms = append(ms, Diff(r.Event.ID, r.Row, want[i])...)
	}
	return ms
}

// Rows returns Compute(history, labels, e) for each of evs. The cluster
// features cost a pass over 30 days of history per distinct day of evs, so
// ask for many rows at once rather than one at a time.
func (ix *Index) Rows(evs []features.Event) []features.Row {
	clusters := ix.graph.clusters(evs)
	rows := make([]features.Row, len(evs))
	for i, e := range evs {
		keyed := ix.keyed(e)
		users := make(map[string]bool)
		var ls []features.Label
		for _, ev := range keyed {
			if u := ev.Keys[features.User]; u != "" && !users[u] {
				users[u] = true
				ls = append(ls, ix.labels[u]...)
			}
		}
		rows[i] = compute(keyed, fraudUsers(ls, e.TS), e)
		rows[i][features.FClusterSize] = clusters[i].size
		rows[i][features.FClusterFraud] = clusters[i].fraud
	}
	return rows
}

// keyed returns the events compute reads for e: the user's events before t
// (register has no horizon), the live session's before t (its start has
// none either) and the last 30d of events sharing e's device, ip, ip24 or
// card. The labels that matter are those of these events' users.
func (ix *Index) keyed(e features.Event) []features.Event {
	t := e.TS
	var pos []int32
	for ent, k := range e.Keys {
		if k == "" {
			continue
		}
		from := t - month
		if features.Entity(ent) == features.User {
			from = math.MinInt64
		}
		if en := ix.byKey[ent][k]; en != nil {
			pos = append(pos, ix.span(en.pos, from, t)...)
		}
	}
	if e.Live != "" {
		pos = append(pos, ix.span(ix.byLive[e.Live], math.MinInt64, t)...)
	}
	slices.Sort(pos)
	pos = slices.Compact(pos)
	evs := make([]features.Event, len(pos))
	for i, p := range pos {
		evs[i] = ix.history[p]
	}
	return evs
}

// span returns the positions of ps (sorted by ts) with from <= ts < to.
func (ix *Index) span(ps []int32, from, to int64) []int32 {
	lo := sort.Search(len(ps), func(i int) bool { return ix.history[ps[i]].TS >= from })
	hi := sort.Search(len(ps), func(i int) bool { return ix.history[ps[i]].TS >= to })
	return ps[lo:hi]
}
