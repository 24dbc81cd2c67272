package pitref

import (
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
			ms = append(ms, Mismatch{EventID: eventID, Feature: features.Defs[i].Name, Got: got[i], Want: want[i]})
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

// Index holds history indexed by entity key and live session, so that a row
// is recomputed from the few events that can matter to it rather than from
// all of history: built once, it serves any number of rows.
type Index struct {
	history []features.Event
	byKey   [features.NEntities]map[string][]int32 // positions in history, by ts
	byLive  map[string][]int32
	labels  map[string][]features.Label
}

// NewIndex indexes history and labels; it keeps history without copying,
// so the caller must not change it while the Index is in use.
func NewIndex(history []features.Event, labels []features.Label) *Index {
	ix := &Index{history: history, byLive: make(map[string][]int32), labels: make(map[string][]features.Label)}
	for ent := range ix.byKey {
		ix.byKey[ent] = make(map[string][]int32)
	}
	for i, ev := range history {
		for ent, k := range ev.Keys {
			if k != "" {
				ix.byKey[ent][k] = append(ix.byKey[ent][k], int32(i))
			}
		}
		if ev.Live != "" {
			ix.byLive[ev.Live] = append(ix.byLive[ev.Live], int32(i))
		}
	}
	byTS := func(a, b int32) int {
		if c := history[a].TS - history[b].TS; c != 0 {
			return int(c>>63) | 1 // the sign, without int64 to int overflow
		}
		return int(a - b)
	}
	for ent := range ix.byKey {
		for _, ps := range ix.byKey[ent] {
			slices.SortFunc(ps, byTS)
		}
	}
	for _, ps := range ix.byLive {
		slices.SortFunc(ps, byTS)
	}
	for _, l := range labels {
		ix.labels[l.User] = append(ix.labels[l.User], l)
	}
	return ix
}

// Audit recomputes rows against the indexed history; see the function Audit.
func (ix *Index) Audit(rows []Checked) []Mismatch {
	var ms []Mismatch
	for _, r := range rows {
		ms = append(ms, Diff(r.Event.ID, r.Row, ix.Compute(r.Event))...)
	}
	return ms
}

// Compute equals Compute(history, labels, e) on the indexed history.
func (ix *Index) Compute(e features.Event) features.Row {
	keyed, graph := ix.subsets(e)
	users := make(map[string]bool)
	var ls []features.Label
	for _, evs := range [][]features.Event{keyed, graph} {
		for _, ev := range evs {
			if u := ev.Keys[features.User]; u != "" && !users[u] {
				users[u] = true
				ls = append(ls, ix.labels[u]...)
			}
		}
	}
	return compute(keyed, graph, fraudUsers(ls, e.TS), e)
}

// subsets returns the events compute reads for e. keyed: the user's events
// before t (register has no horizon), the live session's before t (its
// start has none either), and the last 30d of events sharing e's device,
// ip, ip24 or card; every feature but the cluster reads only these. graph:
// the events with an edge in e's user's component over [Day(t)-30d, t),
// found breadth first; union-find over them gives the same component as
// over all of history, since every edge of a node reached is included.
// Labels are needed only for users of these events.
func (ix *Index) subsets(e features.Event) (keyed, graph []features.Event) {
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
		pos = append(pos, ix.span(ix.byKey[ent][k], from, t)...)
	}
	if e.Live != "" {
		pos = append(pos, ix.span(ix.byLive[e.Live], math.MinInt64, t)...)
	}
	keyed = ix.events(pos)

	u := e.Keys[features.User]
	if u == "" {
		return keyed, nil
	}
	from := features.Day(t) - month
	seen := map[node]bool{{features.User, u}: true}
	queue := []node{{features.User, u}}
	pos = pos[:0]
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, p := range ix.span(ix.byKey[n.ent][n.key], from, t) {
			ev := &ix.history[p]
			if ev.Keys[features.User] == "" {
				continue // no edge
			}
			pos = append(pos, p)
			next := []features.Entity{features.User}
			if n.ent == features.User {
				next = []features.Entity{features.Device, features.IP, features.Card}
			}
			for _, ent := range next {
				m := node{ent, ev.Keys[ent]}
				if m.key != "" && !seen[m] {
					seen[m] = true
					queue = append(queue, m)
				}
			}
		}
	}
	return keyed, ix.events(pos)
}

// span returns the positions of ps (sorted by ts) with from <= ts < to.
func (ix *Index) span(ps []int32, from, to int64) []int32 {
	lo := sort.Search(len(ps), func(i int) bool { return ix.history[ps[i]].TS >= from })
	hi := sort.Search(len(ps), func(i int) bool { return ix.history[ps[i]].TS >= to })
	return ps[lo:hi]
}

// events returns the distinct events at pos, each once.
func (ix *Index) events(pos []int32) []features.Event {
	pos = slices.Clone(pos)
	slices.Sort(pos)
	pos = slices.Compact(pos)
	evs := make([]features.Event, len(pos))
	for i, p := range pos {
		evs[i] = ix.history[p]
	}
	return evs
}
