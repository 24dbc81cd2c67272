package risk

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// keyCopies are risk_features' key columns after event_id and ts, in
// schema order: copied from the event's row.
var keyCopies = [...]string{
	"type", "user_token", "device_token", "ip_token", "ip_prefix", "card_token",
	"live_session_id", "source", "browser",
}

// label is a training row's label: ok is false for an unlabelled row.
// blacklisted is -1 when the day has no blacklist, else 0 or 1.
type label struct {
	ok          bool
	knownAt     int64
	blacklisted int8
}

// featureWriter writes risk_features or risk_training rows: the event's
// key columns copied from events_clean, then the features (and, for
// training, the label).
//
// Records are encoded to Parquet by a goroutine of their own while the
// caller builds the next (the engine is single-threaded; this gives the
// second core the compression).
type featureWriter struct {
	pw    *sinks.PartitionWriter
	fw    *sinks.ParquetWriter
	b     *array.RecordBuilder
	ds    schemas.Dataset
	n     int
	rows  int64
	feat0 int // index of the first feature column

	recs    chan arrow.RecordBatch
	written chan error // the writer's result, once recs is closed
	closed  bool
}

func newFeatureWriter(job *pipeline.Job, ds schemas.Dataset, stage string) (*featureWriter, error) {
	pw, err := job.Warehouse.Begin(ds, job.Partition(), stage, job.RunID)
	if err != nil {
		return nil, err
	}
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		pw.Abort()
		return nil, err
	}
	w := &featureWriter{pw: pw, fw: fw, b: array.NewRecordBuilder(job.Mem, ds.Schema), ds: ds,
		feat0: ds.Schema.FieldIndices(features.Defs[0].Name)[0],
		recs:  make(chan arrow.RecordBatch, 2), written: make(chan error, 1)}
	go func() {
		var err error
		for rec := range w.recs {
			if err == nil {
				err = fw.Write(rec)
			}
			rec.Release()
		}
		w.written <- err
	}()
	return w, nil
}

// drain stops the writer goroutine and returns its error.
func (w *featureWriter) drain() error {
	if w.closed {
		return nil
	}
	w.closed = true
	close(w.recs)
	return <-w.written
}

func (w *featureWriter) abort() {
	w.drain()
	w.b.Release()
	w.pw.Abort()
}

// keyColumns are the positions of event_id, ts and the keyCopies in a
// record's schema, found once per record.
type keyColumns [2 + len(keyCopies)]int

func keyColumnsOf(sch *arrow.Schema) keyColumns {
	var c keyColumns
	c[0], c[1] = sch.FieldIndices("event_id")[0], sch.FieldIndices("ts")[0]
	for i, name := range keyCopies {
		c[2+i] = sch.FieldIndices(name)[0]
	}
	return c
}

// add appends row j of rec (a risk_features record, whose key columns
// are at cols: training copies them) with its features and label.
func (w *featureWriter) add(rec arrow.RecordBatch, cols *keyColumns, j int, row features.Row, lab *label) error {
	w.b.Field(0).(*array.StringBuilder).Append(rec.Column(cols[0]).(*array.String).Value(j))
	w.b.Field(1).(*array.TimestampBuilder).Append(rec.Column(cols[1]).(*array.Timestamp).Value(j))
	for i := range keyCopies {
		sb := w.b.Field(2 + i).(*array.StringBuilder)
		if a := rec.Column(cols[2+i]).(*array.String); a.IsNull(j) {
			sb.AppendNull()
		} else {
			sb.Append(a.Value(j))
		}
	}
	return w.finish(row, lab)
}

// addEvent appends a scored event of the day with its features.
func (w *featureWriter) addEvent(r *dayRow, row features.Row) error {
	e := &r.ev
	w.b.Field(0).(*array.StringBuilder).Append(e.ID)
	w.b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(e.TS))
	keys := [...]string{e.Type, e.Keys[features.User], e.Keys[features.Device], e.Keys[features.IP],
		e.Keys[features.IP24], e.Keys[features.Card], e.Live, r.source, r.browser}
	for i, v := range keys {
		sb := w.b.Field(2 + i).(*array.StringBuilder)
		if v == "" && w.ds.Schema.Field(2+i).Nullable {
			sb.AppendNull()
		} else {
			sb.Append(v)
		}
	}
	return w.finish(row, nil)
}

