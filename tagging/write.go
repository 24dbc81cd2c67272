package tagging

import (
	"context"
	"reflect"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/sinks"
)

// batchRows bounds the Arrow records the stage writes; tests lower it.
var batchRows = 64 * 1024

var stringsType = reflect.TypeOf([]string(nil))

// optedOut marks the consumers reg has opted out, by user index: looked
// up once, in index order (the token arena's order), for both datasets.
func optedOut(ids *tokenTable, reg *consent.Registry) []bool {
	out := make([]bool, ids.Len())
	for ix := range out {
		out[ix] = reg.OptedOut(ids.Name(uint32(ix)))
	}
	return out
}

// writer writes the tag datasets from a finished aggregator.
type writer struct {
	agg      *aggregator
	spec     *Spec
	asOf     arrow.Timestamp
	out      []bool   // by user index: opted out
	order    []uint32 // user indices by user_token
	honoured int64    // opted-out consumers left out of consumer_tags
	// The tag columns of each dataset, for their evaluation counts: each
	// is written on its own goroutine.
	ccols, mcols *columns
}

func (w *writer) evalCounts() (evals, hits int64) {
	for _, c := range []*columns{w.ccols, w.mcols} {
		if c == nil {
			continue
		}
		for _, e := range c.evs {
			evals += e.evals
			hits += e.hits
		}
	}
	return evals, hits
}

// columns appends tag values to a record builder's tag fields, which
// start at field offset.
type columns struct {
	evs  []*evaluator
	apps []func(any)
	// direct[i] copies tag i's aggregate when the tag is one (else nil):
	// typed, so that no value is boxed on the way.
	direct []func(*view)
}

func newColumns(b *array.RecordBuilder, offset int, tags []*Tag) *columns {
	c := &columns{}
	for i, t := range tags {
		e := newEvaluator(t)
		c.evs = append(c.evs, e)
		c.apps = append(c.apps, appender(b.Field(offset+i), t.kind))
		c.direct = append(c.direct, directAppender(b.Field(offset+i), t.direct))
	}
	return c
}

func (c *columns) append(v *view) error {
	for i, e := range c.evs {
		if d := c.direct[i]; d != nil {
			d(v)
			continue
		}
		r, err := e.eval(v)
		if err != nil {
			return err
		}
		c.apps[i](r)
	}
	return nil
}

