package sinks

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/parquet-go/parquet-go"

	"github.com/veil-data/veil/schemas"
)

// readerDatasets are every Parquet dataset plus a consumer_tags with an
// interests list, as the tag file declares it (tagging/spec.go).
func readerDatasets() []schemas.Dataset {
	var out []schemas.Dataset
	for _, ds := range schemas.Datasets {
		if ds.Schema != nil {
			out = append(out, ds)
		}
	}
	return append(out, schemas.ConsumerTagsWith([]arrow.Field{
		{Name: "age_band", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "interests", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}))
}

// anyRecord builds n rows of schema s: every type schemas/ uses, a null
// every third row of a nullable column, lists of 0..2 elements.
func anyRecord(mem memory.Allocator, s *arrow.Schema, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for i := range n {
		for c, f := range s.Fields() {
			if f.Nullable && i%3 == 0 {
				b.Field(c).AppendNull()
				continue
			}
			switch bb := b.Field(c).(type) {
			case *array.StringBuilder:
				bb.Append(fmt.Sprintf("%s_%d", f.Name, i%7))
			case *array.Int64Builder:
				bb.Append(int64(i))
			case *array.Int32Builder:
				bb.Append(int32(i))
			case *array.Float64Builder:
				bb.Append(float64(i) / 4)
			case *array.BooleanBuilder:
				bb.Append(i%2 == 0)
			case *array.TimestampBuilder:
				bb.Append(arrow.Timestamp(1763510400000 + int64(i)))
			case *array.ListBuilder:
				bb.Append(true)
				for k := range i % 3 {
					bb.ValueBuilder().(*array.StringBuilder).Append(fmt.Sprintf("cat%d", k))
				}
			default:
				panic(fmt.Sprintf("anyRecord: no case for %T (%s)", bb, f.Type))
			}
		}
	}
	return b.NewRecordBatch()
}

func writeAny(t *testing.T, w *Warehouse, mem memory.Allocator, ds schemas.Dataset, run string) string {
	t.Helper()
	p := Partition{DT: "2026-11-19", Sub: "x"}
	if ds.SubKey == "" {
		p.Sub = ""
	}
	pw, err := w.Begin(ds, p, "test", run)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	rec := anyRecord(mem, ds.Schema, 50)
	defer rec.Release()
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := pw.Commit(CommitInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if want := columnNames(ds); !slices.Equal(m.Columns, want) {
		t.Fatalf("manifest columns %v, want %v", m.Columns, want)
	}
	return filepath.Join(w.Dir(ds, p), m.Files[0].Name)
}

var createdByRE = regexp.MustCompile(`^veil version \S+ \(build [0-9a-f+dirty]*\)$`)

// TestArrowReaderSeesSchema reads every dataset's file with arrow-go's
// pqarrow, a reader veil did not write: columns in the schema's order,
// lists as Parquet LISTs of strings, timestamps as UTC milliseconds, and
// a created_by readers can parse.
func TestArrowReaderSeesSchema(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	for _, ds := range readerDatasets() {
		t.Run(ds.Name, func(t *testing.T) {
			path := writeAny(t, w, mem, ds, "run-"+ds.Name+fmt.Sprint(ds.Schema.NumFields()))
			rdr, err := file.OpenParquetFile(path, false)
			if err != nil {
				t.Fatal(err)
			}
			defer rdr.Close()
			if cb := rdr.MetaData().GetCreatedBy(); !createdByRE.MatchString(cb) {
				t.Errorf("created_by %q", cb)
			}
			// arrow-go's delta decoder leaks a few bytes it allocates
			// (v18.8.0), so the reader gets an unchecked allocator.
			fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.NewGoAllocator())
			if err != nil {
				t.Fatal(err)
			}
			got, err := fr.Schema()
			if err != nil {
				t.Fatal(err)
			}
			var names, want []string
			for _, f := range got.Fields() {
				names = append(names, f.Name)
			}
			for _, f := range ds.Schema.Fields() {
				want = append(want, f.Name)
			}
			if !slices.Equal(names, want) {
				t.Fatalf("arrow reader columns %v, want %v", names, want)
			}
			for i, f := range ds.Schema.Fields() {
				g := got.Field(i)
				switch f.Type.ID() {
				case arrow.LIST:
					l, ok := g.Type.(*arrow.ListType)
					if !ok || l.Elem().ID() != arrow.STRING {
						t.Errorf("%s read as %s, want list<string>", f.Name, g.Type)
					}
				case arrow.TIMESTAMP:
					ts, ok := g.Type.(*arrow.TimestampType)
					if !ok || ts.Unit != arrow.Millisecond || ts.TimeZone != "UTC" {
						t.Errorf("%s read as %s, want timestamp[ms, tz=UTC]", f.Name, g.Type)
					}
				default:
					if !arrow.TypeEqual(g.Type, f.Type) {
						t.Errorf("%s read as %s, want %s", f.Name, g.Type, f.Type)
					}
				}
				if g.Nullable != f.Nullable {
					t.Errorf("%s nullable %v, want %v", f.Name, g.Nullable, f.Nullable)
				}
			}
			checkParquetTypes(t, rdr.MetaData().Schema, ds.Schema)
			tbl, err := fr.ReadTable(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			if tbl.NumRows() != 50 {
				t.Errorf("read %d rows, want 50", tbl.NumRows())
			}
			if c := tbl.Schema().FieldIndices("interests"); len(c) == 1 {
				l := tbl.Column(c[0]).Data().Chunk(0).(*array.List)
				if !l.IsNull(0) || l.IsNull(1) || l.Len() != 50 {
					t.Fatalf("interests rows 0, 1 null %v, %v, len %d", l.IsNull(0), l.IsNull(1), l.Len())
				}
				lo, hi := l.ValueOffsets(2) // row 2 has two elements
				elems := l.ListValues().(*array.String)
				if hi-lo != 2 || elems.Value(int(lo)) != "cat0" || elems.Value(int(lo)+1) != "cat1" {
					t.Errorf("interests row 2 = offsets %d..%d", lo, hi)
				}
			}
		})
	}
}

// checkParquetTypes checks the logical types in the file's own schema:
// LIST on list groups, TIMESTAMP(isAdjustedToUTC=true, MILLIS) on
// timestamps, STRING on strings.
func checkParquetTypes(t *testing.T, ps *schema.Schema, s *arrow.Schema) {
	t.Helper()
	root := ps.Root()
	if root.NumFields() != s.NumFields() {
		t.Fatalf("file has %d top-level fields, schema %d", root.NumFields(), s.NumFields())
	}
	for i, f := range s.Fields() {
		n := root.Field(i)
		if n.Name() != f.Name {
			t.Fatalf("file field %d is %s, want %s", i, n.Name(), f.Name)
		}
		switch f.Type.ID() {
		case arrow.LIST:
			if _, ok := n.LogicalType().(schema.ListLogicalType); !ok {
				t.Errorf("%s: logical type %s, want LIST", f.Name, n.LogicalType())
			}
		case arrow.TIMESTAMP:
			ts, ok := n.LogicalType().(schema.TimestampLogicalType)
			if !ok || !ts.IsAdjustedToUTC() || ts.TimeUnit() != schema.TimeUnitMillis {
				t.Errorf("%s: logical type %s, want TIMESTAMP(UTC, MILLIS)", f.Name, n.LogicalType())
			}
		case arrow.STRING:
			if _, ok := n.LogicalType().(schema.StringLogicalType); !ok {
				t.Errorf("%s: logical type %s, want STRING", f.Name, n.LogicalType())
			}
		}
	}
}

// TestRewriteIsByteIdentical: the same rows give the same file, so a
// re-run partition's checksums do not change.
func TestRewriteIsByteIdentical(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ds := readerDatasets()[len(readerDatasets())-1]
	var sums [2][32]byte
	for i := range sums {
		w, _ := Open(t.TempDir())
		b, err := os.ReadFile(writeAny(t, w, mem, ds, fmt.Sprint("run-", i)))
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sha256.Sum256(b)
	}
	if sums[0] != sums[1] {
		t.Fatal("two writes of the same rows differ")
	}
}

// TestScanReadsNameOrderedFiles: files written before columns kept the
// schema's order (a parquet.Group sorts them by name) still scan.
func TestScanReadsNameOrderedFiles(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	m := writePartition(t, w, mem, "run-1", 10)
	p := Partition{DT: "2026-11-19", Sub: "events"}
	path := filepath.Join(w.Dir(schemas.Quarantine, p), m.Files[0].Name)

	// Rewrite the file with the columns sorted by name.
	ps, err := ParquetSchema("quarantine", schemas.Quarantine.Schema)
	if err != nil {
		t.Fatal(err)
	}
	g := parquet.Group{}
	for _, f := range ps.Fields() {
		g[f.Name()] = f
	}
	sorted := parquet.NewSchema("quarantine", g)
	if sorted.Columns()[0][0] != "field" {
		t.Fatalf("sorted schema starts with %v", sorted.Columns()[0])
	}
	rows, err := readRows(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	pw := parquet.NewGenericWriter[any](f, sorted)
	conv, err := parquet.Convert(sorted, ps)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conv.Convert(rows); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.WriteRows(rows); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	var n int
	err = w.Scan(context.Background(), mem, schemas.Quarantine, p, func(rec arrow.RecordBatch) error {
		lines := rec.Column(1).(*array.Int64)
		field := rec.Column(3).(*array.String)
		for i := range int(rec.NumRows()) {
			if lines.Value(i) != int64(n+1) || field.IsNull(i) != (n%2 == 0) {
				t.Errorf("row %d: line %d, field null %v", n, lines.Value(i), field.IsNull(i))
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Fatalf("scanned %d rows, want 10", n)
	}
}

func readRows(path string) ([]parquet.Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, err
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	rows := make([]parquet.Row, pf.NumRows())
	n, err := r.ReadRows(rows)
	if n != len(rows) {
		return nil, fmt.Errorf("read %d of %d rows: %w", n, len(rows), err)
	}
	return rows, nil
}
