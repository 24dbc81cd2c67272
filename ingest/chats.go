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
	"github.com/veil-data/veil/sinks"
)

// maxText bounds a chat message; longer ones are quarantined.
const maxText = 64 << 10

// Chats is the chat stage: landing chats to chats_clean, desensitised,
// and to chat_pairs, the chatbot training pairs made from them.
type Chats struct {
	// Policy is the field policy; nil means the embedded default.
	Policy *policy.File
}

func (Chats) Name() string { return "chats" }

func (Chats) Plan(dt time.Time) pipeline.Plan {
	p := plan(schemas.Chats, schemas.ChatsClean, dt)
	p.Outputs = append(p.Outputs, pipeline.Output{Dataset: schemas.ChatPairs, Partition: sinks.Partition{DT: dt.Format(time.DateOnly)}})
	return p
}

// chatMsg is an accepted message kept until the partition is read whole:
// its row, its conversation and what pairing needs.
type chatMsg struct {
	conv  int32
	buyer bool
	ts    int64
	text  string // raw until desensitised
}

// chatConv is one conversation of the partition: its messages in input
// order.
type chatConv struct {
	id, merchant string
	msgs         []int32
}

// Run reads the whole partition before it desensitises anything: a
// conversation's placeholders need every message of it (a name given in
// message 3 is masked in message 1), and a conversation may span files.
// Messages are grouped by conversation_id; each conversation is read
// twice, Learn then Redact, in (ts, input) order, so placeholders are
// numbered by first appearance in the conversation. Memory is the day's
// accepted messages (their rows and text) plus one conversation's
// remembered values at a time: chats are a small fraction of events, and
// a day's partition is the unit the stage commits anyway. Rows go out in
// input order, pairs in conversation order (first message's ts, then id),
// so a re-run writes the same files.
func (s Chats) Run(ctx context.Context, job *pipeline.Job) error {
	pol, err := compile(s.Policy, schemas.Chats)
	if err != nil {
		return err
	}
	text, conversation, message := pol.External, mustIndex(pol, "conversation_id"), mustIndex(pol, "message_id")
	sender, merchant := mustIndex(pol, "sender"), mustIndex(pol, "merchant_id")
	textCol, piiCol := column(pol.Dataset, "text"), column(pol.Dataset, "pii_found")
	r, err := openRun(ctx, job, pol)
	if err != nil {
		return err
	}
	defer r.close()
	pairsPW, err := job.Warehouse.Begin(schemas.ChatPairs, job.Partition(), job.Stage, job.RunID)
	if err != nil {
		return err
	}
	defer pairsPW.Abort()
	files, w, cPW, qPW := r.files, r.tok.Worker(), r.clean, r.qPW
	q, err := newQuarantine(job.Mem, qPW, relPaths(files))
	if err != nil {
		return err
	}
	defer q.release()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stats := r.stats()
	chunks, readErr := r.read(ctx, &stats)
	// Accepted message k is row k%flushRows of blocks[k/flushRows]; a
	// rejected or duplicate one leaves its row to the next message.
	var blocks []*policy.Rows
	var msgs []chatMsg
	var convs []chatConv
	convIdx := map[string]int32{}
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
			k := len(msgs)
			if k/flushRows == len(blocks) {
				blocks = append(blocks, pol.NewRows(flushRows))
			}
			row := blocks[k/flushRows].Row(k % flushRows)
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
			id := rec.Vals[conversation]
			ci, ok := convIdx[id]
			if !ok {
				ci = int32(len(convs))
				convIdx[id] = ci
				convs = append(convs, chatConv{id: id, merchant: rec.Vals[merchant]})
			}
			convs[ci].msgs = append(convs[ci].msgs, int32(k))
			m := chatMsg{conv: ci, buyer: rec.Vals[sender] == senderBuyer, ts: rec.TS.UnixMilli()}
			if text >= 0 {
				m.text = rec.Vals[text]
			}
			msgs = append(msgs, m)
			stats.RecordsOut++
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
	readDone(&stats)
	warnDamaged(job, &stats)
	if !stats.Balanced() {
		return fmt.Errorf("chats %s: unaccounted records", job.DT())
	}

	pairs := &pairWriter{tok: r.tok.Worker(), seen: map[[32]byte]struct{}{}}
	stats.Pairs = &pipeline.PairStats{}
	if stats.Transforms == nil {
		stats.Transforms = map[string]string{}
	}
	for field, how := range pairTransforms {
		stats.Transforms[field] = how
	}
	if text >= 0 {
		// The policy's redact_pii rule, per conversation.
		for _, ci := range convOrder(convs, msgs) {
			if err := ctx.Err(); err != nil {
				return err
			}
			cv := &convs[ci]
			desensitise(cv, msgs, func(k int32, redacted string, found pii.Counts) {
				var n int64
				for _, typ := range pii.Types {
					if c := found.Get(typ); c > 0 {
						stats.AddPII(string(typ), int64(c))
						n += int64(c)
					}
				}
				row := blocks[k/flushRows].Row(int(k) % flushRows)
				row.S[textCol], row.Valid[textCol] = redacted, true
				row.I[piiCol], row.Valid[piiCol] = n, true
				p.guard.text(textCol, redacted)
			})
			pairs.add(cv, msgs, stats.Pairs)
		}
	}

	cw, err := cPW.Parquet(job.Mem)
	if err != nil {
		return err
	}
	idx := make([]int, 0, flushRows)
	for b, block := range blocks {
		idx = idx[:0]
		for j := 0; j < flushRows && b*flushRows+j < len(msgs); j++ {
			idx = append(idx, j)
		}
		if len(idx) == 0 {
			break
		}
		rec := buildRecord(pol.Dataset.Schema, block, idx, nil)
		err := cw.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
		blocks[b] = nil // written: its rows may go
	}
	if err := cw.Close(); err != nil {
		return err
	}
	if err := pairs.write(job, pairsPW); err != nil {
		return err
	}
	if err := q.close(); err != nil {
		return err
	}
	guard.also(schemas.ChatPairs.Name, "question", pairs.questions())
	guard.also(schemas.ChatPairs.Name, "answer", pairs.answers())
	if err := r.scan(job, guard, []*guardWorker{p.guard}, &stats, pairs.badTokens()...); err != nil {
		return err
	}
	sort.Slice(stats.Inputs, func(i, j int) bool { return stats.Inputs[i].Path < stats.Inputs[j].Path })
	// Quarantine, then pairs, then chats_clean last: a run that dies
	// between commits leaves chats_clean missing, and the scheduler
	// re-runs the stage whole.
	info := sinks.CommitInfo{KeyIDs: r.tok.KeyIDs(), Inputs: job.Inputs, Stats: stats}
	if _, err := r.qPW.Commit(info); err != nil {
		return err
	}
	if _, err := pairsPW.Commit(info); err != nil {
		return err
	}
	if _, err := r.clean.Commit(info); err != nil {
		return err
	}
	job.Log.Info("chats committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates,
		"conversations", len(convs), "pairs", stats.Pairs.Made)
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
