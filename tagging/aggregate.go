package tagging

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/internal/intern"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Memory. The window is ~30M events for ~1M events a day, but tags need
// only a few numbers per consumer, so the aggregator keeps one fixed-size
// userState per user_token (184 bytes, plus 12 per category past the
// fourth), one pairState (64 bytes) per consumer and merchant, 16 bytes
// per priced purchase (for price percentiles), and a table from token to
// its index (tokens.go: ~80 bytes a token); every other string (category,
// attribute values, merchant ids) is interned once and referred to by a
// uint32. Events are folded in as they are scanned and never held.
//
// At 10M consumers (~40M events) the state is a few GB, so it is kept in
// fixed-size chunks (chunks.go) rather than slices grown by append, and
// holds no pointers, so the garbage collector does not trace it.
//
// Sharding. A consumer's tags depend on that consumer's events and, for
// price_pct, on each category's price distribution. The work splits by
// user_token: shard k of n keeps the tokens whose leading bytes fall in the
// k-th of n ranges (tokens are ciphertext, so uniformly spread) and writes
// its own sorted part file; the part files in shard order are sorted as one
// machine would have written them. The category price distributions are
// the one exchange: each shard's sorted per-category prices (or a mergeable
// quantile sketch of them) are merged before percentiles are assigned.

// Event types by index, in schemas.EventTypes order.
const nTypes = 12

var typeIndex = func() map[string]int {
	m := map[string]int{}
	for i, t := range schemas.EventTypes {
		m[t] = i
	}
	if len(m) != nTypes {
		panic("tagging: nTypes does not match schemas.EventTypes")
	}
	return m
}()

var typePurchase = typeIndex["purchase"]

// nPairTypes: pairs count the first five types (view, click, fav, cart,
// purchase), the ones a merchant relationship is made of.
const nPairTypes = 5

// The consumer attributes tagged with their most recent value.
const (
	attrAgeBand = iota
	attrGender
	attrCountry
	attrRegion
	nAttrs
)

var attrColumns = [nAttrs]string{"age_band", "gender", "country", "region"}

type catScore struct {
	cat   uint32 // interned category
	score uint32
}

// catNode is one of a consumer's categories past the inline ones; a
// consumer's form a list through next.
type catNode struct {
	catScore
	next int32
}

// inlineCats categories live in the userState itself: most consumers have
// no more, and scoring an event then touches no other memory.
const inlineCats = 4

// userState is one consumer's aggregates. active and bought are day masks:
// bit d is set when the consumer had an event (a purchase) d days before
// the as-of day.
type userState struct {
	counts                           [nTypes]uint32
	events, couponed, priced, nPairs uint32
	spend                            float64
	active, bought                   uint64
	// attr[k] is the interned most recent value of attribute k plus one;
	// 0 means none seen. attrTS[k] is its event time.
	attr   [nAttrs]uint32
	attrTS [nAttrs]int64
	// The consumer's nCats categories: the first inlineCats in cats, the
	// rest a list in aggregator.more from more (-1 for none); unordered
	// until finish sorts them by affinity.
	cats  [inlineCats]catScore
	more  int32
	nCats uint32
	pairs int32 // first of the consumer's pairs, -1 for none
}

// pairState is one consumer's aggregates with one merchant; pairs of a
// consumer form a list through next.
type pairState struct {
	counts           [nPairTypes]uint32
	events, couponed uint32
	merchant         uint32
	next             int32
	spend            float64
	active, bought   uint64
}

// pricedPurchase is a purchase with a category and an amount, kept until
// the category price distributions are known.
type pricedPurchase struct {
	user, cat uint32
	amount    float64
}

// aggregator folds events_clean records into per-consumer state.
type aggregator struct {
	spec    *Spec
	asOf    int64 // ms; events after it are not known yet
	asOfDay int64 // as_of's day number (ms / day)

	users     chunks[userState]
	pairs     chunks[pairState]
	more      chunks[catNode]
	ids       *tokenTable   // user_token to user index
	strs      *intern.Table // categories and attribute values
	merchants *intern.Table // merchant ids
	priced    []pricedPurchase
	pct       []int16 // by user: price_pct, after finish

	read, future, old, invalidMerchant int64 // events scanned, after as_of, before the mask, with an unusable merchant_id
}

const msPerDay = 24 * 60 * 60 * 1000

func newAggregator(spec *Spec, asOf int64) *aggregator {
	return &aggregator{
		spec: spec, asOf: asOf, asOfDay: asOf / msPerDay,
		ids: newTokenTable(), strs: intern.New(), merchants: intern.New(),
	}
}