// appender appends a tag value of kind k; "" and empty lists are null.
func appender(b array.Builder, k kind) func(any) {
	switch k {
	case kindString:
		sb := b.(*array.StringBuilder)
		return func(v any) {
			if s := v.(string); s != "" {
				sb.Append(s)
			} else {
				sb.AppendNull()
			}
		}
	case kindInt:
		ib := b.(*array.Int64Builder)
		return func(v any) { ib.Append(v.(int64)) }
	case kindDouble:
		fb := b.(*array.Float64Builder)
		return func(v any) { fb.Append(v.(float64)) }
	case kindBool:
		bb := b.(*array.BooleanBuilder)
		return func(v any) { bb.Append(v.(bool)) }
	default:
		lb := b.(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		return func(v any) { appendStrings(lb, vb, v.([]string)) }
	}
}

func appendStrings(lb *array.ListBuilder, vb *array.StringBuilder, l []string) {
	if len(l) == 0 {
		lb.AppendNull()
		return
	}
	lb.Append(true)
	for _, s := range l {
		vb.Append(s)
	}
}

// directAppender appends aggregate g as appender would its value; nil
// when g is nil.
func directAppender(b array.Builder, g *aggregate) func(*view) {
	switch {
	case g == nil:
		return nil
	case g.kind == kindString:
		sb := b.(*array.StringBuilder)
		return func(v *view) {
			if s := g.str(v); s != "" {
				sb.Append(s)
			} else {
				sb.AppendNull()
			}
		}
	case g.kind == kindInt:
		ib := b.(*array.Int64Builder)
		return func(v *view) { ib.Append(g.num(v)) }
	case g.kind == kindDouble:
		fb := b.(*array.Float64Builder)
		return func(v *view) { fb.Append(g.flt(v)) }
	case g.kind == kindStrings:
		lb := b.(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		return func(v *view) { appendStrings(lb, vb, g.list(v)) }
	}
	return nil // evaluated, as any other tag
}

// batcher writes a record builder's rows out every batchRows rows.
type batcher struct {
	b       *array.RecordBuilder
	fw      *sinks.ParquetWriter
	pending int
}

func (bt *batcher) row() error {
	if bt.pending++; bt.pending == batchRows {
		return bt.flush()
	}
	return nil
}

func (bt *batcher) flush() error {
	if bt.pending == 0 {
		return nil
	}
	rec := bt.b.NewRecordBatch()
	defer rec.Release()
	bt.pending = 0
	return bt.fw.Write(rec)
}

// consumers writes one consumer_tags row per consumer not opted out,
// sorted by user_token.
func (w *writer) consumers(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	b := array.NewRecordBuilder(job.Mem, w.spec.ConsumerTags().Schema)
	defer b.Release()
	token := b.Field(0).(*array.StringBuilder)
	asOf := b.Field(1).(*array.TimestampBuilder)
	cols := newColumns(b, 2, w.spec.Consumer)
	w.ccols = cols
	bt := &batcher{b: b, fw: fw}
	a := w.agg
	v := view{a: a}
	for n, ix := range w.order {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		if w.out[ix] {
			w.honoured++
			continue
		}
		tok := a.ids.Name(ix)
		v.ix, v.u, v.p = ix, a.users.at(int(ix)), nil
		token.Append(tok)
		asOf.Append(w.asOf)
		if err := cols.append(&v); err != nil {
			return 0, err
		}
		if err := bt.row(); err != nil {
			return 0, err
		}
	}
	if err := bt.flush(); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return fw.Rows(), nil
}

// merchantPairs writes one consumer_merchant_tags row per merchant and
// consumer not opted out, sorted by merchant_id then user_token.
func (w *writer) merchantPairs(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	a := w.agg
	// Invert the pairs: each merchant's pair indices, in user_token order.
	byMerchant := make([][]int32, a.merchants.Len())
	for _, ix := range w.order {
		if w.out[ix] {
			continue
		}
		for j := a.users.at(int(ix)).pairs; j >= 0; j = a.pairs.at(int(j)).next {
			m := a.pairs.at(int(j)).merchant
			byMerchant[m] = append(byMerchant[m], j)
		}
	}
	owner := make([]uint32, a.pairs.len())
	for ix := range a.users.len() {
		for j := a.users.at(ix).pairs; j >= 0; j = a.pairs.at(int(j)).next {
			owner[j] = uint32(ix)
		}
	}
	b := array.NewRecordBuilder(job.Mem, w.spec.ConsumerMerchantTags().Schema)
	defer b.Release()
	merchant := b.Field(0).(*array.StringBuilder)
	token := b.Field(1).(*array.StringBuilder)
	asOf := b.Field(2).(*array.TimestampBuilder)
	cols := newColumns(b, 3, w.spec.Merchant)
	w.mcols = cols
	bt := &batcher{b: b, fw: fw}
	v := view{a: a}
	for _, mid := range a.merchants.Sorted() {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		id := a.merchants.Name(mid)
		for _, j := range byMerchant[mid] {
			ix := owner[j]
			v.ix, v.u, v.p = ix, a.users.at(int(ix)), a.pairs.at(int(j))
			merchant.Append(id)
			token.Append(a.ids.Name(ix))
			asOf.Append(w.asOf)
			if err := cols.append(&v); err != nil {
				return 0, err
			}
			if err := bt.row(); err != nil {
				return 0, err
			}
		}
		byMerchant[mid] = nil
	}
	if err := bt.flush(); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return fw.Rows(), nil
}
