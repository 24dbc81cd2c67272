package ingest

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/sinks"
)

// readSmallFeed is the read loop of the small feeds (opt-outs, labels),
// whose accepted rows fit in memory: every line of the run is parsed
// through the policy and either quarantined with its reason or handed to
// accept, which keeps the row (it must copy what it keeps: row is reused)
// and reports false for a declared duplicate. On return the reader is
// done and the stats balance, or the error says which count is off. The
// guard that watched the tokens made is returned for the residual scan.
func readSmallFeed(ctx context.Context, job *pipeline.Job, pol *policy.Compiled, r *run, q *quarantine, stats *pipeline.Stats, accept func(row policy.Row) bool) (*guard, *guardWorker, error) {
	return readSmallFeedRaw(ctx, job, pol, r, q, stats, func(row policy.Row, _ *policy.Record) bool { return accept(row) })
}

// readSmallFeedRaw is readSmallFeed for a feed whose stage transforms a
// field itself (the policy's external redact_pii): accept also gets the
// parsed record, whose Vals hold that field's raw value (valid only during
// the call).
func readSmallFeedRaw(ctx context.Context, job *pipeline.Job, pol *policy.Compiled, r *run, q *quarantine, stats *pipeline.Stats, accept func(row policy.Row, rec *policy.Record) bool) (*guard, *guardWorker, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks, readErr := r.read(ctx, stats)
	w := r.tok.Worker()
	p := newParser(pol, w, job.Date)
	g := newGuard(pol)
	p.guard = g.worker()
	p.guard.watch(w)
	row := pol.NewRows(1).Row(0)
	var runErr error
	for c := range chunks {
		if runErr != nil {
			continue // drain so the reader can finish
		}
		for i, l := range c.lines {
			stats.RecordsIn++
			row.Clear()
			rej := &rejection{reason: l.reason, field: l.field}
			if l.reason == "" {
				rej = p.parseLine(c, i, row)
			}
			if rej != nil {
				stats.Quarantine(rej.reason)
				if runErr = q.add(l.file, l.no, rej); runErr != nil {
					break
				}
				continue
			}
			if accept(row, p.rec) {
				stats.RecordsOut++
			} else {
				stats.Duplicates++
			}
		}
		if runErr == nil {
			runErr = ctx.Err()
		}
		if runErr != nil {
			cancel()
		}
	}
	if runErr != nil {
		return nil, nil, runErr
	}
	if err := <-readErr; err != nil {
		return nil, nil, err
	}
	readDone(stats)
	warnDamaged(job, stats)
	stats.Merge(pipeline.Stats{DroppedFields: p.stats.DroppedFields})
	if !stats.Balanced() {
		return nil, nil, fmt.Errorf("%s %s: %d records in, %d out, %d quarantined, %d duplicates, %d %s: unaccounted records",
			job.Stage, job.DT(), stats.RecordsIn, stats.RecordsOut, stats.QuarantinedTotal(), stats.Duplicates, stats.OtherPartition, policy.ReasonOtherPartition)
	}
	return g, p.guard, nil
}

// writeRows writes n rows to w in records of at most flushRows rows, add
// appending row i to b, and closes w.
func writeRows(w *sinks.ParquetWriter, b *array.RecordBuilder, n int, add func(i int)) error {
	for start := 0; start < n; start += flushRows {
		for i := start; i < min(start+flushRows, n); i++ {
			add(i)
		}
		rec := b.NewRecordBatch()
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return w.Close()
}
