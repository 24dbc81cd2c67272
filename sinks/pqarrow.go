package sinks

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/veil-data/veil/schemas"
)

// usePQArrow selects arrow-go's pqarrow writer instead of the parquet-go
// bridge; the benchmark compares the two.
var usePQArrow = false

// pqarrowWriter writes through arrow-go's pqarrow.FileWriter. Its Arrow
// schema has the same fields with list elements made non-nullable, so the
// file's schema is ParquetSchema's (Scan checks it).
type pqarrowWriter struct {
	fw     *pqarrow.FileWriter
	schema *arrow.Schema
}

func newPQArrow(w *ParquetWriter, mem memory.Allocator) (*pqarrowWriter, error) {
	s := w.schema
	fields := make([]arrow.Field, s.NumFields())
	props := []pq.WriterProperty{
		pq.WithAllocator(mem),
		pq.WithCompression(compress.Codecs.Zstd),
		pq.WithCompressionLevel(1),
		pq.WithDictionaryDefault(false),
		pq.WithMaxRowGroupLength(RowGroupRows),
		pq.WithCreatedBy(CreatedBy()),
		pq.WithPageIndexEnabled(true),
	}
	for i, f := range s.Fields() {
		path := strings.Join(leafPath(f), ".")
		if v, _ := f.Metadata.GetValue(schemas.EncodingKey); v == "dictionary" {
			props = append(props, pq.WithDictionaryFor(path, true))
		}
		if v, _ := f.Metadata.GetValue(schemas.BoundsKey); v == "skip" {
			props = append(props, pq.WithStatsFor(path, false), pq.WithPageIndexEnabledFor(path, false))
		}
		fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
		if l, ok := f.Type.(*arrow.ListType); ok {
			fields[i].Type = arrow.ListOfNonNullable(l.Elem())
		}
	}
	as := arrow.NewSchema(fields, nil)
	fw, err := pqarrow.NewFileWriter(as, w.out, pq.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		return nil, err
	}
	for _, kv := range [][2]string{{"veil.dataset", w.pw.ds.Name}, {"veil.schema_version", fmt.Sprint(w.pw.ds.Version)}} {
		if err := fw.AppendKeyValueMetadata(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	return &pqarrowWriter{fw: fw, schema: as}, nil
}

// write appends the rows of rec in sel (all when nil). A selection is
// written as its runs of consecutive rows, slices that share rec's
// buffers: the usual selection drops a few duplicates from a record.
func (p *pqarrowWriter) write(rec arrow.RecordBatch, sel []int) error {
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		cols[i] = c
		if _, ok := c.(*array.List); ok {
			d := array.NewData(p.schema.Field(i).Type, c.Len(), c.Data().Buffers(), c.Data().Children(), c.NullN(), c.Data().Offset())
			cols[i] = array.MakeFromData(d)
			d.Release()
			defer cols[i].Release()
		}
	}
	r := array.NewRecordBatch(p.schema, cols, rec.NumRows())
	defer r.Release()
	if sel == nil {
		return p.fw.WriteBuffered(r)
	}
	for lo := 0; lo < len(sel); {
		hi := lo + 1
		for hi < len(sel) && sel[hi] == sel[hi-1]+1 {
			hi++
		}
		s := r.NewSlice(int64(sel[lo]), int64(sel[hi-1]+1))
		err := p.fw.WriteBuffered(s)
		s.Release()
		if err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

func (p *pqarrowWriter) close() error { return p.fw.Close() }
