package sinks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/veil-data/veil/schemas"
)

// Scan reads every file the partition's manifest lists, in order, and calls
// fn with one Arrow record per Parquet row group. With columns, records
// hold only those columns (in dataset order); without, all of them. fn
// must not keep rec after it returns without calling Retain.
func (w *Warehouse) Scan(ctx context.Context, mem memory.Allocator, ds schemas.Dataset, p Partition, fn func(rec arrow.RecordBatch) error, columns ...string) error {
	m, err := w.Manifest(ds, p)
	if err != nil {
		return err
	}
	schema, err := Project(ds.Schema, columns)
	if err != nil {
		return fmt.Errorf("scan %s: %w", ds.Name, err)
	}
	for _, f := range m.Files {
		path := filepath.Join(w.Dir(ds, p), f.Name)
		if err := scanFile(ctx, mem, ds, schema, path, fn); err != nil {
			return fmt.Errorf("scan %s: %w", path, err)
		}
	}
	return nil
}

// Project returns the sub-schema of s with the named fields, in s's order:
// the schema of the records Scan yields for those columns.
func Project(s *arrow.Schema, columns []string) (*arrow.Schema, error) {
	if len(columns) == 0 {
		return s, nil
	}
	want := map[string]bool{}
	for _, c := range columns {
		if !s.HasField(c) {
			return nil, fmt.Errorf("no column %q", c)
		}
		want[c] = true
	}
	var fields []arrow.Field
	for _, f := range s.Fields() {
		if want[f.Name] {
			fields = append(fields, f)
		}
	}
	return arrow.NewSchema(fields, nil), nil
}

// scanFile reads the projected columns of each row group column by column,
// page by page: no row assembly, and unread columns are never decoded.
func scanFile(ctx context.Context, mem memory.Allocator, ds schemas.Dataset, schema *arrow.Schema, path string, fn func(arrow.RecordBatch) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return err
	}
	want, err := ParquetSchema(ds.Name, ds.Schema)
	if err != nil {
		return err
	}
	if !parquet.SameNodes(pf.Schema(), want) {
		return fmt.Errorf("file schema does not match %s v%d", ds.Name, ds.Version)
	}
	order, err := columnOrder(pf.Schema(), schema)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	vals := make([]parquet.Value, 4096)
	for _, rg := range pf.RowGroups() {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunks := rg.ColumnChunks()
		b.Reserve(int(rg.NumRows()))
		for a, c := range order {
			if err := readColumn(chunks[c], b.Field(a), vals, schema.Field(a).Nullable); err != nil {
				return fmt.Errorf("column %s: %w", schema.Field(a).Name, err)
			}
		}
		rec := b.NewRecordBatch()
		err := fn(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func readColumn(cc parquet.ColumnChunk, b array.Builder, vals []parquet.Value, nullable bool) error {
	if lb, ok := b.(*array.ListBuilder); ok {
		return readList(cc, lb, vals, nullable)
	}
	return ReadPages(cc, vals, func(vs []parquet.Value) error {
		for _, v := range vs {
			appendValue(b, v)
		}
		return nil
	})
}

// ReadPages calls fn with the values of cc, page by page, len(vals) at a
// time. A value's bytes belong to its page and are valid only during fn.
func ReadPages(cc parquet.ColumnChunk, vals []parquet.Value, fn func([]parquet.Value) error) error {
	pages := cc.Pages()
	defer pages.Close()
	for {
		page, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		r := page.Values()
		for {
			n, err := r.ReadValues(vals)
			if ferr := fn(vals[:n]); ferr != nil {
				parquet.Release(page)
				return ferr
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parquet.Release(page)
				return err
			}
		}
		parquet.Release(page)
	}
}

func appendValue(b array.Builder, v parquet.Value) {
	if v.IsNull() {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		b.BinaryBuilder.Append(v.ByteArray())
	case *array.Int64Builder:
		b.Append(v.Int64())
	case *array.Int32Builder:
		b.Append(v.Int32())
	case *array.Float64Builder:
		b.Append(v.Double())
	case *array.BooleanBuilder:
		b.Append(v.Boolean())
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.Int64()))
	default:
		panic(fmt.Sprintf("sinks: unsupported builder %T", b))
	}
}
