package ingest

import (
	"context"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/parquet-go/jsonlite"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

var chatPolicy = map[string]string{
	"conversation_id": "keep",
	"message_id":      "keep",
	"ts":              "keep (millisecond precision)",
	"merchant_id":     "keep",
	"user_id":         "tokenize_reversible (AES-SIV) -> user_token",
	"sender":          "keep",
	"text":            "desensitize: emails, phones, bank cards (Luhn), CN resident ids (checksum) -> typed placeholders consistent within a conversation",
	"*":               "drop (undeclared)",
}

// maxText bounds a chat message; longer ones are quarantined.
const maxText = 64 << 10

// Chats is the chat stage: landing chats to chats_clean, desensitised.
type Chats struct{}

func (Chats) Name() string { return "chats" }

func (Chats) Plan(dt time.Time) pipeline.Plan { return plan(schemas.Chats, schemas.ChatsClean, dt) }

type rawChat struct {
	conversation, message, ts, merchant, user, sender, text string
}

// Run desensitises messages in input order on one goroutine: placeholders
// are numbered per conversation in the order PII appears, which needs a
// single pass. Chat volume is a small fraction of events.
func (Chats) Run(ctx context.Context, job *pipeline.Job) error {
	r, err := openRun(ctx, job, schemas.Chats, schemas.ChatsClean)
	if err != nil {
		return err
	}
	defer r.close()
	files, w, cPW, qPW := r.files, r.tok.Worker(), r.clean, r.qPW
	q, err := newQuarantine(job.Mem, qPW, relPaths(job.Landing, files))
	if err != nil {
		return err
	}
	defer q.release()
	cw, err := cPW.Parquet(job.Mem)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(job.Mem, schemas.ChatsClean.Schema)
	defer b.Release()
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		if rec.NumRows() == 0 {
			return nil
		}
		return cw.Write(rec)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stats := pipeline.Stats{Transforms: chatPolicy}
	chunks, readErr := readFiles(ctx, job.Landing, files, &stats)
	convs := map[string]*pii.Conversation{}
	seen := map[string]struct{}{}
	var dec chatDecoder
	var runErr error
	for c := range chunks {
		if runErr != nil {
			continue // drain so the reader can finish
		}
		for _, l := range c.lines {
			stats.RecordsIn++
			var raw rawChat
			var ts time.Time
			rej := &rejection{reason: l.reason}
			if l.reason == "" {
				rej = dec.decode(l.text, &raw, &stats)
			}
			if rej == nil {
				ts, rej = validateChat(&raw, job.Date)
			}
			if rej != nil {
				stats.Quarantine(rej.reason)
				if runErr = q.add(l.file, l.no, rej); runErr != nil {
					break
				}
				continue
			}
			if _, dup := seen[raw.message]; dup {
				stats.Duplicates++
				continue
			}
			seen[raw.message] = struct{}{}
			conv := convs[raw.conversation]
			if conv == nil {
				conv = pii.NewConversation()
				convs[raw.conversation] = conv
			}
			text, found := conv.Redact(raw.text)
			var n int32
			for _, typ := range pii.Types {
				if k := found.Get(typ); k > 0 {
					stats.AddPII(string(typ), int64(k))
					n += int32(k)
				}
			}
			b.Field(0).(*array.StringBuilder).Append(raw.conversation)
			b.Field(1).(*array.StringBuilder).Append(raw.message)
			b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMilli()))
			b.Field(3).(*array.StringBuilder).Append(raw.merchant)
			b.Field(4).(*array.StringBuilder).Append(w.Reversible("user_id", raw.user))
			b.Field(5).(*array.StringBuilder).Append(raw.sender)
			b.Field(6).(*array.StringBuilder).Append(text)
			b.Field(7).(*array.Int32Builder).Append(n)
			stats.RecordsOut++
			if b.Field(0).Len() >= flushRows {
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
	sort.Slice(stats.Inputs, func(i, j int) bool { return stats.Inputs[i].Path < stats.Inputs[j].Path })
	if err := r.commit(job, stats); err != nil {
		return err
	}
	job.Log.Info("chats committed", "records_in", stats.RecordsIn, "records_out", stats.RecordsOut,
		"quarantined", stats.QuarantinedTotal(), "duplicates", stats.Duplicates)
	return nil
}

// chatDecoder decodes chat lines, reusing one iterator until a line fails
// (Reset does not clear an iterator's error).
type chatDecoder struct{ it *jsonlite.Iterator }

func (d *chatDecoder) decode(text string, raw *rawChat, stats *pipeline.Stats) *rejection {
	if d.it == nil {
		d.it = jsonlite.Iterate(text)
	} else {
		d.it.Reset(text)
	}
	rej := decodeChat(d.it, raw, stats)
	if rej != nil {
		d.it = nil
	}
	return rej
}

func decodeChat(it *jsonlite.Iterator, raw *rawChat, stats *pipeline.Stats) *rejection {
	return decodeObject(it, stats, func(key string) (*string, bool) {
		switch key {
		case "conversation_id":
			return &raw.conversation, true
		case "message_id":
			return &raw.message, true
		case "ts":
			return &raw.ts, true
		case "merchant_id":
			return &raw.merchant, true
		case "user_id":
			return &raw.user, true
		case "sender":
			return &raw.sender, true
		case "text":
			return &raw.text, true
		}
		return nil, false
	}, nil)
}

func validateChat(raw *rawChat, day time.Time) (time.Time, *rejection) {
	for _, f := range []struct{ name, v string }{
		{"conversation_id", raw.conversation}, {"message_id", raw.message}, {"ts", raw.ts},
		{"merchant_id", raw.merchant}, {"user_id", raw.user}, {"sender", raw.sender}, {"text", raw.text},
	} {
		if f.v == "" {
			return time.Time{}, &rejection{reason: "missing_field", field: f.name}
		}
	}
	for _, f := range []struct{ name, v string }{
		{"conversation_id", raw.conversation}, {"message_id", raw.message},
		{"merchant_id", raw.merchant}, {"user_id", raw.user},
	} {
		if !isID(f.v) {
			return time.Time{}, &rejection{reason: "invalid_value", field: f.name}
		}
	}
	ts, err := time.Parse(time.RFC3339Nano, raw.ts)
	if err != nil {
		return ts, &rejection{reason: "invalid_value", field: "ts"}
	}
	if ts.Before(day) || !ts.Before(day.AddDate(0, 0, 1)) {
		return ts, &rejection{reason: "ts_outside_partition", field: "ts"}
	}
	switch raw.sender {
	case "buyer", "seller", "bot":
	default:
		return ts, &rejection{reason: "invalid_value", field: "sender"}
	}
	if len(raw.text) > maxText || !utf8.ValidString(raw.text) {
		return ts, &rejection{reason: "invalid_value", field: "text"}
	}
	return ts, nil
}
