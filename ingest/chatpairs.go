package ingest

import (
	"cmp"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// senderBuyer is the sender of a buyer's message; seller and bot answer.
const senderBuyer = "buyer"

// Token fields of chat_pairs' tokens (one-way): a merchant finds its pairs
// by the token of its merchant_id in this field.
const (
	conversationField = "conversation_id"
	merchantField     = "merchant_id"
)

// pairTransforms say, for the run's account, how chat_pairs' columns come
// from the feed's fields.
var pairTransforms = map[string]string{
	"conversation_id (chat_pairs)": "tokenize_oneway (domain " + conversationField + ") -> conversation_token",
	"merchant_id (chat_pairs)":     "tokenize_oneway (domain " + merchantField + ") -> merchant_token",
	"text (chat_pairs)":            "generalize redact_pii per conversation, buyer turn -> question, next seller/bot turn -> answer",
}

// convOrder returns the conversations in the order their pairs are
// written: by their first message's time, then id. It does not depend on
// how the landing files split the day.
func convOrder(convs []chatConv, msgs []chatMsg) []int {
	first := make([]int64, len(convs))
	order := make([]int, len(convs))
	for i, cv := range convs {
		order[i] = i
		first[i] = msgs[cv.msgs[0]].ts
		for _, k := range cv.msgs {
			first[i] = min(first[i], msgs[k].ts)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(first[a], first[b]), cmp.Compare(convs[a].id, convs[b].id))
	})
	return order
}

// desensitise orders a conversation's messages by time (input order on a
// tie), reads them all (Learn), then redacts each, replacing msgs' raw
// text and calling emit with the message's number, its text and what was
// found in it.
func desensitise(cv *chatConv, msgs []chatMsg, emit func(k int32, redacted string, found pii.Counts)) {
	slices.SortStableFunc(cv.msgs, func(a, b int32) int { return cmp.Compare(msgs[a].ts, msgs[b].ts) })
	c := pii.NewConversation()
	for _, k := range cv.msgs {
		c.Learn(msgs[k].text)
	}
	for _, k := range cv.msgs {
		redacted, found := c.Redact(msgs[k].text)
		msgs[k].text = redacted
		emit(k, redacted, found)
	}
}

// pairWriter collects the day's pairs, de-duplicated per merchant.
type pairWriter struct {
	tok  *anonymize.Worker // its own worker: pair tokens are not needles
	seen map[[32]byte]struct{}
	rows []pairRow
	bad  map[string]int64 // malformed tokens by column
}

type pairRow struct {
	conv, merchant string // tokens; merchant "" for none
	chatPair
}

// add makes the pairs of one desensitised conversation.
func (pw *pairWriter) add(cv *chatConv, msgs []chatMsg, st *pipeline.PairStats) {
	tm := make([]turnMsg, len(cv.msgs))
	for i, k := range cv.msgs {
		tm[i] = turnMsg{buyer: msgs[k].buyer, text: msgs[k].text}
	}
	cands := makePairs(tm, st)
	if len(cands) == 0 {
		return
	}
	conv := pw.token("conversation_token", conversationField, cv.id)
	merchant := ""
	if cv.merchant != "" {
		merchant = pw.token("merchant_token", merchantField, cv.merchant)
	}
	for _, c := range cands {
		key := dedupKey(cv.merchant, c)
		if _, dup := pw.seen[key]; dup {
			st.Drop(dropDuplicate)
			continue
		}
		pw.seen[key] = struct{}{}
		pw.rows = append(pw.rows, pairRow{conv: conv, merchant: merchant, chatPair: c})
		st.Made++
	}
}

func (pw *pairWriter) token(col, field, v string) string {
	t := pw.tok.OneWay(field, v)
	if !residual.WellFormedToken(t) {
		if pw.bad == nil {
			pw.bad = map[string]int64{}
		}
		pw.bad[col]++
	}
	return t
}

// badTokens reports malformed tokens as findings of the residual scan.
func (pw *pairWriter) badTokens() []residual.Finding {
	var out []residual.Finding
	for col, n := range pw.bad {
		out = append(out, residual.Finding{Dataset: schemas.ChatPairs.Name, Column: col, Kind: residual.MalformedToken, Count: n})
	}
	slices.SortFunc(out, func(a, b residual.Finding) int { return cmp.Compare(a.Column, b.Column) })
	return out
}

func (pw *pairWriter) questions() []string {
	out := make([]string, len(pw.rows))
	for i, r := range pw.rows {
		out[i] = r.q
	}
	return out
}

func (pw *pairWriter) answers() []string {
	out := make([]string, len(pw.rows))
	for i, r := range pw.rows {
		out[i] = r.a
	}
	return out
}

// write writes the pairs to chat_pairs, flushRows to a record batch.
func (pw *pairWriter) write(job *pipeline.Job, part *sinks.PartitionWriter) error {
	w, err := part.Parquet(job.Mem)
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(job.Mem, schemas.ChatPairs.Schema)
	defer b.Release()
	conv := b.Field(0).(*array.StringBuilder)
	merchant := b.Field(1).(*array.StringBuilder)
	turn := b.Field(2).(*array.Int32Builder)
	q := b.Field(3).(*array.StringBuilder)
	a := b.Field(4).(*array.StringBuilder)
	lang := b.Field(5).(*array.StringBuilder)
	n := b.Field(6).(*array.Int32Builder)
	return writeRows(w, b, len(pw.rows), func(i int) {
		r := &pw.rows[i]
		conv.Append(r.conv)
		if r.merchant == "" {
			merchant.AppendNull()
		} else {
			merchant.Append(r.merchant)
		}
		turn.Append(r.turn)
		q.Append(r.q)
		a.Append(r.a)
		lang.Append(r.lang)
		n.Append(r.placeholders)
	})
}
