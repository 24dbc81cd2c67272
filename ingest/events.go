// Package ingest holds the stages that cross the trust boundary: they read
// raw landing feeds, validate every record, quarantine what they cannot
// accept, and write only tokenised and generalised fields to the warehouse.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

const (
	// flushRows is the Arrow record size handed to the Parquet writer.
	flushRows = 64 * 1024
	// maxFileRows starts a new part file, so no single file grows without
	// bound on a large day.
	maxFileRows = 4 << 20
)

// eventPolicy says what ingest does with each declared event field. Every
// other field is dropped and counted.
var eventPolicy = map[string]string{
	"event_id":         "keep",
	"ts":               "keep (millisecond precision)",
	"type":             "keep",
	"user_id":          "tokenize_reversible (AES-SIV) -> user_token",
	"device_id":        "tokenize_reversible (AES-SIV) -> device_token",
	"ip":               "tokenize_oneway (HMAC-SHA256) -> ip_token; generalize prefix /24 IPv4, /48 IPv6 -> ip_prefix",
	"merchant_id":      "keep",
	"item_id":          "keep",
	"category":         "keep",
	"amount":           "keep",
	"currency":         "keep",
	"coupon_id":        "keep",
	"live_session_id":  "keep",
	"payment_card":     "tokenize_reversible (AES-SIV, digits only) -> card_token",
	"birth_date":       "generalize age band as of event time -> age_band",
	"gender":           "keep",
	"shipping_address": "generalize to province or country -> region",
	"country":          "keep",
	"phone":            "tokenize_oneway (HMAC-SHA256, digits only) -> phone_token",
	"email":            "tokenize_oneway (HMAC-SHA256, lower-cased) -> email_token",
	"*":                "drop (undeclared)",
}

// Events is the ingest stage: landing events to events_clean.
type Events struct{}

func (Events) Name() string { return "ingest" }

func (Events) Plan(dt time.Time) pipeline.Plan { return plan(schemas.Events, schemas.EventsClean, dt) }

// parsed is a chunk after parsing: one result per line.
type parsed struct {
	seq     int
	chunk   *chunk
	rows    []eventRow
	rejects []*rejection // nil where the line was accepted
	keys    [][2]uint64  // dedupe keys of accepted lines
}

