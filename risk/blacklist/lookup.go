package blacklist

import (
	"cmp"
	"slices"

	"github.com/veil-data/veil/risk/features"
)

// index maps each entity to its entries' positions; n is len(Entries)
// when it was built. Entries only grow, so a matching n means current.
type index struct {
	n int
	m map[key][]int32
}

func (l *List) index() *index {
	if ix := l.ix.Load(); ix != nil && ix.n == len(l.Entries) {
		return ix
	}
	ix := &index{n: len(l.Entries), m: make(map[key][]int32)}
	for i, e := range l.Entries {
		k := key{e.Entity, e.Token}
		ix.m[k] = append(ix.m[k], int32(i))
	}
	l.ix.Store(ix) // concurrent builders store equal indexes
	return ix
}

// AsOf returns the entries in force at t, in version order.
func (l *List) AsOf(t int64) []Entry {
	var out []Entry
	for _, e := range l.Entries {
		if e.InForce(t) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Version, b.Version) })
	return out
}

// Lookup reports the strongest entry in force at t on an entity: the
// highest severity, then the oldest version. An entry added at t is in
// force at t; none is visible before its AddedAt. Safe for concurrent
// use while nothing folds.
func (l *List) Lookup(e features.Entity, token string, t int64) (Entry, bool) {
	var best *Entry
	for _, i := range l.index().m[key{e, token}] {
		en := &l.Entries[i]
		if !en.InForce(t) {
			continue
		}
		if best == nil || en.Severity > best.Severity || (en.Severity == best.Severity && en.Version < best.Version) {
			best = en
		}
	}
	if best == nil {
		return Entry{}, false
	}
	return *best, true
}

// LookupBefore is what an event at t may see: the entries in force just
// before t. Features see only events strictly before t, and an entry
// admitted by the event itself (AddedAt == t) would leak its outcome
// into its own training row.
func (l *List) LookupBefore(e features.Entity, token string, t int64) (Entry, bool) {
	return l.Lookup(e, token, t-1)
}

// Listable are the entities entries are kept on; an event's IP prefix
// is not one of them.
var Listable = [...]features.Entity{features.User, features.Device, features.IP, features.Card}

// EventBefore appends to dst the strongest entry on each of an event's
// entities (keys as features.Event.Keys) in force just before t: what a
// decision on the event, and its training row, may know.
func (l *List) EventBefore(keys *[features.NEntities]string, t int64, dst []Entry) []Entry {
	for _, k := range Listable {
		if tok := keys[k]; tok != "" {
			if en, ok := l.LookupBefore(k, tok, t); ok {
				dst = append(dst, en)
			}
		}
	}
	return dst
}

// Change is one version of the list: an entry added or a lift applied.
type Change struct {
	Version  int64  `json:"version"`
	Kind     string `json:"kind"` // "add" or "lift"
	At       int64  `json:"at"`   // ms: AddedAt, or the lift's time
	Entity   string `json:"entity"`
	Token    string `json:"token"`
	Reason   string `json:"reason,omitempty"`
	Severity int    `json:"severity,omitempty"`
	Source   string `json:"source,omitempty"`
	RunID    string `json:"run_id,omitempty"`
	Expires  int64  `json:"expires_at,omitempty"`
	Case     string `json:"case,omitempty"`
	Ended    int    `json:"entries_ended,omitempty"` // entries a lift ended
}

// History lists every change in version order.
func (l *List) History() []Change {
	ended := map[int64]int{}
	out := make([]Change, 0, len(l.Entries)+len(l.Lifts))
	for _, e := range l.Entries {
		if e.LiftVersion != 0 {
			ended[e.LiftVersion]++
		}
		out = append(out, Change{Version: e.Version, Kind: "add", At: e.AddedAt, Entity: e.Entity.String(), Token: e.Token,
			Reason: e.Reason, Severity: e.Severity, Source: e.Source, RunID: e.RunID, Expires: e.ExpiresAt})
	}
	for _, r := range l.Lifts {
		out = append(out, Change{Version: r.Version, Kind: "lift", At: r.At, Entity: r.Entity.String(), Token: r.Token, Case: r.Case})
	}
	for i := range out {
		if out[i].Kind == "lift" {
			out[i].Ended = ended[out[i].Version]
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return cmp.Compare(a.Version, b.Version) })
	return out
}

// VersionAt is the version the list had at t: the last change made at or
// before t (versions grow with time within and across folds).
func (l *List) VersionAt(t int64) int64 {
	var v int64
	for _, e := range l.Entries {
		if e.AddedAt <= t {
			v = max(v, e.Version)
		}
	}
	for _, r := range l.Lifts {
		if r.At <= t {
			v = max(v, r.Version)
		}
	}
	return v
}
