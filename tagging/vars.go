package tagging

import (
	"encoding/binary"
	"math"
	"math/bits"

	"cel.dev/cel-go/common/types/ref"
)

// Aggregates are what tag expressions read: numbers veil computes per
// consumer (and per consumer and merchant) over the tag window, as of its
// end. Each is a CEL variable; a tag names the ones it needs and is
// evaluated once per distinct tuple of their values, so low-cardinality
// aggregates (bands, day counts, percents) make tags cheap and raw amounts
// make them cost one evaluation per consumer.

// kind is the CEL type of an aggregate or a tag.
type kind int

const (
	kindString kind = iota
	kindInt
	kindDouble
	kindBool
	kindStrings // list(string)
)

func (k kind) String() string {
	return [...]string{"string", "int", "double", "bool", "list(string)"}[k]
}

// Scope says whose aggregate or tag it is.
type Scope string

const (
	// ScopeConsumer: one value per consumer, platform-wide.
	ScopeConsumer Scope = "consumer"
	// ScopeMerchant: one value per consumer and merchant the consumer was
	// seen with; such expressions may also read consumer aggregates.
	ScopeMerchant Scope = "merchant"
)

// aggregate is one variable tag expressions can read.
type aggregate struct {
	name  string
	kind  kind
	scope Scope
	doc   string
	// One getter is set, by kind: typed so that building a memo key
	// boxes nothing.
	str  func(v *view) string
	num  func(v *view) int64
	flt  func(v *view) float64
	list func(v *view) []string
}

// value returns the aggregate's value for v, boxed for CEL.
func (g *aggregate) value(v *view) any {
	switch g.kind {
	case kindString:
		return g.str(v)
	case kindInt:
		return g.num(v)
	case kindDouble:
		return g.flt(v)
	default:
		return g.list(v)
	}
}

// appendKey appends a canonical binary form of the value to a memo key.
func (g *aggregate) appendKey(b []byte, v *view) []byte {
	switch g.kind {
	case kindString:
		return appendStr(b, g.str(v))
	case kindInt:
		return binary.LittleEndian.AppendUint64(b, uint64(g.num(v)))
	case kindDouble:
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(g.flt(v)))
	default:
		l := g.list(v)
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, s := range l {
			b = appendStr(b, s)
		}
		return b
	}
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// view is the consumer (and, for merchant scope, the pair) an expression is
// being evaluated for.
type view struct {
	a      *aggregator
	ix     uint32
	u      *userState
	p      *pairState // nil in consumer scope
	cats   []string   // the top categories of catsOf, strongest first
	catsOf *userState
}

// topCategories returns the consumer's top categories, worked out on
// first use for each consumer: merchant-scope tags seldom read them.
func (v *view) topCategories() []string {
	if v.catsOf != v.u {
		v.cats, v.catsOf = v.a.topCategories(v.cats[:0], v.u), v.u
	}
	return v.cats
}

// count returns the consumer's count of events of type t.
func (v *view) count(t int) int64 { return int64(v.u.counts[t]) }

func (v *view) pcount(t int) int64 { return int64(v.p.counts[t]) }

// daysAgo converts a day-activity mask (bit d: active d days before as_of)
// into days since the first (oldest) or last (newest) active day, -1 when
// the mask is empty.
func firstDaysAgo(mask uint64) int64 {
	if mask == 0 {
		return -1
	}
	return int64(63 - bits.LeadingZeros64(mask))
}

func lastDaysAgo(mask uint64) int64 {
	if mask == 0 {
		return -1
	}
	return int64(bits.TrailingZeros64(mask))
}

func pct(num, den float64) int64 {
	if den <= 0 {
		return 0
	}
	return int64(math.Round(100 * num / den))
}

func share(num, den uint32) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// typeCounts are the per-type count aggregates: name, event type.
var typeCounts = [...][2]string{
	{"views", "view"}, {"clicks", "click"}, {"favs", "fav"}, {"carts", "cart"},
	{"purchases", "purchase"}, {"payments", "payment"}, {"failed_payments", "payment_failed"},
	{"refunds", "refund"}, {"coupon_redeems", "coupon_redeem"}, {"logins", "login"},
}

