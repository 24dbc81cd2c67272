package reporting

import (
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/anonymize/residual"
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
			got, err := s.result(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// Two string columns: user_token (4 tokens) and interests (3 elements).
			if got.Passed != (c.want == nil) || !slices.Equal(got.Findings, c.want) || got.Columns != 2 || got.Cells != 4+3 {
				t.Fatalf("leak check %+v, want findings %+v", got, c.want)
			}
		})
	}
}

// writeChats commits one chats_clean partition with one message per text,
// all in conversation conv.
func writeChats(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, p sinks.Partition, conv string, texts ...string) {
	t.Helper()
	pw, err := w.Begin(schemas.ChatsClean, p, "chats", "chats-"+p.DT)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, schemas.ChatsClean.Schema)
	defer b.Release()
	str := func(i int, v string) { b.Field(i).(*array.StringBuilder).Append(v) }
	for i, text := range texts {
		str(0, conv)
		str(1, conv+"-m"+string(rune('a'+i)))
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(1_763_600_000_000 + int64(i)))
		str(3, "m7838")
		str(4, tok("buyer"))
		str(5, "buyer")
		str(6, text)
		b.Field(7).(*array.Int32Builder).Append(0)
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

// TestLeakCheckIdentifiersAreNotText: the 14-day run's false leak. A
// conversation id of "cv-" and 16 hex digits that happen to be decimal
// and pass Luhn is an identifier, not a bank card; the same digits in the
// chat text are one. Checked with the policy's classes, as the report
// stage scans chats_clean, and with the classes the schema alone implies.
func TestLeakCheckIdentifiersAreNotText(t *testing.T) {
	const conv = "cv-4539578763621486" // 4539578763621486 passes Luhn
	if !pii.ValidLuhn(conv[3:]) {
		t.Fatal("the conversation id must carry a Luhn-valid digit run")
	}
	chats, err := policy.Default().Compile(schemas.Chats)
	if err != nil {
		t.Fatal(err)
	}
	card := []Finding{{Dataset: schemas.ChatsClean.Name, Column: "text", Kind: KindPIIPattern + string(pii.BankCard), Count: 1}}
	for _, c := range []struct {
		name       string
		withPolicy bool
		text       string
		want       []Finding
	}{
		{"conversation id, policy classes", true, "where is my parcel", nil},
		{"conversation id, schema classes", false, "where is my parcel", nil},
		{"card in the text, policy classes", true, "pay with 4539 5787 6362 1486", card},
		{"card in the text, schema classes", false, "pay with 4539578763621486 ok", card},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			w := testwarehouse.Open(t)
			p := sinks.Partition{DT: "2026-11-19"}
			writeChats(t, w, mem, p, conv, "hello", c.text)
			s := newScanner(map[string]struct{}{"u42424242": {}})
			if c.withPolicy {
				s.policy = map[string]map[string]residual.Class{schemas.ChatsClean.Name: residual.PolicyClasses(chats)}
			}
			if err := s.scanPartition(context.Background(), w, mem, schemas.ChatsClean, p); err != nil {
				t.Fatal(err)
			}
			got, err := s.result(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got.Passed != (c.want == nil) || !slices.Equal(got.Findings, c.want) {
				t.Fatalf("leak check %+v, want findings %+v", got, c.want)
			}
		})
	}
}

// TestLeakCheckSpilled runs the report's leak cases with a budget of one
// byte: every raw value is spilled, one shard per bucket, and each leak
// must still be found.
func TestLeakCheckSpilled(t *testing.T) {
	t.Setenv("VEIL_RESIDUAL_MEMORY", "1")
	TestLeakCheck(t)
}
