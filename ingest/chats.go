package ingest

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// maxText bounds a chat message; longer ones are quarantined.
const maxText = 64 << 10

// Chats is the chat stage: landing chats to chats_clean, desensitised.
type Chats struct {
	// Policy is the field policy; nil means the embedded default.
	Policy *policy.File
}

func (Chats) Name() string { return "chats" }

func (Chats) Plan(dt time.Time) pipeline.Plan { return plan(schemas.Chats, schemas.ChatsClean, dt) }

// Run desensitises messages in input order on one goroutine: placeholders
// are numbered per conversation in the order PII appears, which needs a
// single pass. Chat volume is a small fraction of events.
func (s Chats) Run(ctx context.Context, job *pipeline.Job) error {
	pol, err := compile(s.Policy, schemas.Chats)
	if err != nil {
		return err
	}
	text, conversation, message := pol.External, mustIndex(pol, "conversation_id"), mustIndex(pol, "message_id")
	textCol, piiCol := column(pol.Dataset, "text"), column(pol.Dataset, "pii_found")
	r, err := openRun(ctx, job, pol)
	if err != nil {
		return err
	}
	defer r.close()
	files, w, cPW, qPW := r.files, r.tok.Worker(), r.clean, r.qPW
	q, err := newQuarantine(job.Mem, qPW, relPaths(files))
	if err != nil {
		return err
	}
	defer q.release()
	cw, err := cPW.Parquet(job.Mem)
	if err != nil {
		return err
	}
	// Accepted messages fill block's rows 0..len(kept)-1 in order; a
	// rejected or duplicate one leaves its row to the next message.
	block := pol.NewRows(flushRows)
	kept := make([]int, 0, flushRows)
	flush := func() error {
		if len(kept) == 0 {
			return nil
		}
		rec := buildRecord(pol.Dataset.Schema, block, kept, nil)
		defer rec.Release()
		kept = kept[:0]
		return cw.Write(rec)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stats := r.stats()
	chunks, readErr := r.read(ctx, &stats)
	convs := map[string]*pii.Conversation{}
	seen := map[string]struct{}{}
	p := newParser(pol, w, job.Date)
	guard := newGuard(pol)
	p.guard = guard.worker()
	p.guard.watch(w)
	var runErr error
	for c := range chunks {
		if runErr != nil {
			continue // drain so the reader can finish
		}
		for i, l := range c.lines {
			stats.RecordsIn++
			row := block.Row(len(kept))
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
			rec := p.rec
			if _, dup := seen[rec.Vals[message]]; dup {
				stats.Duplicates++
				continue
			}
			seen[rec.Vals[message]] = struct{}{}
			if text >= 0 {
				// The policy's redact_pii rule: placeholders are consistent
				// within a conversation.
				conv := convs[rec.Vals[conversation]]
				if conv == nil {
					conv = pii.NewConversation()
					convs[rec.Vals[conversation]] = conv
				}
				redacted, found := conv.Redact(rec.Vals[text])
				var n int64
				for _, typ := range pii.Types {
					if k := found.Get(typ); k > 0 {
						stats.AddPII(string(typ), int64(k))
						n += int64(k)
					}
				}
				row.S[textCol], row.Valid[textCol] = redacted, true
				row.I[piiCol], row.Valid[piiCol] = n, true
				p.guard.text(textCol, redacted)
			}
			kept = append(kept, len(kept))
			stats.RecordsOut++
			if len(kept) == flushRows {
				if runErr = flush(); runErr != nil {
					break
				}
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
		return runErr
	}
	if err := <-readErr; err != nil {
		return err
	}
	warnDamaged(job, &stats)
	if !stats.Balanced() {
		return fmt.Errorf("chats %s: unaccounted records", job.DT())
	}
	if err := flush(); err != nil {
		return err
	}
	if err := cw.Close(); err != nil {
		return err
	}
	if err := q.close(); err != nil {
		return err
	}
	if err := r.scan(job, guard, []*guardWorker{p.guard}, &stats); err != nil {
		return err
	}
	sort.Slice(stats.Inputs, func(i, j int) bool { return stats.Inputs[i].Path < stats.Inputs[j].Path })
	if err := r.commit(job, stats); err != nil {
		return err
	}
	job.Log.Info("chats committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates)
	return nil
}

func mustIndex(pol *policy.Compiled, field string) int {
	i, ok := pol.Index(field)
	if !ok {
		panic("ingest: feed " + pol.Feed.Name + " lacks " + field)
	}
	return i
}

func column(ds schemas.Dataset, name string) int {
	i := ds.Schema.FieldIndices(name)
	if len(i) != 1 {
		panic("ingest: dataset " + ds.Name + " lacks " + name)
	}
	return i[0]
}
