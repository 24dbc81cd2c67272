package ingest

import (
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// quarantine collects rejected records of one source (events, chats,
// optouts) into the quarantine dataset: where the record is in landing
// (file, and physical line: 1-based, blank lines counted) and why it was
// rejected, never its content. The reasons, a closed set:
//
//	bad_json              not one JSON object by the strict grammar, nested
//	                      deeper than 64, or (with field) a field given twice
//	wrong_type            (field) a value of the wrong JSON type
//	non_finite            (field) NaN, Infinity or -Infinity as a number
//	invalid_value         (field) fails the field's check, or a number
//	                      float64 cannot hold (1e400, 1e-400)
//	missing_field         (field) a required field absent, null or empty
//	unknown_event_type    (field type) a type outside the contract
//	ts_outside_partition  (field ts) an event time off the partition's day
//	line_too_long         a line over 1 MiB, not read
//	bad_csv               a CSV row that does not split as its format says
//	damaged_file          the rest of a damaged gzip file from this line on
//	                      (files.on_damaged_file: quarantine), one row
//	                      however many records it held; the stats list the
//	                      file's bytes lost
type quarantine struct {
	b     *array.RecordBuilder
	w     *sinks.ParquetWriter
	files []string // landing-relative paths, by file index
}

func newQuarantine(mem memory.Allocator, pw *sinks.PartitionWriter, files []string) (*quarantine, error) {
	w, err := pw.Parquet(mem)
	if err != nil {
		return nil, err
	}
	return &quarantine{b: array.NewRecordBuilder(mem, schemas.Quarantine.Schema), w: w, files: files}, nil
}

func (q *quarantine) add(file int, line int64, rej *rejection) error {
	q.b.Field(0).(*array.StringBuilder).Append(q.files[file])
	q.b.Field(1).(*array.Int64Builder).Append(line)
	q.b.Field(2).(*array.StringBuilder).Append(rej.reason)
	if rej.field == "" {
		q.b.Field(3).AppendNull()
	} else {
		q.b.Field(3).(*array.StringBuilder).Append(rej.field)
	}
	if q.b.Field(0).Len() >= flushRows {
		return q.flush()
	}
	return nil
}

func (q *quarantine) flush() error {
	rec := q.b.NewRecordBatch()
	defer rec.Release()
	if rec.NumRows() == 0 {
		return nil
	}
	return q.w.Write(rec)
}

// close flushes and closes the file; release frees the builder either way.
func (q *quarantine) close() error {
	if err := q.flush(); err != nil {
		return err
	}
	return q.w.Close()
}

func (q *quarantine) release() { q.b.Release() }