// Run reads every landing file of the day in order, parses and transforms
// on all cores, and keeps input order for de-duplication (first wins) and
// output, so re-runs write the same rows.
func (Events) Run(ctx context.Context, job *pipeline.Job) error {
	r, err := openRun(ctx, job, schemas.Events, schemas.EventsClean)
	if err != nil {
		return err
	}
	defer r.close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stats := pipeline.Stats{Transforms: eventPolicy}
	chunks, readErr := readFiles(ctx, job.Landing, r.files, &stats)

	// Parse on every core.
	nw := runtime.GOMAXPROCS(0)
	out := make(chan *parsed, 2*nw)
	parsers := make([]*eventParser, nw)
	seeds := [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	var wg sync.WaitGroup
	for i := range parsers {
		parsers[i] = &eventParser{tok: r.tok.Worker(), day: job.Date}
		wg.Add(1)
		go func(p *eventParser) {
			defer wg.Done()
			for c := range chunks {
				r := p.parseChunk(c, seeds)
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}(parsers[i])
	}
	go func() { wg.Wait(); close(out) }()

	// Write events on their own goroutine so Parquet encoding overlaps
	// parsing.
	recs := make(chan arrow.RecordBatch, 2)
	writeErr := make(chan error, 1)
	go func() { writeErr <- writeRecords(ctx, r.clean, job, recs) }()

	col := newCollector(job)
	q, err := newQuarantine(job.Mem, r.qPW, relPaths(job.Landing, r.files))
	if err != nil {
		cancel()
		close(recs)
		<-writeErr
		return err
	}
	defer q.release()
	collectErr := col.run(ctx, out, q, recs, &stats)
	close(recs)
	if err := <-writeErr; err != nil && collectErr == nil {
		collectErr = err
	}
	if collectErr != nil {
		cancel()
		for range out {
		}
		return collectErr
	}
	if err := <-readErr; err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, p := range parsers {
		stats.Merge(pipeline.Stats{DroppedFields: p.stats.DroppedFields})
	}
	if !stats.Balanced() {
		return fmt.Errorf("ingest %s: %d records in, %d out, %d quarantined, %d duplicates: unaccounted records",
			job.DT(), stats.RecordsIn, stats.RecordsOut, stats.QuarantinedTotal(), stats.Duplicates)
	}
	if err := q.close(); err != nil {
		return err
	}
	if err := r.commit(job, stats); err != nil {
		return err
	}
	job.Log.Info("ingest committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates)
	return nil
}

func (p *eventParser) parseChunk(c *chunk, seeds [2]maphash.Seed) *parsed {
	r := &parsed{seq: c.seq, chunk: c, rows: make([]eventRow, len(c.lines)), rejects: make([]*rejection, len(c.lines)), keys: make([][2]uint64, len(c.lines))}
	for i, l := range c.lines {
		if l.reason != "" {
			r.rejects[i] = &rejection{reason: l.reason}
			continue
		}
		row, rej := p.parse(l.text)
		if rej != nil {
			r.rejects[i] = rej
			continue
		}
		r.rows[i] = row
		r.keys[i] = [2]uint64{maphash.String(seeds[0], row.eventID), maphash.String(seeds[1], row.eventID)}
	}
	return r
}

// writeRecords writes records to part files, starting a new file every
// maxFileRows rows.
func writeRecords(ctx context.Context, pw *sinks.PartitionWriter, job *pipeline.Job, recs <-chan arrow.RecordBatch) error {
	var w *sinks.ParquetWriter
	var err error
	for rec := range recs {
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		if err == nil && w == nil {
			w, err = pw.Parquet(job.Mem)
		}
		if err == nil {
			err = w.Write(rec)
		}
		rec.Release()
		if err == nil && w.Rows() >= maxFileRows {
			err = w.Close()
			w = nil
		}
	}
	if w != nil && err == nil {
		err = w.Close()
	}
	return err
}

// collector puts parsed chunks back in input order, drops duplicates and
// builds Arrow records.
type collector struct {
	job  *pipeline.Job
	b    *array.RecordBuilder
	seen map[[2]uint64]struct{}
}

func newCollector(job *pipeline.Job) *collector {
	return &collector{job: job, seen: make(map[[2]uint64]struct{})}
}

func (c *collector) run(ctx context.Context, in <-chan *parsed, q *quarantine, recs chan<- arrow.RecordBatch, stats *pipeline.Stats) error {
	c.b = array.NewRecordBuilder(c.job.Mem, schemas.EventsClean.Schema)
	defer c.b.Release()
	pending := map[int]*parsed{}
	next := 0
	for p := range in {
		pending[p.seq] = p
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if err := c.take(ctx, p, q, recs, stats); err != nil {
				return err
			}
		}
	}
	if len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return errors.New("ingest: parsed chunks missing; input was not read to the end")
	}
	return c.flush(ctx, recs)
}

func (c *collector) take(ctx context.Context, p *parsed, q *quarantine, recs chan<- arrow.RecordBatch, stats *pipeline.Stats) error {
	for i, l := range p.chunk.lines {
		stats.RecordsIn++
		if rej := p.rejects[i]; rej != nil {
			stats.Quarantine(rej.reason)
			if err := q.add(l.file, l.no, rej); err != nil {
				return err
			}
			continue
		}
		if _, dup := c.seen[p.keys[i]]; dup {
			stats.Duplicates++
			continue
		}
		c.seen[p.keys[i]] = struct{}{}
		appendEvent(c.b, &p.rows[i])
		stats.RecordsOut++
		if c.b.Field(0).Len() >= flushRows {
			if err := c.flush(ctx, recs); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *collector) flush(ctx context.Context, recs chan<- arrow.RecordBatch) error {
	if c.b.Field(0).Len() == 0 {
		return nil
	}
	rec := c.b.NewRecordBatch()
	select {
	case recs <- rec:
		return nil
	case <-ctx.Done():
		rec.Release()
		return ctx.Err()
	}
}

// appendEvent appends r in schemas.EventsClean column order.
func appendEvent(b *array.RecordBuilder, r *eventRow) {
	str := func(i int, s string) { b.Field(i).(*array.StringBuilder).Append(s) }
	opt := func(i, o int) {
		if r.has[o] {
			b.Field(i).(*array.StringBuilder).Append(r.opt[o])
		} else {
			b.Field(i).AppendNull()
		}
	}
	str(0, r.eventID)
	b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(r.ts))
	str(2, r.typ)
	str(3, r.userTok)
	opt(4, optDevice)
	opt(5, optIPToken)
	opt(6, optIPPrefix)
	opt(7, optMerchant)
	opt(8, optItem)
	opt(9, optCategory)
	if r.hasAmount {
		b.Field(10).(*array.Float64Builder).Append(r.amount)
	} else {
		b.Field(10).AppendNull()
	}
	opt(11, optCurrency)
	opt(12, optCoupon)
	opt(13, optLive)
	opt(14, optCard)
	opt(15, optAgeBand)
	opt(16, optGender)
	opt(17, optRegion)
	opt(18, optCountry)
	opt(19, optPhone)
	opt(20, optEmail)
}
