package ingest

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/schemas"
)

// TestBuildRecordMatchesBuilder: the direct record equals what Arrow's
// builders make of the same rows.
func TestBuildRecordMatchesBuilder(t *testing.T) {
	pol, err := compile(nil, schemas.Events)
	if err != nil {
		t.Fatal(err)
	}
	rs := pol.NewRows(5)
	p := newParser(pol, fakeTok{}, day)
	lines := []string{good, `{"event_id":"e2","ts":"2026-11-19T01:00:00Z","type":"view","user_id":"u2"}`, good, `{"event_id":"e3","ts":"2026-11-19T02:00:00Z","type":"payment","user_id":"u3","amount":0,"currency":"USD"}`, good}
	for i, l := range lines {
		if rej := p.parse(l, rs.Row(i)); rej != nil {
			t.Fatalf("line %d: %v", i, rej)
		}
	}
	idx := []int{0, 1, 3}
	got := buildRecord(pol.Dataset.Schema, rs, idx, make([]int, pol.Dataset.Schema.NumFields()))
	defer got.Release()
	b := array.NewRecordBuilder(memory.NewGoAllocator(), pol.Dataset.Schema)
	defer b.Release()
	appendRows(b, rs, idx)
	want := b.NewRecordBatch()
	defer want.Release()
	if !array.RecordEqual(got, want) {
		t.Fatalf("direct record differs:\n%v\nbuilder:\n%v", got, want)
	}
}

type fakeTok struct{}

func (fakeTok) Reversible(f, v string) string { return "r_" + f + "_" + v }
func (fakeTok) OneWay(f, v string) string     { return "o_" + f + "_" + v }

// appendRows is the reference the direct build is held to: Arrow's
// builders, a cell at a time.
func appendRows(b *array.RecordBuilder, rows *policy.Rows, keep []int) {
	for col, f := range b.Fields() {
		f.Reserve(len(keep))
		switch f := f.(type) {
		case *array.StringBuilder:
			for _, j := range keep {
				if s, ok := rows.String(j, col); ok {
					f.Append(s)
				} else {
					f.AppendNull()
				}
			}
		case *array.TimestampBuilder:
			for _, j := range keep {
				if v, ok := rows.Int(j, col); ok {
					f.Append(arrow.Timestamp(v))
				} else {
					f.AppendNull()
				}
			}
		case *array.Float64Builder:
			for _, j := range keep {
				if v, ok := rows.Float(j, col); ok {
					f.Append(v)
				} else {
					f.AppendNull()
				}
			}
		case *array.Int32Builder:
			for _, j := range keep {
				if v, ok := rows.Int(j, col); ok {
					f.Append(int32(v))
				} else {
					f.AppendNull()
				}
			}
		default:
			panic("ingest: column type a policy cannot write")
		}
	}
}
