package residual

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// listRecord builds a record with a list<string> column "interests" (nil
// is a null list) and a list<list<string>> column "nested" holding each
// row's list once more, one level down.
func listRecord(mem memory.Allocator, lists [][]string) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "interests", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "nested", Type: arrow.ListOf(arrow.ListOf(arrow.BinaryTypes.String)), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	flat := b.Field(0).(*array.ListBuilder)
	outer := b.Field(1).(*array.ListBuilder)
	inner := outer.ValueBuilder().(*array.ListBuilder)
	for _, l := range lists {
		if l == nil {
			flat.AppendNull()
			outer.AppendNull()
			continue
		}
		flat.Append(true)
		outer.Append(true)
		inner.Append(true)
		for _, v := range l {
			flat.ValueBuilder().(*array.StringBuilder).Append(v)
			inner.ValueBuilder().(*array.StringBuilder).Append(v)
		}
	}
	return b.NewRecordBatch()
}

func TestScanRecordLists(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	lists := [][]string{nil, {}, {"beauty"}, {"beauty", "shoes"}, {"shoes", "u00012345"}, {"home"}}
	rec := listRecord(mem, lists)
	defer rec.Release()

	s := NewScanner(rawNeedles())
	s.ScanRecord("consumer_tags", rec, nil)
	r := s.Result()
	want := []Finding{
		{"consumer_tags", "interests", RawExact, 1},
		{"consumer_tags", "nested", RawExact, 1},
	}
	if r.Passed || !slices.Equal(r.Findings, want) {
		t.Fatalf("findings %+v\nwant %+v", r.Findings, want)
	}
	if r.Cells != 2*6 {
		t.Errorf("cells = %d, want every element of both columns, 12", r.Cells)
	}

	// A slice of the record shares the whole child array: only the
	// elements of its own lists are its cells, and the raw value after
	// them is not a finding.
	part := rec.NewSlice(1, 4)
	defer part.Release()
	s = NewScanner(rawNeedles())
	s.ScanRecord("consumer_tags", part, nil)
	if r := s.Result(); !r.Passed || r.Cells != 2*3 {
		t.Fatalf("slice: %+v", r)
	}
}
