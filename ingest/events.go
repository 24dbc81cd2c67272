// Package ingest holds the stages that cross the trust boundary: they read
// raw landing feeds, validate every record, quarantine what they cannot
// accept, and write only tokenised and generalised fields to the warehouse.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/veil-data/veil/anonymize/policy"
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

// Events is the ingest stage: landing events to events_clean, each field
// treated as the policy says.
type Events struct {
	// Policy is the field policy; nil means the embedded default.
	Policy *policy.File
}

func (Events) Name() string { return "ingest" }

func (Events) Plan(dt time.Time) pipeline.Plan { return plan(schemas.Events, schemas.EventsClean, dt) }

// parsed is a chunk after parsing: one result per line.
type parsed struct {
	seq     int
	chunk   *chunk
	rec     arrow.RecordBatch // the accepted lines, in order
	rejects []*rejection      // nil where the line was accepted
	keys    [][2]uint64       // dedupe keys of accepted lines
}

// Run reads every landing file of the day in order, parses and transforms
// on all cores, and keeps input order for de-duplication (first wins) and
// output, so re-runs write the same rows.
func (s Events) Run(ctx context.Context, job *pipeline.Job) error {
	pol, err := compile(s.Policy, schemas.Events)
	if err != nil {
		return err
	}
	r, err := openRun(ctx, job, pol)
	if err != nil {
		return err
	}
	defer r.close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stats := r.stats()
	chunks, readErr := r.read(ctx, &stats)

	// Parse on every core.
	nw := runtime.GOMAXPROCS(0)
	out := make(chan *parsed, 2*nw)
	parsers := make([]*parser, nw)
	seeds := [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	eventID, _ := pol.Index("event_id")
	guard := newGuard(pol)
	guards := make([]*guardWorker, nw)
	var wg sync.WaitGroup
	for i := range parsers {
		tw := r.tok.Worker()
		parsers[i] = newParser(pol, tw, job.Date)
		guards[i] = guard.worker()
		guards[i].watch(tw)
		parsers[i].guard = guards[i]
		wg.Add(1)
		go func(p *parser) {
			defer wg.Done()
			for c := range chunks {
				r := p.parseChunk(c, eventID, seeds)
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
	recs := make(chan batch, 8)
	writeErr := make(chan error, 1)
	go func() { writeErr <- writeRecords(ctx, r.clean, job, recs) }()

	col := newCollector(job, pol, estimateRows(r.files, r.arrivals))
	q, err := newQuarantine(job.Mem, r.qPW, relPaths(r.files))
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
		for p := range out {
			p.rec.Release()
		}
		return collectErr
	}
	if err := <-readErr; err != nil {
		return err
	}
	readDone(&stats)
	warnDamaged(job, &stats)
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, p := range parsers {
		stats.Merge(pipeline.Stats{DroppedFields: p.stats.DroppedFields})
	}
	if !stats.Balanced() {
		return fmt.Errorf("ingest %s: %d records in, %d out, %d quarantined, %d duplicates, %d %s: unaccounted records",
			job.DT(), stats.RecordsIn, stats.RecordsOut, stats.QuarantinedTotal(), stats.Duplicates, stats.OtherPartition, policy.ReasonOtherPartition)
	}
	if err := q.close(); err != nil {
		return err
	}
	if err := r.scan(job, guard, guards, &stats); err != nil {
		return err
	}
	if err := r.commit(job, stats); err != nil {
		return err
	}
	job.Log.Info("ingest committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates, policy.ReasonOtherPartition, stats.OtherPartition)
	return nil
}

// parseChunk parses every line of c; the dedupe key of an accepted line
// is two independent hashes of its id field (idField).
func (p *parser) parseChunk(c *chunk, idField int, seeds [2]maphash.Seed) *parsed {
	r := &parsed{seq: c.seq, chunk: c, rejects: make([]*rejection, len(c.lines)), keys: make([][2]uint64, len(c.lines))}
	rows := p.pol.NewRows(len(c.lines))
	accepted := make([]int, 0, len(c.lines))
	for i, l := range c.lines {
		if l.reason != "" {
			r.rejects[i] = &rejection{reason: l.reason, field: l.field}
			continue
		}
		if rej := p.parseLine(c, i, rows.Row(i)); rej != nil {
			r.rejects[i] = rej
			continue
		}
		id := p.rec.Vals[idField]
		r.keys[i] = [2]uint64{maphash.String(seeds[0], id), maphash.String(seeds[1], id)}
		accepted = append(accepted, i)
	}
	if p.sizes == nil {
		p.sizes = make([]int, p.pol.Dataset.Schema.NumFields())
	}
	r.rec = buildRecord(p.pol.Dataset.Schema, rows, accepted, p.sizes)
	return r
}

// batch is a record and the rows of it to write.
type batch struct {
	rec arrow.RecordBatch
	sel []int // nil: all
}

// writeRecords writes records to part files, starting a new file every
// maxFileRows rows.
func writeRecords(ctx context.Context, pw *sinks.PartitionWriter, job *pipeline.Job, recs <-chan batch) error {
	var w *sinks.ParquetWriter
	var err error
	for b := range recs {
		rec := b.rec
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		if err == nil && w == nil {
			w, err = pw.Parquet(job.Mem)
		}
		if err == nil {
			err = w.WriteRows(rec, b.sel)
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

// collector puts parsed chunks back in input order, accounts for every
// line, and drops duplicates (first wins) by selecting the rest of each
// chunk's record.
type collector struct {
	job  *pipeline.Job
	pol  *policy.Compiled
	seen *idSet
}

// newCollector sizes the de-duplication set for about rows records, so
// that it does not rehash as it grows.
func newCollector(job *pipeline.Job, pol *policy.Compiled, rows int) *collector {
	return &collector{job: job, pol: pol, seen: newIDSet(rows)}
}

func (c *collector) run(ctx context.Context, in <-chan *parsed, q *quarantine, recs chan<- batch, stats *pipeline.Stats) error {
	pending := map[int]*parsed{}
	defer func() {
		for _, p := range pending {
			p.rec.Release()
		}
	}()
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
	return nil
}

// take accounts for every line of p in order and passes the chunk's
// record on with the rows that are not duplicates.
func (c *collector) take(ctx context.Context, p *parsed, q *quarantine, recs chan<- batch, stats *pipeline.Stats) error {
	var sel []int
	k := 0 // row of p.rec
	for i, l := range p.chunk.lines {
		stats.RecordsIn++
		if rej := p.rejects[i]; rej != nil {
			stats.Quarantine(rej.reason)
			if err := q.add(l.file, l.no, rej); err != nil {
				p.rec.Release()
				return err
			}
			continue
		}
		if !c.seen.add(p.keys[i]) {
			stats.Duplicates++
			if sel == nil {
				sel = make([]int, k, p.rec.NumRows())
				for j := range sel {
					sel[j] = j
				}
			}
		} else if sel != nil {
			sel = append(sel, k)
		}
		k++
	}
	kept := k
	if sel != nil {
		kept = len(sel)
	}
	stats.RecordsOut += int64(kept)
	if kept == 0 {
		p.rec.Release()
		return nil
	}
	select {
	case recs <- batch{rec: p.rec, sel: sel}:
		return nil
	case <-ctx.Done():
		p.rec.Release()
		return ctx.Err()
	}
}

// estimateRows guesses a day's record count from its files' sizes (about
// 200 bytes a line, 6x that compressed), capped so that a huge day does
// not reserve memory for its guess.
func estimateRows(files []pipeline.LandingFile, arrivals []time.Time) int {
	var n int64
	for i, f := range files {
		if i < len(arrivals) && !arrivals[i].IsZero() {
			continue // mostly other days' rows
		}
		if st, err := os.Stat(f.Path); err == nil {
			size := st.Size()
			if policy.IsGzip(f.Rel) {
				size *= 6
			}
			n += size / 200
		}
	}
	return int(min(n, 8<<20))
}
