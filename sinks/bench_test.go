package sinks

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
)

// eventsRecord builds n events_clean rows with realistic repetition.
func eventsRecord(mem memory.Allocator, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schemas.EventsClean.Schema)
	defer b.Release()
	for i := 0; i < n; i++ {
		for c, f := range schemas.EventsClean.Schema.Fields() {
			if f.Nullable && i%3 == 0 {
				b.Field(c).AppendNull()
				continue
			}
			switch bb := b.Field(c).(type) {
			case *array.StringBuilder:
				bb.Append(fmt.Sprintf("r_%s_%07d", f.Name, (i*7919)%(5000+c*100)))
			case *array.TimestampBuilder:
				bb.Append(arrow.Timestamp(1763510400000 + int64(i)*800))
			case *array.Float64Builder:
				bb.Append(float64(i%1000) / 7)
			}
		}
	}
	return b.NewRecordBatch()
}

// BenchmarkParquetWrite writes four 64Ki-row events_clean records (two
// row groups) per file; B/file is the file's size.
func BenchmarkParquetWrite(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := eventsRecord(mem, 64*1024)
	defer rec.Release()
	w, _ := Open(b.TempDir())
	var size int64
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		pw, err := w.Begin(schemas.EventsClean, Partition{DT: "2026-11-19"}, "bench", fmt.Sprint("run-", i))
		if err != nil {
			b.Fatal(err)
		}
		fw, _ := pw.Parquet(mem)
		for k := 0; k < 4; k++ {
			if err := fw.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := fw.Close(); err != nil {
			b.Fatal(err)
		}
		size = pw.manifest.Files[0].Bytes
		pw.Abort()
	}
	b.ReportMetric(float64(4*rec.NumRows()*int64(b.N))/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size), "B/file")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkScan(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := eventsRecord(mem, 64*1024)
	defer rec.Release()
	w, _ := Open(b.TempDir())
	p := Partition{DT: "2026-11-19"}
	pw, _ := w.Begin(schemas.EventsClean, p, "bench", "run")
	fw, _ := pw.Parquet(mem)
	for k := 0; k < 4; k++ {
		if err := fw.Write(rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		b.Fatal(err)
	}
	if _, err := pw.Commit(CommitInfo{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var rows int64
	for i := 0; i < b.N; i++ {
		err := w.Scan(context.Background(), mem, schemas.EventsClean, p, func(r arrow.RecordBatch) error {
			rows += r.NumRows()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkParquetWriteList writes listTags rows: two list<string> columns
// beside two flat ones, a quarter of a row group per record.
func BenchmarkParquetWriteList(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := listRecord(mem, listRows(32*1024))
	defer rec.Release()
	w, _ := Open(b.TempDir())
	var size int64
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		pw, err := w.Begin(listTags, Partition{DT: "2026-11-19"}, "bench", fmt.Sprint("run-", i))
		if err != nil {
			b.Fatal(err)
		}
		fw, _ := pw.Parquet(mem)
		for k := 0; k < 4; k++ {
			if err := fw.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := fw.Close(); err != nil {
			b.Fatal(err)
		}
		size = pw.manifest.Files[0].Bytes
		pw.Abort()
	}
	b.ReportMetric(float64(4*rec.NumRows()*int64(b.N))/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size), "B/file")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

func BenchmarkScanList(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := listRecord(mem, listRows(32*1024))
	defer rec.Release()
	w, _ := Open(b.TempDir())
	p := Partition{DT: "2026-11-19"}
	pw, _ := w.Begin(listTags, p, "bench", "run")
	fw, _ := pw.Parquet(mem)
	for k := 0; k < 4; k++ {
		if err := fw.Write(rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		b.Fatal(err)
	}
	if _, err := pw.Commit(CommitInfo{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var rows int64
	for i := 0; i < b.N; i++ {
		err := w.Scan(context.Background(), mem, listTags, p, func(r arrow.RecordBatch) error {
			rows += r.NumRows()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
