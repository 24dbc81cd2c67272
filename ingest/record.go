package ingest

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/policy"
)

// buildRecord makes an Arrow record of rows idx of rs, building each
// column's buffers directly (sizes known, one copy per value) rather than
// through builders. The parse workers call it, so a chunk becomes a record
// in parallel, and the collector only decides which rows are kept.
//
// sizes, if not nil, carries each string column's byte size from one call
// to the next, so that the value buffer is allocated once at about the
// right size instead of measured first.
func buildRecord(schema *arrow.Schema, rs *policy.Rows, idx []int, sizes []int) arrow.RecordBatch {
	n := len(idx)
	cols := make([]arrow.Array, schema.NumFields())
	for c, f := range schema.Fields() {
		valid := make([]byte, bitutil.BytesForBits(int64(n)))
		nulls := 0
		setValid := func(k int, ok bool) {
			if ok {
				bitutil.SetBit(valid, k)
			} else {
				nulls++
			}
		}
		var bufs []*memory.Buffer
		switch f.Type.ID() {
		case arrow.STRING:
			size := 0
			if sizes != nil {
				size = sizes[c] + sizes[c]/8
			}
			offsets := make([]int32, n+1)
			data := make([]byte, 0, size)
			for k, j := range idx {
				s, ok := rs.String(j, c)
				setValid(k, ok)
				if ok {
					data = append(data, s...)
				}
				offsets[k+1] = int32(len(data))
			}
			if sizes != nil {
				sizes[c] = len(data)
			}
			bufs = []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data)}
		case arrow.TIMESTAMP, arrow.INT64:
			vals := make([]int64, n)
			for k, j := range idx {
				v, ok := rs.Int(j, c)
				setValid(k, ok)
				vals[k] = v
			}
			bufs = []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))}
		case arrow.INT32:
			vals := make([]int32, n)
			for k, j := range idx {
				v, ok := rs.Int(j, c)
				setValid(k, ok)
				vals[k] = int32(v)
			}
			bufs = []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(vals))}
		case arrow.FLOAT64:
			vals := make([]float64, n)
			for k, j := range idx {
				v, ok := rs.Float(j, c)
				setValid(k, ok)
				vals[k] = v
			}
			bufs = []*memory.Buffer{nil, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(vals))}
		default:
			panic(fmt.Sprintf("ingest: column type %s a policy cannot write", f.Type))
		}
		if nulls > 0 {
			bufs[0] = memory.NewBufferBytes(valid)
		}
		data := array.NewData(f.Type, n, bufs, nil, nulls, 0)
		cols[c] = array.MakeFromData(data)
		data.Release()
	}
	rec := array.NewRecordBatch(schema, cols, int64(n))
	for _, a := range cols {
		a.Release()
	}
	return rec
}
