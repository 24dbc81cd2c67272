// Package pitref is the by-definition reference of veil's point-in-time
// risk features (features.Defs) and the leakage audit built on it.
//
// Compute rescans every given event and label for each feature family and
// keeps no state between calls, so no ordering, caching or eviction bug can
// make it read the future: it is the oracle the incremental engine in
// risk/features must match bit for bit, and what a training-set build
// recomputes a sample of its rows with (Audit). It is slow on purpose and
// shares nothing with the engine beyond the definitions (Defs, WindowMS,
// Ratio, Day).
//
// The rules it implements, for an event e at t = e.TS:
//   - only events with ts < t are read (equal ts never see each other), and
//     labels with known_at < t;
//   - window W is [t-W, t); the cluster graph spans [Day(t)-30d, t);
//   - an entity the event lacks (empty key) has all its features null; so
//     without a user, account_age_s (even with a signup time) and the
//     cluster features are null too.
//
// Audit reaches the same rows by a different road for speed (an index by
// key, and one union-find per day for the clusters, graph.go); the tests
// hold the two roads equal on adversarial streams (RandomStream).
package pitref

import (
	"slices"

	"github.com/veil-data/veil/risk/features"
)

const (
	day     = 86_400_000
	month   = 30 * day     // the 30d window, the live-session gap and the graph's span
	minute  = 60_000       // live_orders_first_minute's span
	amount4 = float64(1e4) // Amount4 is amount*1e4
)

// Compute returns the features of e from history and labels. history may be
// in any order and may hold e itself and events at or after e.TS: the rules
// ignore them. Every Defs column is filled; NaN is null.
func Compute(history []features.Event, labels []features.Label, e features.Event) features.Row {
	fraud := fraudUsers(labels, e.TS)
	row := compute(history, fraud, e)
	cluster(row, history, fraud, e)
	return row
}

// compute fills every feature but the cluster's from hist, which must hold
// at least every event sharing a key or the live session with e (Audit
// hands it only those; see Index.keyed).
func compute(hist []features.Event, fraud map[string]bool, e features.Event) features.Row {
	row := make(features.Row, len(features.Defs))
	for i := range row {
		row[i] = features.Null
	}
	counts(row, hist, e)
	links(row, hist, e)
	amounts(row, hist, e)
	accountAge(row, hist, e)
	liveSession(row, hist, e)
	fraudLinks(row, hist, fraud, e)
	return row
}

// fraudUsers are the users with a label known strictly before t; a user's
// earliest label is the one that counts, so any label before t will do.
func fraudUsers(labels []features.Label, t int64) map[string]bool {
	m := make(map[string]bool)
	for _, l := range labels {
		if l.User != "" && l.KnownAt < t {
			m[l.User] = true
		}
	}
	return m
}

// within reports whether ts lies in [t-span, t).
func within(ts, t, span int64) bool { return t-span <= ts && ts < t }

// counts fills FCount and FFailRatio for every entity e has.
func counts(row features.Row, hist []features.Event, e features.Event) {
	for ent := range features.NEntities {
		k := e.Keys[ent]
		if k == "" {
			continue
		}
		var n [features.NCounts][features.NWindows]int64
		for _, ev := range hist {
			if ev.Keys[ent] != k {
				continue
			}
			for c, typ := range features.CountTypes {
				if ev.Type != typ {
					continue
				}
				for w := range features.NWindows {
					if within(ev.TS, e.TS, features.WindowMS[w]) {
						n[c][w]++
					}
				}
			}
		}
		for c := range features.NCounts {
			for w := range features.NWindows {
				row[features.FCount[ent][c][w]] = float64(n[c][w])
			}
		}
		for w := range features.NWindows {
			failed, paid := n[features.FailedPayments][w], n[features.Payments][w]
			row[features.FFailRatio[ent][w]] = features.Ratio(float64(failed), float64(paid+failed))
		}
	}
}

// links fills FLink: distinct non-empty To keys among scored events that
// share e's From key.
func links(row features.Row, hist []features.Event, e features.Event) {
	for l, lk := range features.Links {
		k := e.Keys[lk.From]
		if k == "" {
			continue
		}
		for w := range features.NWindows {
			seen := make(map[string]bool)
			for _, ev := range hist {
				to := ev.Keys[lk.To]
				if ev.Keys[lk.From] == k && to != "" && features.IsScored(ev.Type) && within(ev.TS, e.TS, features.WindowMS[w]) {
					seen[to] = true
				}
			}
			row[features.FLink[l][w]] = float64(len(seen))
		}
	}
}