// aggregates is the catalogue, in the order `veil tags check` prints it.
var aggregates = func() []aggregate {
	c := []aggregate{
		{name: "age_band", kind: kindString, scope: ScopeConsumer, doc: `most recent age band ("" if none)`,
			str: func(v *view) string { return v.a.attr(v.u, attrAgeBand) }},
		{name: "gender", kind: kindString, scope: ScopeConsumer, doc: `most recent gender ("" if none)`,
			str: func(v *view) string { return v.a.attr(v.u, attrGender) }},
		{name: "country", kind: kindString, scope: ScopeConsumer, doc: `most recent country ("" if none)`,
			str: func(v *view) string { return v.a.attr(v.u, attrCountry) }},
		{name: "region", kind: kindString, scope: ScopeConsumer, doc: `most recent region: province or country ("" if none)`,
			str: func(v *view) string { return v.a.attr(v.u, attrRegion) }},
		{name: "events", kind: kindInt, scope: ScopeConsumer, doc: "events in the window",
			num: func(v *view) int64 { return int64(v.u.events) }},
	}
	for _, tc := range typeCounts {
		t := typeIndex[tc[1]]
		c = append(c, aggregate{name: tc[0], kind: kindInt, scope: ScopeConsumer, doc: tc[1] + " events in the window",
			num: func(v *view) int64 { return v.count(t) }})
	}
	c = append(c,
		aggregate{name: "spend", kind: kindDouble, scope: ScopeConsumer, doc: "sum of purchase amounts",
			flt: func(v *view) float64 { return v.u.spend }},
		aggregate{name: "spend_units", kind: kindInt, scope: ScopeConsumer, doc: "spend in whole currency units, rounded down (few distinct values: cheap to tag by)",
			num: func(v *view) int64 { return int64(math.Floor(v.u.spend)) }},
		aggregate{name: "avg_order_value", kind: kindDouble, scope: ScopeConsumer, doc: "spend / purchases with an amount (0 if none)",
			flt: func(v *view) float64 {
				if v.u.priced == 0 {
					return 0.0
				}
				return v.u.spend / float64(v.u.priced)
			}},
		aggregate{name: "coupon_share", kind: kindDouble, scope: ScopeConsumer, doc: "share of purchases with a coupon (0 if none)",
			flt: func(v *view) float64 { return share(v.u.couponed, v.u.counts[typePurchase]) }},
		aggregate{name: "coupon_share_pct", kind: kindInt, scope: ScopeConsumer, doc: "coupon_share in whole percent",
			num: func(v *view) int64 { return pct(float64(v.u.couponed), float64(v.u.counts[typePurchase])) }},
		aggregate{name: "active_days", kind: kindInt, scope: ScopeConsumer, doc: "distinct days with an event",
			num: func(v *view) int64 { return int64(bits.OnesCount64(v.u.active)) }},
		aggregate{name: "purchase_days", kind: kindInt, scope: ScopeConsumer, doc: "distinct days with a purchase",
			num: func(v *view) int64 { return int64(bits.OnesCount64(v.u.bought)) }},
		aggregate{name: "first_seen_days", kind: kindInt, scope: ScopeConsumer, doc: "days from the first event in the window to as_of",
			num: func(v *view) int64 { return firstDaysAgo(v.u.active) }},
		aggregate{name: "last_seen_days", kind: kindInt, scope: ScopeConsumer, doc: "days from the last event to as_of",
			num: func(v *view) int64 { return lastDaysAgo(v.u.active) }},
		aggregate{name: "last_purchase_days", kind: kindInt, scope: ScopeConsumer, doc: "days from the last purchase to as_of (-1 if none)",
			num: func(v *view) int64 { return lastDaysAgo(v.u.bought) }},
		aggregate{name: "merchants", kind: kindInt, scope: ScopeConsumer, doc: "distinct merchants the consumer was seen with",
			num: func(v *view) int64 { return int64(v.u.nPairs) }},
		aggregate{name: "categories", kind: kindInt, scope: ScopeConsumer, doc: "distinct categories with affinity",
			num: func(v *view) int64 { return int64(v.u.nCats) }},
		aggregate{name: "top_categories", kind: kindStrings, scope: ScopeConsumer, doc: "the top_interests categories by affinity, strongest first, ties by name",
			list: func(v *view) []string { return v.topCategories() }},
		aggregate{name: "price_pct", kind: kindInt, scope: ScopeConsumer, doc: "mean percentile (0-100) of the consumer's purchase prices among the window's purchases of the same category (-1 if none)",
			num: func(v *view) int64 { return v.a.pricePct(v.ix) }},
	)
	m := []aggregate{
		{name: "merchant.events", kind: kindInt, doc: "events with the merchant",
			num: func(v *view) int64 { return int64(v.p.events) }},
	}
	for _, tc := range typeCounts[:5] {
		t := typeIndex[tc[1]]
		m = append(m, aggregate{name: "merchant." + tc[0], kind: kindInt, doc: tc[1] + " events with the merchant",
			num: func(v *view) int64 { return v.pcount(t) }})
	}
	m = append(m,
		aggregate{name: "merchant.spend", kind: kindDouble, doc: "sum of purchase amounts with the merchant",
			flt: func(v *view) float64 { return v.p.spend }},
		aggregate{name: "merchant.wallet_share_pct", kind: kindInt, doc: "merchant.spend / spend in whole percent (0 if no spend)",
			num: func(v *view) int64 { return pct(v.p.spend, v.u.spend) }},
		aggregate{name: "merchant.coupon_share_pct", kind: kindInt, doc: "share of purchases with the merchant that had a coupon, whole percent",
			num: func(v *view) int64 { return pct(float64(v.p.couponed), float64(v.p.counts[typePurchase])) }},
		aggregate{name: "merchant.active_days", kind: kindInt, doc: "distinct days with an event with the merchant",
			num: func(v *view) int64 { return int64(bits.OnesCount64(v.p.active)) }},
		aggregate{name: "merchant.purchase_days", kind: kindInt, doc: "distinct days with a purchase from the merchant (repeat purchases)",
			num: func(v *view) int64 { return int64(bits.OnesCount64(v.p.bought)) }},
		aggregate{name: "merchant.first_seen_days", kind: kindInt, doc: "days from the first event with the merchant to as_of",
			num: func(v *view) int64 { return firstDaysAgo(v.p.active) }},
		aggregate{name: "merchant.last_seen_days", kind: kindInt, doc: "days from the last event with the merchant to as_of",
			num: func(v *view) int64 { return lastDaysAgo(v.p.active) }},
		aggregate{name: "merchant.last_purchase_days", kind: kindInt, doc: "days from the last purchase from the merchant to as_of (-1 if none)",
			num: func(v *view) int64 { return lastDaysAgo(v.p.bought) }},
	)
	for i := range m {
		m[i].scope = ScopeMerchant
	}
	return append(c, m...)
}()

