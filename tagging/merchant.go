package tagging

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/veil-data/veil/internal/intern"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// OneWayTokenizer is what customer tokens need of anonymize.Tokenizer: a
// keyed PRF per field. Taking the interface keeps the derivation here
// testable without keys.
type OneWayTokenizer interface {
	OneWay(field, value string) string
}

// CustomerField is the token field of merchantID's customer tokens.
func CustomerField(merchantID string) string { return "merchant/" + merchantID + "/customer" }

// ValidMerchantID reports whether a merchant id can scope a customer
// token: non-empty, without NUL (the PRF's field separator) and without
// "/", so that no id can spell another id's field or another field family
// under "merchant/".
func ValidMerchantID(merchantID string) bool {
	return merchantID != "" && !strings.ContainsAny(merchantID, "\x00/")
}

// CustomerToken is the only place a merchant-scoped customer token is
// made: the one-way token of the consumer's platform user_token in field
// CustomerField(merchantID). The field separates merchants, so one consumer
// has unrelated tokens at two merchants; the PRF is keyed, so without the
// key a token cannot be linked to user_token or recomputed; it depends
// only on the key, merchant and user_token, so it is stable across days.
// It changes when the one-way key is rotated, and when the reversible key
// is (user_token is its ciphertext). merchantID must satisfy
// ValidMerchantID.
func CustomerToken(tok OneWayTokenizer, merchantID, userToken string) string {
	return tok.OneWay(CustomerField(merchantID), userToken)
}

// merchants records which merchants each consumer was seen with: per user
// a sorted set of interned merchant ids, 4 bytes a pair. Invalid merchant
// ids are counted, never interned, and never tokenised.
type merchants struct {
	ids     *intern.Table
	byUser  [][]uint32 // by user index, sorted
	invalid int64      // events whose merchant_id cannot scope a token
}

func newMerchants() merchants {
	return merchants{ids: intern.New()}
}

// add records that user ix was seen with merchant id.
func (m *merchants) add(ix uint32, id string) {
	if !ValidMerchantID(id) {
		m.invalid++
		return
	}
	for int(ix) >= len(m.byUser) {
		m.byUser = append(m.byUser, nil)
	}
	mid := m.ids.ID(id)
	set := m.byUser[ix]
	if n := len(set); n > 0 && set[n-1] == mid { // the usual repeat
		return
	}
	if i, found := slices.BinarySearch(set, mid); !found {
		m.byUser[ix] = slices.Insert(set, i, mid)
	}
}

// audience is one merchant's consumers: user indices and, once tokenised,
// their customer tokens.
type audience struct {
	users  []uint32
	tokens []string
}

// byMerchant inverts byUser into one audience per merchant, in merchant id
// order.
func (m *merchants) byMerchant() (ids []string, auds []audience) {
	auds = make([]audience, m.ids.Len())
	for ix, set := range m.byUser {
		for _, mid := range set {
			auds[mid].users = append(auds[mid].users, uint32(ix))
		}
	}
	order := m.ids.Sorted()
	ids = make([]string, len(order))
	sorted := make([]audience, len(order))
	for i, mid := range order {
		ids[i], sorted[i] = m.ids.Name(mid), auds[mid]
	}
	return ids, sorted
}

// writeAudiences writes one merchant_audiences row per merchant and
// consumer, sorted by merchant_id then customer_token, tokenising one
// merchant at a time so that only one merchant's tokens are held.
func (a *aggregator) writeAudiences(ctx context.Context, job *pipeline.Job, pw *sinks.PartitionWriter, tok OneWayTokenizer, asOf arrow.Timestamp) (int64, error) {
	fw, err := pw.Parquet(job.Mem)
	if err != nil {
		return 0, err
	}
	b := array.NewRecordBuilder(job.Mem, schemas.MerchantAudiences.Schema)
	defer b.Release()
	var (
		merchant  = b.Field(0).(*array.StringBuilder)
		customer  = b.Field(1).(*array.StringBuilder)
		asOfB     = b.Field(2).(*array.TimestampBuilder)
		attrB     = [nAttrs]*array.StringBuilder{b.Field(3).(*array.StringBuilder), b.Field(4).(*array.StringBuilder), b.Field(5).(*array.StringBuilder)}
		interests = b.Field(6).(*array.StringBuilder)
		discount  = b.Field(7).(*array.StringBuilder)
		events    = b.Field(8).(*array.Int64Builder)
		purchases = b.Field(9).(*array.Int64Builder)
		pending   int
	)
	flush := func() error {
		if pending == 0 {
			return nil
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		pending = 0
		return fw.Write(rec)
	}
	ids, auds := a.merchants.byMerchant()
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		aud := auds[i]
		aud.tokens = make([]string, len(aud.users))
		field := CustomerField(id)
		for j, ix := range aud.users {
			aud.tokens[j] = tok.OneWay(field, a.ids.Name(ix))
		}
		order := make([]int, len(aud.users))
		for j := range order {
			order[j] = j
		}
		slices.SortFunc(order, func(x, y int) int { return strings.Compare(aud.tokens[x], aud.tokens[y]) })
		for _, j := range order {
			u := &a.users[aud.users[j]]
			merchant.Append(id)
			customer.Append(aud.tokens[j])
			asOfB.Append(asOf)
			for k := range attrB {
				appendOpt(attrB[k], a.attr(u, k))
			}
			appendOpt(interests, a.interestsOf(aud.users[j]))
			appendOpt(discount, a.discount(u))
			events.Append(int64(u.events))
			purchases.Append(int64(u.purchases))
			if pending++; pending == batchRows {
				if err := flush(); err != nil {
					return 0, err
				}
			}
		}
		auds[i] = audience{} // let this merchant's tokens go
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return fw.Rows(), nil
}

// errNoKeys fails a run whose environment cannot open keys: merchant
// audiences cannot be written without tokens.
var errNoKeys = errors.New("no key opener: merchant_audiences needs the one-way keyset")
