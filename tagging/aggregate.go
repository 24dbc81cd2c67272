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
// userState per user_token (72 bytes plus 8 per category the consumer
// touched), 24 bytes plus 4 per merchant the consumer was seen with, and a
// map from token to its index; every other string (category, age band,
// country, region, merchant id, interests tag) is interned once and
// referred to by a uint32. Events are folded in as they are scanned and
// never held. Customer tokens are made one merchant at a time while
// merchant_audiences is written, so only one merchant's are held.
//
// Sharding. A consumer's tags depend only on that consumer's events, so the
// work splits by user_token with no exchange between shards: shard k of n
// keeps only the tokens whose hash (or, since tokens are ciphertext and so
// uniformly spread, whose leading bytes fall in the k-th of n ranges) maps
// to k, and writes its own sorted part file. With range sharding the part
// files in shard order are globally sorted by user_token, as one machine
// would have written them. A shard's merchant_audiences part holds its own
// consumers' pairs, sorted by merchant_id and customer_token within the
// part; readers that need one global order sort or merge the parts. Only the scan is repeated per shard; if that
// dominates, events_clean can be bucketed by the same hash when written.

// attrs are the consumer attributes tagged with their most recent value.
var attrs = [...]string{"age_band", "country", "region"}

const nAttrs = len(attrs)

type catScore struct {
	cat   uint32 // interned category
	score uint32
}

type userState struct {
	events, purchases, couponed uint32
	// attr[k] is the interned most recent value of attrs[k] plus one; 0
	// means none seen. attrTS[k] is its event time.
	attr   [nAttrs]uint32
	attrTS [nAttrs]int64
	cats   []catScore // unordered, one entry per category
}

// aggregator folds events_clean records into per-consumer tag state.
type aggregator struct {
	rules   Rules
	asOf    int64 // ms; events after it are not known yet
	weights map[string]uint32

	users []userState   // by user index
	ids   *intern.Table // user_token to user index
	strs  *intern.Table // categories and attribute values
	// interests[ix] is user ix's interned interests tag plus one, 0 for
	// none; filled by finish.
	interests []uint32
	merchants merchants

	read, future int64 // events scanned; events after as_of skipped
}

func newAggregator(r Rules, asOf int64) *aggregator {
	w := make(map[string]uint32, len(r.Weights))
	for t, v := range r.Weights {
		if v > 0 {
			w[t] = uint32(v)
		}
	}
	return &aggregator{
		rules: r, asOf: asOf, weights: w,
		ids:       intern.New(),
		strs:      intern.New(),
		merchants: newMerchants(),
	}
}

// scanColumns are the events_clean columns the stage reads; Scan decodes
// no others.
var scanColumns = append([]string{"ts", "type", "user_token", "category", "coupon_id", "merchant_id"}, attrs[:]...)

// column indices into the records Scan yields for scanColumns.
var (
	scanSchema  = must(sinks.Project(schemas.EventsClean.Schema, scanColumns))
	colTS       = scanSchema.FieldIndices("ts")[0]
	colType     = scanSchema.FieldIndices("type")[0]
	colUser     = scanSchema.FieldIndices("user_token")[0]
	colCategory = scanSchema.FieldIndices("category")[0]
	colCoupon   = scanSchema.FieldIndices("coupon_id")[0]
	colMerchant = scanSchema.FieldIndices("merchant_id")[0]
	colAttrs    = [nAttrs]int{
		scanSchema.FieldIndices(attrs[0])[0],
		scanSchema.FieldIndices(attrs[1])[0],
		scanSchema.FieldIndices(attrs[2])[0],
	}
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
		ix := a.user(users.Value(i))
		u := &a.users[ix]
		u.events++
		if m := nonEmpty(merchant, i); m != "" {
			a.merchants.add(ix, m)
		}
		typ := types.Value(i)
		if typ == "purchase" {
			u.purchases++
			if nonEmpty(coupon, i) != "" {
				u.couponed++
			}
		}
		if w := a.weights[typ]; w > 0 {
			if c := nonEmpty(category, i); c != "" {
				u.addScore(a.strs.ID(c), w)
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

// user returns the index of token's state, creating it on first sight.
func (a *aggregator) user(token string) uint32 {
	ix, added := a.ids.Add(token)
	if added {
		a.users = append(a.users, userState{})
	}
	return ix
}

func (u *userState) addScore(cat, w uint32) {
	for j := range u.cats {
		if u.cats[j].cat == cat {
			u.cats[j].score = satAdd(u.cats[j].score, w)
			return
		}
	}
	u.cats = append(u.cats, catScore{cat: cat, score: w})
}

func satAdd(a, b uint32) uint32 {
	if a > math.MaxUint32-b {
		return math.MaxUint32
	}
	return a + b
}

// order returns the user indices sorted by token.
func (a *aggregator) order() []uint32 { return a.ids.Sorted() }

// finish computes each consumer's interests tag once, for both outputs.
func (a *aggregator) finish() {
	a.interests = make([]uint32, len(a.users))
	var sb strings.Builder
	for ix := range a.users {
		if v := a.interestsTag(&a.users[ix], &sb); v != "" {
			a.interests[ix] = a.strs.ID(v) + 1
		}
	}
}

// interestsOf is user ix's interests tag, or "" if none; after finish.
func (a *aggregator) interestsOf(ix uint32) string {
	if a.interests[ix] == 0 {
		return ""
	}
	return a.strs.Name(a.interests[ix] - 1)
}

// interestsTag is the interests tag of u: its strongest categories,
// comma-separated, or "" when it has none. It reorders u.cats.
func (a *aggregator) interestsTag(u *userState, sb *strings.Builder) string {
	if len(u.cats) == 0 {
		return ""
	}
	slices.SortFunc(u.cats, func(x, y catScore) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		return strings.Compare(a.strs.Name(x.cat), a.strs.Name(y.cat))
	})
	sb.Reset()
	for j, c := range u.cats[:min(len(u.cats), a.rules.TopInterests)] {
		if j > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(a.strs.Name(c.cat))
	}
	return sb.String()
}

// discount is the discount-sensitivity tag of u, or "" with no purchases.
func (a *aggregator) discount(u *userState) string {
	if u.purchases == 0 {
		return ""
	}
	return a.rules.band(float64(u.couponed) / float64(u.purchases))
}

// attr is the most recent value of attrs[k] for u, or "" if none.
func (a *aggregator) attr(u *userState, k int) string {
	if u.attr[k] == 0 {
		return ""
	}
	return a.strs.Name(u.attr[k] - 1)
}