// scanColumns are the events_clean columns the stage reads; Scan decodes
// no others.
var scanColumns = append([]string{"ts", "type", "user_token", "category", "coupon_id", "merchant_id", "amount"}, attrColumns[:]...)

// column indices into the records Scan yields for scanColumns.
var (
	scanSchema  = must(sinks.Project(schemas.EventsClean.Schema, scanColumns))
	colTS       = scanSchema.FieldIndices("ts")[0]
	colType     = scanSchema.FieldIndices("type")[0]
	colUser     = scanSchema.FieldIndices("user_token")[0]
	colCategory = scanSchema.FieldIndices("category")[0]
	colCoupon   = scanSchema.FieldIndices("coupon_id")[0]
	colMerchant = scanSchema.FieldIndices("merchant_id")[0]
	colAmount   = scanSchema.FieldIndices("amount")[0]
	colAttrs    = func() (c [nAttrs]int) {
		for k, name := range attrColumns {
			c[k] = scanSchema.FieldIndices(name)[0]
		}
		return c
	}()
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// nonEmpty returns row i of a nullable string column, or "" when it is null.
func nonEmpty(a *array.String, i int) string {
	if a.IsNull(i) {
		return ""
	}
	return a.Value(i)
}

// add folds one events_clean record in. The record is not retained.
func (a *aggregator) add(rec arrow.RecordBatch) {
	var (
		ts       = rec.Column(colTS).(*array.Timestamp)
		types    = rec.Column(colType).(*array.String)
		users    = rec.Column(colUser).(*array.String)
		category = rec.Column(colCategory).(*array.String)
		coupon   = rec.Column(colCoupon).(*array.String)
		merchant = rec.Column(colMerchant).(*array.String)
		amount   = rec.Column(colAmount).(*array.Float64)
		attrCols [nAttrs]*array.String
	)
	for k, c := range colAttrs {
		attrCols[k] = rec.Column(c).(*array.String)
	}
	n := int(rec.NumRows())
	a.read += int64(n)
	for i := range n {
		t := int64(ts.Value(i))
		if t > a.asOf {
			a.future++
			continue
		}
		ago := a.asOfDay - floorDiv(t, msPerDay)
		if ago >= maxWindowDays {
			a.old++ // an old event in a window partition: counted, not tagged
			continue
		}
		ti, ok := typeIndex[types.Value(i)]
		if !ok {
			continue // ingest admits only EventTypes
		}
		bit := uint64(1) << ago
		ix := a.user(users.Value(i))
		u := a.users.at(int(ix))
		u.events++
		u.counts[ti]++
		u.active |= bit
		var p *pairState
		if m := nonEmpty(merchant, i); m != "" {
			p = a.pair(ix, m)
		}
		if p != nil {
			p.events++
			p.active |= bit
			if ti < nPairTypes {
				p.counts[ti]++
			}
		}
		if ti == typePurchase {
			u.bought |= bit
			couponed := nonEmpty(coupon, i) != ""
			if couponed {
				u.couponed++
			}
			amt := math.NaN()
			if !amount.IsNull(i) {
				amt = amount.Value(i)
				u.spend += amt
				u.priced++
			}
			if p != nil {
				p.bought |= bit
				if couponed {
					p.couponed++
				}
				if !math.IsNaN(amt) {
					p.spend += amt
				}
			}
			if c := nonEmpty(category, i); c != "" && !math.IsNaN(amt) {
				a.priced = append(a.priced, pricedPurchase{user: ix, cat: a.strs.ID(c), amount: amt})
			}
		}
		if w := a.spec.weights[ti]; w > 0 {
			if c := nonEmpty(category, i); c != "" {
				a.addScore(u, a.strs.ID(c), w)
			}
		}
		for k, col := range attrCols {
			v := nonEmpty(col, i)
			if v == "" {
				continue
			}
			id := a.strs.ID(v) + 1
			// Newest wins; at equal times the greater value, so that
			// the result does not depend on the order rows are read.
			if u.attr[k] == 0 || t > u.attrTS[k] ||
				(t == u.attrTS[k] && id != u.attr[k] && v > a.strs.Name(u.attr[k]-1)) {
				u.attr[k], u.attrTS[k] = id, t
			}
		}
	}
}

func floorDiv(x, y int64) int64 {
	q := x / y
	if x%y != 0 && (x < 0) != (y < 0) {
		q--
	}
	return q
}

// user returns the index of token's state, creating it on first sight.
func (a *aggregator) user(token string) uint32 {
	ix, added := a.ids.Add(token)
	if added {
		a.users.add(userState{more: -1, pairs: -1})
	}
	return ix
}

// pair returns user ix's state with merchant m, creating it on first
// sight, or nil when m cannot scope a customer token (counted).
func (a *aggregator) pair(ix uint32, m string) *pairState {
	if !ValidMerchantID(m) {
		a.invalidMerchant++
		return nil
	}
	mid := a.merchants.ID(m)
	u := a.users.at(int(ix))
	for j := u.pairs; j >= 0; {
		p := a.pairs.at(int(j))
		if p.merchant == mid {
			return p
		}
		j = p.next
	}
	j := a.pairs.add(pairState{merchant: mid, next: u.pairs})
	u.pairs = int32(j)
	u.nPairs++
	return a.pairs.at(j)
}

func (a *aggregator) addScore(u *userState, cat, w uint32) {
	for k := range min(u.nCats, inlineCats) {
		if c := &u.cats[k]; c.cat == cat {
			c.score = satAdd(c.score, w)
			return
		}
	}
	for j := u.more; j >= 0; {
		c := a.more.at(int(j))
		if c.cat == cat {
			c.score = satAdd(c.score, w)
			return
		}
		j = c.next
	}
	if u.nCats < inlineCats {
		u.cats[u.nCats] = catScore{cat: cat, score: w}
	} else {
		u.more = int32(a.more.add(catNode{catScore: catScore{cat: cat, score: w}, next: u.more}))
	}
	u.nCats++
}

func satAdd(a, b uint32) uint32 {
	if a > math.MaxUint32-b {
		return math.MaxUint32
	}
	return a + b
}

// finish computes what needs every event first: each consumer's price
// percentile among the window's purchases of the same categories (the
// mid-rank percentile of each purchase price within its category, averaged
// over the consumer's priced purchases), and sorts each consumer's
// categories by affinity.
func (a *aggregator) finish() {
	a.pct = make([]int16, a.users.len())
	for i := range a.pct {
		a.pct[i] = -1
	}
	slices.SortFunc(a.priced, func(x, y pricedPurchase) int {
		if c := cmp.Compare(x.cat, y.cat); c != 0 {
			return c
		}
		return cmp.Compare(x.amount, y.amount)
	})
	sum := make(map[uint32]float64)
	cnt := make(map[uint32]uint32)
	for start := 0; start < len(a.priced); {
		end := start
		for end < len(a.priced) && a.priced[end].cat == a.priced[start].cat {
			end++
		}
		n := float64(end - start)
		for lo := start; lo < end; {
			hi := lo
			for hi < end && a.priced[hi].amount == a.priced[lo].amount {
				hi++
			}
			// below: lo-start purchases are cheaper; ties count half.
			p := (float64(lo-start) + float64(hi-lo)/2) / n
			for _, pp := range a.priced[lo:hi] {
				sum[pp.user] += p
				cnt[pp.user]++
			}
			lo = hi
		}
		start = end
	}
	for u, s := range sum {
		a.pct[u] = int16(math.Round(100 * s / float64(cnt[u])))
	}
	a.priced = nil
	// Sort each consumer's categories back into its inline ones, then
	// its list.
	var buf []catScore
	for ix := range a.users.len() {
		u := a.users.at(ix)
		if u.nCats < 2 {
			continue
		}
		buf = append(buf[:0], u.cats[:min(u.nCats, inlineCats)]...)
		for j := u.more; j >= 0; j = a.more.at(int(j)).next {
			buf = append(buf, a.more.at(int(j)).catScore)
		}
		slices.SortFunc(buf, func(x, y catScore) int {
			if c := cmp.Compare(y.score, x.score); c != 0 {
				return c
			}
			return strings.Compare(a.strs.Name(x.cat), a.strs.Name(y.cat))
		})
		k := copy(u.cats[:], buf)
		for j := u.more; j >= 0; j = a.more.at(int(j)).next {
			a.more.at(int(j)).catScore = buf[k]
			k++
		}
	}
}

// pricePct is user ix's price_pct, after finish.
func (a *aggregator) pricePct(ix uint32) int64 { return int64(a.pct[ix]) }

// topCategories appends user u's strongest categories to dst.
func (a *aggregator) topCategories(dst []string, u *userState) []string {
	n := min(int(u.nCats), a.spec.TopInterests)
	for _, c := range u.cats[:min(n, inlineCats)] {
		dst = append(dst, a.strs.Name(c.cat))
	}
	for j := u.more; j >= 0 && n > inlineCats; n-- {
		c := a.more.at(int(j))
		dst = append(dst, a.strs.Name(c.cat))
		j = c.next
	}
	return dst
}

// attr is the most recent value of attribute k for u, or "" if none.
func (a *aggregator) attr(u *userState, k int) string {
	if u.attr[k] == 0 {
		return ""
	}
	return a.strs.Name(u.attr[k] - 1)
}
