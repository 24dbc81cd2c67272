package reporting

import (
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// listTags is a test-only dataset shaped like consumer tags with
// interests as a real list<string> column.
var listTags = schemas.Dataset{
	Name:    "list_tags",
	Version: 1,
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "user_token", Type: arrow.BinaryTypes.String},
		{Name: "interests", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "events", Type: arrow.PrimitiveTypes.Int64},
	}, nil),
}

// writeListTags commits one partition of listTags, one row per list (nil
// is a null list).
func writeListTags(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, p sinks.Partition, lists [][]string) {
	t.Helper()
	pw, err := w.Begin(listTags, p, "tags", "tags-"+p.DT)
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
	interests := b.Field(1).(*array.ListBuilder)
	for i, l := range lists {
		b.Field(0).(*array.StringBuilder).Append(tok(string(rune('a' + i))))
		if l == nil {
			interests.AppendNull()
		} else {
			interests.Append(true)
			for _, v := range l {
				interests.ValueBuilder().(*array.StringBuilder).Append(v)
			}
		}
		b.Field(2).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(sinks.CommitInfo{}); err != nil {
		t.Fatal(err)
	}
}

// TestLeakCheckListElements plants a raw user id as one element of a
// list<string> column: the report's re-scan reads the list back from
// Parquet and finds it.
func TestLeakCheckListElements(t *testing.T) {
	raw := map[string]struct{}{"u42424242": {}}
	for _, c := range []struct {
		name  string
		lists [][]string
		want  []Finding
	}{
		{"clean", [][]string{nil, {}, {"beauty"}, {"beauty", "shoes"}}, nil},
		{"raw value in an element", [][]string{nil, {}, {"beauty"}, {"beauty", "u42424242"}},
			[]Finding{{Dataset: listTags.Name, Column: "interests", Kind: KindRawValue, Count: 1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			w := testwarehouse.Open(t)
			p := sinks.Partition{DT: "2026-11-19"}
			writeListTags(t, w, mem, p, c.lists)
			s := newScanner(raw)
			if err := s.scanPartition(context.Background(), w, mem, listTags, p); err != nil {
				t.Fatal(err)
			}
			got := s.result()
			// Two string columns: user_token (4 tokens) and interests (3 elements).
			if got.Passed != (c.want == nil) || !slices.Equal(got.Findings, c.want) || got.Columns != 2 || got.Cells != 4+3 {
				t.Fatalf("leak check %+v, want findings %+v", got, c.want)
			}
		})
	}
}
