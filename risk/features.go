package risk

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/internal/intern"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Memory. The 7-day window is ~7M events for ~1M events a day. Per user the
// aggregator keeps fixed counters (userState, 40 bytes) and a map from
// token to index (intern.Table); devices are interned too. The user–device relation
// is a flat slice of (user, device) pairs packed into uint64, sorted and
// de-duplicated whenever it has doubled since the last time, so it stays
// near the number of distinct pairs instead of growing with events.
//
// Sharding. The per-user counters split by user_token hash with no
// exchange, like the tags stage. Accounts per device cannot: a device's
// users may live on any shard. Across machines that is a second pass: each
// shard emits its distinct (device, user) pairs partitioned by device hash,
// the device shards count users per device, and the counts are joined back
// to users by user hash to take the max. On one machine the pair slice does
// both passes in memory.

// kind is an event type that risk features count.
type kind int

const (
	login kind = iota
	loginFailed
	paymentFailed
	purchase
	nKinds
	other kind = -1
)

// kindColumns names each kind's columns in risk_features, less the window.
var kindColumns = [nKinds]string{"logins", "failed_logins", "failed_payments", "purchases"}

func kindOf(typ string) kind {
	switch typ {
	case "login":
		return login
	case "login_failed":
		return loginFailed
	case "payment_failed":
		return paymentFailed
	case "purchase":
		return purchase
	}
	return other
}

type userState struct {
	n24, n7 [nKinds]uint32
	devices uint32 // distinct devices in 7d, set by finish
	maxAcct uint32 // max accounts on one of them, set by finish
}

const (
	day  = int64(24 * 60 * 60 * 1000) // ms
	week = 7 * day
	// compactMin is the pair count below which the pair slice is not
	// compacted: sorting small slices often is wasted work.
	compactMin = 1 << 20
)

// aggregator folds events_clean records into per-user features.
type aggregator struct {
	asOf int64 // ms; the 24h window is (asOf-day, asOf], 7d (asOf-week, asOf]

	users []userState   // by user index
	ids   *intern.Table // user_token to user index

	devices   *intern.Table
	pairs     []uint64 // user<<32 | device
	compactAt int

	read, future, before int64 // scanned; after as_of; before the 7d window
}

func newAggregator(asOf int64) *aggregator {
	return &aggregator{
		asOf: asOf, ids: intern.New(), devices: intern.New(), compactAt: compactMin,
	}
}

// scanColumns are the events_clean columns the stage reads; Scan decodes
// no others.
var scanColumns = []string{"ts", "type", "user_token", "device_token"}

// column indices into the records Scan yields for scanColumns.
var (
	scanSchema, _ = sinks.Project(schemas.EventsClean.Schema, scanColumns)
	colTS         = scanSchema.FieldIndices("ts")[0]
	colType       = scanSchema.FieldIndices("type")[0]
	colUser       = scanSchema.FieldIndices("user_token")[0]
	colDevice     = scanSchema.FieldIndices("device_token")[0]
)

// add folds one events_clean record in. The record is not retained.
func (a *aggregator) add(rec arrow.RecordBatch) {
	var (
		ts      = rec.Column(colTS).(*array.Timestamp)
		types   = rec.Column(colType).(*array.String)
		users   = rec.Column(colUser).(*array.String)
		devices = rec.Column(colDevice).(*array.String)
	)
	n := int(rec.NumRows())
	a.read += int64(n)
	for i := range n {
		t := int64(ts.Value(i))
		switch {
		case t > a.asOf:
			a.future++
			continue
		case t <= a.asOf-week:
			a.before++
			continue
		}
		ix := a.user(users.Value(i))
		u := &a.users[ix]
		if k := kindOf(types.Value(i)); k != other {
			u.n7[k]++
			if t > a.asOf-day {
				u.n24[k]++
			}
		}
		// An empty device token carries no link between accounts.
		if d := devices.Value(i); d != "" {
			a.pairs = append(a.pairs, uint64(ix)<<32|uint64(a.devices.ID(d)))
			if len(a.pairs) >= a.compactAt {
				a.compact()
				a.compactAt = max(2*len(a.pairs), compactMin)
			}
		}
	}
}

func (a *aggregator) user(token string) uint32 {
	ix, added := a.ids.Add(token)
	if added {
		a.users = append(a.users, userState{})
	}
	return ix
}

// compact sorts the pairs and removes duplicates.
func (a *aggregator) compact() {
	slices.Sort(a.pairs)
	a.pairs = slices.Compact(a.pairs)
}

// finish derives the device features from the distinct pairs.
func (a *aggregator) finish() {
	a.compact()
	perDevice := make([]uint32, a.devices.Len())
	for _, p := range a.pairs {
		perDevice[uint32(p)]++
	}
	for _, p := range a.pairs {
		u := &a.users[p>>32]
		u.devices++
		u.maxAcct = max(u.maxAcct, perDevice[uint32(p)])
	}
	a.pairs = nil
}

// order returns the user indices sorted by token.
func (a *aggregator) order() []uint32 { return a.ids.Sorted() }
