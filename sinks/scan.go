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

// ScanBatchRows is the number of rows per record that Scan yields.
const ScanBatchRows = 64 * 1024

// Scan reads every file the partition's manifest lists, in order, and calls
// fn with Arrow records of the dataset's schema. fn must not keep rec after
// it returns without calling Retain.
func (w *Warehouse) Scan(ctx context.Context, mem memory.Allocator, ds schemas.Dataset, p Partition, fn func(rec arrow.RecordBatch) error) error {
	m, err := w.Manifest(ds, p)
	if err != nil {
		return err
	}
	for _, f := range m.Files {
		path := filepath.Join(w.Dir(ds, p), f.Name)
		if err := scanFile(ctx, mem, ds, path, fn); err != nil {
			return fmt.Errorf("scan %s: %w", path, err)
		}
	}
	return nil
}

func scanFile(ctx context.Context, mem memory.Allocator, ds schemas.Dataset, path string, fn func(arrow.RecordBatch) error) error {
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
	order, err := columnOrder(pf.Schema(), ds.Schema)
	if err != nil {
		return err
	}
	byParquet := make([]int, len(order))
	for a, c := range order {
		byParquet[c] = a
	}

	b := array.NewRecordBuilder(mem, ds.Schema)
	defer b.Release()
	flush := func() error {
		if b.Field(0).Len() == 0 {
			return nil
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		return fn(rec)
	}
	rows := make([]parquet.Row, 1024)
	for _, rg := range pf.RowGroups() {
		rr := rg.Rows()
		for {
			if err := ctx.Err(); err != nil {
				rr.Close()
				return err
			}
			n, err := rr.ReadRows(rows)
			for _, row := range rows[:n] {
				for _, v := range row {
					appendValue(b.Field(byParquet[v.Column()]), v)
				}
				if b.Field(0).Len() >= ScanBatchRows {
					if err := flush(); err != nil {
						rr.Close()
						return err
					}
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rr.Close()
				return err
			}
		}
		if err := rr.Close(); err != nil {
			return err
		}
	}
	return flush()
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