// amounts fills the event's amount, the user's 30d purchase mean, the
// amount against it and purchase velocity; it reads the user's purchase
// counts, so counts must run first.
func amounts(row features.Row, hist []features.Event, e features.Event) {
	amount := features.Null
	if e.HasAmount {
		amount = float64(e.Amount4) / amount4
	}
	row[features.FAmount] = amount
	u := e.Keys[features.User]
	if u == "" {
		return
	}
	var sum, n int64
	for _, ev := range hist {
		if ev.Type == "purchase" && ev.HasAmount && ev.Keys[features.User] == u && within(ev.TS, e.TS, month) {
			sum += ev.Amount4
			n++
		}
	}
	if n > 0 {
		// Exactly this expression: the engine computes the same one, so
		// the two agree bit for bit.
		mean := float64(sum) / float64(n) / amount4
		row[features.FUserAmountMean] = mean
		if e.HasAmount {
			row[features.FAmountVsMean] = features.Ratio(amount, mean)
		}
	}
	p24 := row[features.FCount[features.User][features.Purchases][features.W24h]]
	p30 := row[features.FCount[features.User][features.Purchases][features.W30d]]
	row[features.FPurchases24vs30] = features.Ratio(p24, p30/30)
}

// accountAge: from the feed's signup time, else the user's earliest
// register event before t, however old. It is a user feature, so an event
// without a user has none, signup time or not (the package's rule for an
// absent entity).
func accountAge(row features.Row, hist []features.Event, e features.Event) {
	if e.Keys[features.User] == "" {
		return
	}
	s, found := e.Signup, e.Signup != 0
	if !found {
		for _, ev := range hist {
			if ev.Type == "register" && ev.Keys[features.User] == e.Keys[features.User] && ev.TS < e.TS && (!found || ev.TS < s) {
				s, found = ev.TS, true
			}
		}
	}
	if found {
		row[features.FAccountAge] = float64(e.TS-s) / 1000
	}
}

// liveSession: the session restarts after a silence of more than 30d, and
// a session silent for more than 30d before t is no longer live.
func liveSession(row features.Row, hist []features.Event, e features.Event) {
	if e.Live == "" {
		return
	}
	var ts []int64
	for _, ev := range hist {
		if ev.Live == e.Live && ev.TS < e.TS {
			ts = append(ts, ev.TS)
		}
	}
	slices.Sort(ts)
	if len(ts) == 0 || ts[len(ts)-1] < e.TS-month {
		return
	}
	start := ts[0]
	for i := 1; i < len(ts); i++ {
		if ts[i]-ts[i-1] > month {
			start = ts[i]
		}
	}
	var orders int64
	for _, ev := range hist {
		if ev.Live == e.Live && ev.Type == "purchase" && start <= ev.TS && ev.TS < start+minute && ev.TS < e.TS {
			orders++
		}
	}
	row[features.FLiveSinceStart] = float64(e.TS-start) / 1000
	row[features.FLiveOrdersFirstMin] = float64(orders)
}

// node is a vertex of the cluster graph: entities are separate namespaces,
// so a user and a device with the same token are different nodes.
type node struct {
	ent features.Entity
	key string
}

// cluster fills cluster_size and cluster_fraud_accounts from a union-find
// over the user–device, user–ip and user–card edges in [Day(t)-30d, t).
// Without a user the event has no component: both stay null.
func cluster(row features.Row, hist []features.Event, fraud map[string]bool, e features.Event) {
	u := e.Keys[features.User]
	if u == "" {
		return
	}
	parent := map[node]node{{features.User, u}: {features.User, u}}
	var find func(n node) node
	find = func(n node) node {
		p, ok := parent[n]
		if !ok {
			parent[n] = n
			return n
		}
		if p == n {
			return n
		}
		r := find(p)
		parent[n] = r
		return r
	}
	from := features.Day(e.TS) - month
	for _, ev := range hist {
		eu := ev.Keys[features.User]
		if eu == "" || !features.IsScored(ev.Type) || ev.TS < from || ev.TS >= e.TS {
			continue
		}
		for _, ent := range []features.Entity{features.Device, features.IP, features.Card} {
			if k := ev.Keys[ent]; k != "" {
				a, b := find(node{features.User, eu}), find(node{ent, k})
				if a != b {
					parent[a] = b
				}
			}
		}
	}
	root := find(node{features.User, u})
	users := make(map[string]bool)
	for n := range parent {
		if n.ent == features.User && find(n) == root {
			users[n.key] = true
		}
	}
	var bad int64
	for v := range users {
		if v != u && fraud[v] {
			bad++
		}
	}
	row[features.FClusterSize] = float64(len(users))
	row[features.FClusterFraud] = float64(bad)
}

// fraudLinks fills device/ip/card_fraud_accounts_30d: labelled users other
// than e's with a scored event sharing that key in the last 30d.
func fraudLinks(row features.Row, hist []features.Event, fraud map[string]bool, e features.Event) {
	for ent, f := range features.FFraudLinks {
		k := e.Keys[ent]
		if f < 0 || k == "" {
			continue
		}
		users := make(map[string]bool)
		for _, ev := range hist {
			v := ev.Keys[features.User]
			if ev.Keys[ent] == k && v != "" && v != e.Keys[features.User] && fraud[v] && features.IsScored(ev.Type) && within(ev.TS, e.TS, month) {
				users[v] = true
			}
		}
		row[f] = float64(len(users))
	}
}
