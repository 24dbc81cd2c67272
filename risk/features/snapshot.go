package features

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Fields are the feature columns of risk_features and risk_training, in
// Defs order: Int features as int64, Float as float64, all nullable.
func Fields() []arrow.Field {
	fs := make([]arrow.Field, len(Defs))
	for i, d := range Defs {
		typ := arrow.DataType(arrow.PrimitiveTypes.Float64)
		if d.Kind == Int {
			typ = arrow.PrimitiveTypes.Int64
		}
		fs[i] = arrow.Field{Name: d.Name, Type: typ, Nullable: true}
	}
	return fs
}

// EntityRow is one entity's state as of a time: what risk_entities holds.
type EntityRow struct {
	Entity Entity
	Key    string
	Counts [NWindows][NCounts]int32
	// Links per window: for a user its devices, IPs and cards; for the
	// others the accounts seen with them. -1 where it does not apply.
	Devices, IPs, Cards, Accounts [NWindows]int32
	Fraud                         int32 // labelled accounts within 30d (device, ip, card), else -1
	Cluster                       int32 // accounts in a user's cluster, else -1
	Registered, FraudKnown        int64 // users: ms, 0 when unknown
}

// Snapshot calls fn for every entity with something inside 30 days of t,
// by entity then key, as of t (windows [t-W, t)). t must be the day the
// engine was last moved to (StartDay(t)): Snapshot then changes nothing
// Checkpoint reads, and the two may run at once.
func (g *Engine) Snapshot(t int64, fn func(*EntityRow) error) error {
	if t != g.day {
		return fmt.Errorf("features: snapshot as of %d, but the engine is at %d", t, g.day)
	}
	for k := range NEntities {
		for _, ix := range g.sortedIDs(k) {
			r := EntityRow{Entity: k, Key: g.ids[k].Name(ix), Fraud: -1, Cluster: -1}
			for w := range NWindows {
				r.Devices[w], r.IPs[w], r.Cards[w], r.Accounts[w] = -1, -1, -1, -1
			}
			s := &g.counts[k][ix]
			r.Counts = s.cnt
			active := !s.empty()
			for l, lk := range Links {
				if lk.From != k {
					continue
				}
				ls := g.links[l]
				var dst *[NWindows]int32
				switch lk.To {
				case Device:
					dst = &r.Devices
				case IP:
					dst = &r.IPs
				case Card:
					dst = &r.Cards
				case User:
					dst = &r.Accounts
				}
				for w := range NWindows {
					dst[w] = ls.count(ix, Window(w))
				}
				active = active || ls.count(ix, W30d) > 0
				if lk.To == User && fraudLink[k] == l {
					r.Fraud = ls.fraudCount(ix)
				}
			}
			if k == User {
				r.Registered, r.FraudKnown = g.reg[ix], g.labels[ix]
				r.Cluster, _ = g.graph.cluster(ix)
				active = active || r.Registered != 0 || r.FraudKnown != 0
			}
			if !active {
				continue
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
	}
	return nil
}
