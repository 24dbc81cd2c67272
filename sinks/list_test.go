package sinks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/veil-data/veil/schemas"
)

// listTags is a test-only dataset with both kinds of list column: a
// nullable, dictionary-encoded one built with arrow.ListOf (nullable
// element field) and a required one without page bounds built with
// arrow.ListOfNonNullable.
var listTags = schemas.Dataset{
	Name:    "list_tags",
	Version: 1,
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "user_token", Type: arrow.BinaryTypes.String},
		{Name: "interests", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true,
			Metadata: arrow.NewMetadata([]string{schemas.EncodingKey}, []string{"dictionary"})},
		{Name: "events", Type: arrow.PrimitiveTypes.Int64},
		{Name: "codes", Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String),
			Metadata: arrow.NewMetadata([]string{schemas.BoundsKey}, []string{"skip"})},
	}, nil),
}

// listRow is one row of listTags; a nil interests is a null list.
type listRow struct {
	user      string
	interests []string
	events    int64
	codes     []string
}

// listRows makes n rows that cycle through null, empty, one-element and
// many-element lists (with an empty string among the elements).
func listRows(n int) []listRow {
	cats := []string{"beauty", "skincare", "electronics", "phones", "apparel", "shoes", "home"}
	rows := make([]listRow, n)
	for i := range rows {
		r := listRow{user: fmt.Sprintf("r_user_%06d", i), events: int64(i), codes: []string{}}
		switch i % 5 {
		case 0: // null
		case 1:
			r.interests = []string{}
		case 2:
			r.interests = []string{cats[i%len(cats)]}
		default:
			for k := range 2 + i%4 {
				r.interests = append(r.interests, cats[(i+k)%len(cats)])
			}
			if i%10 == 3 {
				r.interests = append(r.interests, "")
			}
		}
		if i%3 != 0 {
			r.codes = []string{fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", i+1)}
		}
		rows[i] = r
	}
	return rows
}

func listRecord(mem memory.Allocator, rows []listRow) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, listTags.Schema)
	defer b.Release()
	user := b.Field(0).(*array.StringBuilder)
	interests := b.Field(1).(*array.ListBuilder)
	events := b.Field(2).(*array.Int64Builder)
	codes := b.Field(3).(*array.ListBuilder)
	interest := interests.ValueBuilder().(*array.StringBuilder)
	code := codes.ValueBuilder().(*array.StringBuilder)
	for _, r := range rows {
		user.Append(r.user)
		if r.interests == nil {
			interests.AppendNull()
		} else {
			interests.Append(true)
			for _, v := range r.interests {
				interest.Append(v)
			}
		}
		events.Append(r.events)
		codes.Append(true)
		for _, v := range r.codes {
			code.Append(v)
		}
	}
	return b.NewRecordBatch()
}

// listsOf reads column c of rec back as Go slices, nil for a null list.
func listsOf(t *testing.T, col arrow.Array) [][]string {
	t.Helper()
	l, ok := col.(*array.List)
	if !ok {
		t.Fatalf("column is %T, want *array.List", col)
	}
	elems := l.ListValues().(*array.String)
	out := make([][]string, l.Len())
	for i := range out {
		if l.IsNull(i) {
			continue
		}
		lo, hi := l.ValueOffsets(i)
		out[i] = []string{}
		for j := lo; j < hi; j++ {
			out[i] = append(out[i], elems.Value(int(j)))
		}
	}
	return out
}

func sameList(a, b []string) bool { return (a == nil) == (b == nil) && slices.Equal(a, b) }

func TestListRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	p := Partition{DT: "2026-11-19"}
	pw, err := w.Begin(listTags, p, "tags", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}

	// All rows, then a selection in reverse order that crosses the row
	// group boundary, then a slice of the record (offsets not at zero).
	rows := listRows(80_000)
	rec := listRecord(mem, rows)
	defer rec.Release()
	want := slices.Clone(rows)
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	var sel []int
	for i := len(rows) - 1; i >= 0; i-- {
		if i%7 != 0 {
			sel = append(sel, i)
			want = append(want, rows[i])
		}
	}
	if len(rows)+len(sel) <= RowGroupRows {
		t.Fatalf("test writes %d rows, not past one row group", len(rows)+len(sel))
	}
	if err := fw.WriteRows(rec, sel); err != nil {
		t.Fatal(err)
	}
	part := rec.NewSlice(11, 611)
	defer part.Release()
	if err := fw.Write(part); err != nil {
		t.Fatal(err)
	}
	want = append(want, rows[11:611]...)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(CommitInfo{}); err != nil {
		t.Fatal(err)
	}

	var got []listRow
	var groups []int64
	err = w.Scan(context.Background(), mem, listTags, p, func(rec arrow.RecordBatch) error {
		if !rec.Schema().Equal(listTags.Schema) {
			t.Fatalf("scanned schema %v", rec.Schema())
		}
		groups = append(groups, rec.NumRows())
		user, events := rec.Column(0).(*array.String), rec.Column(2).(*array.Int64)
		interests, codes := listsOf(t, rec.Column(1)), listsOf(t, rec.Column(3))
		for i := range int(rec.NumRows()) {
			got = append(got, listRow{user.Value(i), interests[i], events.Value(i), codes[i]})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0] != RowGroupRows {
		t.Errorf("row groups %v, want two, the first of %d rows", groups, RowGroupRows)
	}
	if len(got) != len(want) {
		t.Fatalf("scanned %d rows, want %d", len(got), len(want))
	}
	var kinds [3]int // null, empty, non-empty interests seen
	for i := range want {
		g, w := got[i], want[i]
		if g.user != w.user || g.events != w.events || !sameList(g.interests, w.interests) || !sameList(g.codes, w.codes) {
			t.Fatalf("row %d = %#v, want %#v", i, g, w) // %#v tells a nil (null) list from an empty one
		}
		switch {
		case g.interests == nil:
			kinds[0]++
		case len(g.interests) == 0:
			kinds[1]++
		default:
			kinds[2]++
		}
	}
	if kinds[0] == 0 || kinds[1] == 0 || kinds[2] == 0 {
		t.Errorf("null/empty/non-empty lists read back: %v", kinds)
	}
}

func TestListProjection(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	p := Partition{DT: "2026-11-19"}
	rows := listRows(50)
	writeList(t, w, mem, p, rows)
	for _, cols := range [][]string{{"interests"}, {"codes", "events"}, {"interests", "user_token"}} {
		t.Run(strings.Join(cols, ","), func(t *testing.T) {
			err := w.Scan(context.Background(), mem, listTags, p, func(rec arrow.RecordBatch) error {
				if int(rec.NumCols()) != len(cols) {
					t.Fatalf("projected schema %v", rec.Schema())
				}
				for c, f := range rec.Schema().Fields() {
					if f.Type.ID() != arrow.LIST {
						continue
					}
					lists := listsOf(t, rec.Column(c))
					for i, r := range rows {
						want := r.codes
						if f.Name == "interests" {
							want = r.interests
						}
						if !sameList(lists[i], want) {
							t.Fatalf("%s row %d = %q, want %q", f.Name, i, lists[i], want)
						}
					}
				}
				return nil
			}, cols...)
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func writeList(t *testing.T, w *Warehouse, mem memory.Allocator, p Partition, rows []listRow) *Manifest {
	t.Helper()
	pw, err := w.Begin(listTags, p, "tags", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	rec := listRecord(mem, rows)
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
	return m
}

// TestListParquetLayout checks the file as a reader other than Scan sees
// it: a standard three-level LIST, optional only where the field is
// nullable, with the field's encoding and bounds metadata on the element.
func TestListParquetLayout(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	p := Partition{DT: "2026-11-19"}
	m := writeList(t, w, mem, p, listRows(1000))
	f, err := os.Open(filepath.Join(w.Dir(listTags, p), m.Files[0].Name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	s := pf.Schema()
	for _, c := range []struct {
		name     string
		optional bool
		maxDef   int
	}{{"interests", true, 2}, {"codes", false, 1}} {
		n := fieldNode(s, c.name)
		if lt := n.Type().LogicalType(); lt == nil || !isList(lt.Value) {
			t.Errorf("%s: logical type %v, want LIST", c.name, n.Type().LogicalType())
		}
		if n.Optional() != c.optional || n.Repeated() {
			t.Errorf("%s: optional %v, repeated %v", c.name, n.Optional(), n.Repeated())
		}
		list := fieldNode(n, "list")
		elem := fieldNode(list, "element")
		if !list.Repeated() || !elem.Required() || !elem.Leaf() || elem.Type().Kind() != parquet.ByteArray {
			t.Errorf("%s: list repeated %v, element required %v leaf %v", c.name, list.Repeated(), elem.Required(), elem.Leaf())
		}
		leaf, ok := s.Lookup(c.name, "list", "element")
		if !ok || leaf.MaxRepetitionLevel != 1 || leaf.MaxDefinitionLevel != c.maxDef {
			t.Errorf("%s: leaf %+v", c.name, leaf)
		}
	}
	order, err := columnOrder(s, listTags.Schema)
	if err != nil {
		t.Fatal(err)
	}
	cols := pf.Metadata().RowGroups[0].Columns
	interests, codes := cols[order[1]].MetaData, cols[order[3]].MetaData
	if !slices.Equal(interests.PathInSchema, []string{"interests", "list", "element"}) || !slices.Contains(interests.Encoding, format.RLEDictionary) {
		t.Errorf("interests column %v, encodings %v", interests.PathInSchema, interests.Encoding)
	}
	if codes.Statistics.MinValue != nil || codes.Statistics.MaxValue != nil {
		t.Errorf("codes has bounds %q..%q, want none", codes.Statistics.MinValue, codes.Statistics.MaxValue)
	}
	if interests.Statistics.MinValue == nil {
		t.Errorf("interests has no bounds")
	}
}

func isList(v format.LogicalTypeValue) bool {
	_, ok := v.(*format.ListType)
	return ok
}

func fieldNode(n parquet.Node, name string) parquet.Node {
	for _, f := range n.Fields() {
		if f.Name() == name {
			return f
		}
	}
	panic("no field " + name)
}

func TestListRejects(t *testing.T) {
	for _, typ := range []arrow.DataType{
		arrow.ListOf(arrow.PrimitiveTypes.Int64),
		arrow.ListOf(arrow.ListOf(arrow.BinaryTypes.String)),
		arrow.LargeListOf(arrow.BinaryTypes.String),
		arrow.StructOf(arrow.Field{Name: "a", Type: arrow.BinaryTypes.String}),
		arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String),
	} {
		s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: typ}}, nil)
		if _, err := ParquetSchema("t", s); err == nil {
			t.Errorf("%s accepted", typ)
		}
	}

	// A null element fails the write before any column is written.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w, _ := Open(t.TempDir())
	pw, err := w.Begin(listTags, Partition{DT: "2026-11-19"}, "tags", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, listTags.Schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"a", "b"}, nil)
	l := b.Field(1).(*array.ListBuilder)
	l.Append(true)
	l.ValueBuilder().(*array.StringBuilder).Append("x")
	l.Append(true)
	l.ValueBuilder().AppendNull()
	b.Field(2).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(3).(*array.ListBuilder).AppendEmptyValues(2)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := fw.WriteRows(rec, []int{0}); err != nil {
		t.Fatalf("row without a null element: %v", err)
	}
	err = fw.Write(rec)
	if err == nil || !strings.Contains(err.Error(), "interests") || !strings.Contains(err.Error(), "row 1") {
		t.Fatalf("null element: err %v", err)
	}
	if fw.Rows() != 1 {
		t.Fatalf("rows %d after a rejected record, want 1", fw.Rows())
	}
}