// aggregateByName indexes aggregates.
var aggregateByName = func() map[string]*aggregate {
	m := make(map[string]*aggregate, len(aggregates))
	for i := range aggregates {
		m[aggregates[i].name] = &aggregates[i]
	}
	return m
}()

// valueOf converts a CEL result to the Go value a tag column holds.
func valueOf(k kind, v ref.Val) (any, bool) {
	switch k {
	case kindString:
		s, ok := v.Value().(string)
		return s, ok
	case kindInt:
		n, ok := v.Value().(int64)
		return n, ok
	case kindDouble:
		f, ok := v.Value().(float64)
		return f, ok
	case kindBool:
		b, ok := v.Value().(bool)
		return b, ok
	case kindStrings:
		l, err := v.ConvertToNative(stringsType)
		if err != nil {
			return nil, false
		}
		return l, true
	}
	return nil, false
}

// AggregateInfo describes one aggregate for `veil tags check`.
type AggregateInfo struct {
	Name, Type, Doc string
	Scope           Scope
}

// Aggregates lists the aggregates tag expressions can read.
func Aggregates() []AggregateInfo {
	out := make([]AggregateInfo, len(aggregates))
	for i, a := range aggregates {
		out[i] = AggregateInfo{Name: a.name, Type: a.kind.String(), Doc: a.doc, Scope: a.scope}
	}
	return out
}