// finish appends the features (and label) of the row whose keys were
// just appended.
func (w *featureWriter) finish(row features.Row, lab *label) error {
	for i, v := range row {
		fb := w.b.Field(w.feat0 + i)
		switch {
		case features.IsNull(v):
			fb.AppendNull()
		case features.Defs[i].Kind == features.Int:
			fb.(*array.Int64Builder).Append(int64(v))
		default:
			fb.(*array.Float64Builder).Append(v)
		}
	}
	if lab != nil {
		base := w.feat0 + len(row)
		if lab.ok {
			w.b.Field(base).(*array.Int32Builder).Append(1)
			w.b.Field(base + 1).(*array.TimestampBuilder).Append(arrow.Timestamp(lab.knownAt))
		} else {
			w.b.Field(base).(*array.Int32Builder).Append(0)
			w.b.Field(base + 1).AppendNull()
		}
		if lab.blacklisted < 0 {
			w.b.Field(base + 2).AppendNull()
		} else {
			w.b.Field(base + 2).(*array.Int32Builder).Append(int32(lab.blacklisted))
		}
	}
	w.rows++
	if w.n++; w.n >= batchRows {
		return w.flush()
	}
	return nil
}

func (w *featureWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	w.n = 0
	w.recs <- w.b.NewRecordBatch()
	return nil
}

func (w *featureWriter) commit(job *pipeline.Job, stats any) error {
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.drain(); err != nil {
		return err
	}
	if err := w.fw.Close(); err != nil {
		return err
	}
	_, err := w.pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: stats})
	return err
}

// writeEntities commits risk_entities/dt as of t (the start of the next
// day) and returns its rows.
func writeEntities(ctx context.Context, job *pipeline.Job, g *features.Engine, t int64) (int64, error) {
	return commitParquet(job, schemas.RiskEntities, func(fw *sinks.ParquetWriter) error {
		b := array.NewRecordBuilder(job.Mem, schemas.RiskEntities.Schema)
		defer b.Release()
		n := 0
		flush := func() error {
			if n == 0 {
				return nil
			}
			rec := b.NewRecordBatch()
			defer rec.Release()
			n = 0
			return fw.Write(rec)
		}
		asOf := arrow.Timestamp(t - 1)
		err := g.Snapshot(t, func(r *features.EntityRow) error {
			if n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			appendEntity(b, r, asOf)
			if n++; n >= batchRows {
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		return flush()
	})
}

// appendEntity appends r as a risk_entities row.
func appendEntity(b *array.RecordBuilder, r *features.EntityRow, asOf arrow.Timestamp) {
	f := 0
	next := func() array.Builder { f++; return b.Field(f - 1) }
	next().(*array.StringBuilder).Append(r.Entity.String())
	if r.Entity == features.IP24 {
		next().AppendNull()
		next().(*array.StringBuilder).Append(r.Key)
	} else {
		next().(*array.StringBuilder).Append(r.Key)
		next().AppendNull()
	}
	next().(*array.TimestampBuilder).Append(asOf)
	for c := range features.NCounts {
		for w := range features.NWindows {
			next().(*array.Int64Builder).Append(int64(r.Counts[w][c]))
		}
	}
	for w := range features.NWindows {
		ratio := features.Ratio(float64(r.Counts[w][features.FailedPayments]), float64(r.Counts[w][features.Payments]+r.Counts[w][features.FailedPayments]))
		optFloat(next(), ratio)
	}
	for _, links := range [][features.NWindows]int32{r.Devices, r.IPs, r.Cards, r.Accounts} {
		for w := range features.NWindows {
			optInt(next(), links[w])
		}
	}
	optInt(next(), r.Fraud)
	optInt(next(), r.Cluster)
	optTime(next(), r.Registered)
	optTime(next(), r.FraudKnown)
}

// commitParquet commits one Parquet file of ds/dt that write fills, with
// rows in and out both its row count, and returns the rows.
func commitParquet(job *pipeline.Job, ds schemas.Dataset, write func(*sinks.ParquetWriter) error) (int64, error) {
	pw, err := job.Warehouse.Begin(ds, job.Partition(), "risk", job.RunID)
	if err != nil {
		return 0, err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	if err := write(fw); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	rows := fw.Rows()
	_, err = pw.Commit(sinks.CommitInfo{Inputs: job.Inputs, Stats: pipeline.Stats{RecordsIn: rows, RecordsOut: rows}})
	return rows, err
}

func optInt(b array.Builder, v int32) {
	if v < 0 {
		b.AppendNull()
	} else {
		b.(*array.Int64Builder).Append(int64(v))
	}
}

func optFloat(b array.Builder, v float64) {
	if features.IsNull(v) {
		b.AppendNull()
	} else {
		b.(*array.Float64Builder).Append(v)
	}
}

func optTime(b array.Builder, ms int64) {
	if ms == 0 {
		b.AppendNull()
	} else {
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(ms))
	}
}

// writeState commits the checkpoint risk_state/dt.
func writeState(job *pipeline.Job, g *features.Engine) (int64, error) {
	return commitParquet(job, schemas.RiskState, func(fw *sinks.ParquetWriter) error {
		return g.Checkpoint(job.Mem, batchRows, fw.Write)
	})
}
