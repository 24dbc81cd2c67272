package tagging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// openKeys creates a fresh key set and returns an opener for it.
func openKeys(tb testing.TB) pipeline.KeyOpener {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "keys")
	kek, err := keys.InitKEK(filepath.Join(dir, keys.DefaultKEKFile))
	if err != nil {
		tb.Fatal(err)
	}
	if err := keys.Init(context.Background(), dir, kek); err != nil {
		tb.Fatal(err)
	}
	set, err := keys.Open(context.Background(), dir, kek)
	if err != nil {
		tb.Fatal(err)
	}
	return func(context.Context) (*keys.Set, error) { return set, nil }
}

// newJob is testwarehouse.Job with keys: a fresh set unless one is given.
func newJob(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, s Stage, runID string, opener ...pipeline.KeyOpener) *pipeline.Job {
	tb.Helper()
	job := testwarehouse.Job(tb, w, mem, s, testwarehouse.Day(tb, dt), runID)
	if len(opener) > 0 {
		job.Keys = opener[0]
	} else {
		job.Keys = openKeys(tb)
	}
	return job
}

// mev is an event with a merchant, which testwarehouse.Event lacks.
type mev struct {
	ev
	Merchant string
}

// writeMerchantEvents commits evs as events_clean/day. It fills the
// columns by name and leaves every other nullable column null, so that it
// keeps working as events_clean gains columns.
func writeMerchantEvents(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, day string, evs []mev) {
	tb.Helper()
	b := array.NewRecordBuilder(mem, schemas.EventsClean.Schema)
	defer b.Release()
	for f, field := range schemas.EventsClean.Schema.Fields() {
		fb := b.Field(f)
		for i, e := range evs {
			var v string
			switch field.Name {
			case "event_id":
				v = fmt.Sprintf("%s-%d", day, i)
			case "ts":
				fb.(*array.TimestampBuilder).Append(arrow.Timestamp(e.TS.UnixMilli()))
				continue
			case "type":
				v = e.Type
			case "user_token":
				v = e.User
			case "merchant_id":
				v = e.Merchant
			case "category":
				v = e.Category
			case "coupon_id":
				v = e.Coupon
			case "age_band":
				v = e.AgeBand
			case "country":
				v = e.Country
			case "region":
				v = e.Region
			}
			switch {
			case v != "":
				fb.(*array.StringBuilder).Append(v)
			case field.Nullable:
				fb.AppendNull()
			default:
				tb.Fatalf("events_clean.%s is required and the test does not fill it", field.Name)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()

	pw, err := w.Begin(schemas.EventsClean, sinks.Partition{DT: day}, "ingest", "ingest-"+day)
	if err != nil {
		tb.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		tb.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		tb.Fatal(err)
	}
	if _, err := pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: int64(len(evs)), RecordsOut: int64(len(evs))}}); err != nil {
		tb.Fatal(err)
	}
}

// audRow is one merchant_audiences row with nulls shown as "NULL".
type audRow struct {
	Merchant, Customer                            string
	AgeBand, Country, Region, Interests, Discount string
	Events, Purchases                             int64
}

func readAudiences(t *testing.T, w *sinks.Warehouse, mem memory.Allocator) []audRow {
	t.Helper()
	wantAsOf := arrow.Timestamp(time.Date(2026, 11, 19, 23, 59, 59, 999e6, time.UTC).UnixMilli())
	str := func(a arrow.Array, i int) string {
		if a.IsNull(i) {
			return "NULL"
		}
		return a.(*array.String).Value(i)
	}
	var rows []audRow
	err := w.Scan(context.Background(), mem, schemas.MerchantAudiences, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		c := rec.Columns()
		for i := range int(rec.NumRows()) {
			if got := c[2].(*array.Timestamp).Value(i); got != wantAsOf {
				t.Errorf("as_of = %v, want %v", got, wantAsOf)
			}
			rows = append(rows, audRow{
				Merchant: str(c[0], i), Customer: str(c[1], i),
				AgeBand: str(c[3], i), Country: str(c[4], i), Region: str(c[5], i),
				Interests: str(c[6], i), Discount: str(c[7], i),
				Events: c[8].(*array.Int64).Value(i), Purchases: c[9].(*array.Int64).Value(i),
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// tokenizer opens the set behind opener the way the stage does.
func tokenizer(t *testing.T, opener pipeline.KeyOpener) *anonymize.Tokenizer {
	t.Helper()
	set, err := opener(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fakePRF is a OneWayTokenizer that shows its inputs.
type fakePRF struct{}

func (fakePRF) OneWay(field, value string) string { return field + "|" + value }

func TestCustomerToken(t *testing.T) {
	if got := CustomerToken(fakePRF{}, "m42", "r_user"); got != "merchant/m42/customer|r_user" {
		t.Errorf("CustomerToken = %q", got)
	}
	for id, ok := range map[string]bool{"m42": true, "shop.cn:01-a_b": true, "": false, "m/1": false, "m\x001": false} {
		if got := ValidMerchantID(id); got != ok {
			t.Errorf("ValidMerchantID(%q) = %v", id, got)
		}
		if ok {
			if err := anonymize.ValidField(CustomerField(id)); err != nil {
				t.Errorf("CustomerField(%q): %v", id, err)
			}
		}
	}

	tok := tokenizer(t, openKeys(t))
	other := tokenizer(t, openKeys(t))
	u1, u2 := tok.Reversible("user_id", "u1"), tok.Reversible("user_id", "u2")
	a1 := CustomerToken(tok, "m1", u1)
	if !strings.HasPrefix(a1, anonymize.OneWayPrefix) {
		t.Errorf("customer token %q is not a one-way token", a1)
	}
	if a1 == u1 || strings.Contains(a1, strings.TrimPrefix(u1, anonymize.ReversiblePrefix)) {
		t.Error("customer token carries the user token")
	}
	if CustomerToken(tok, "m1", u1) != a1 {
		t.Error("same merchant and user: token not stable")
	}
	if CustomerToken(tok, "m2", u1) == a1 {
		t.Error("same user at two merchants: same token")
	}
	if CustomerToken(tok, "m1", u2) == a1 {
		t.Error("two users at one merchant: same token")
	}
	if CustomerToken(other, "m1", u1) == a1 {
		t.Error("different keys: same token")
	}
	// Merchant ids cannot shift into one another's fields: "m1" and "m"
	// with a user token starting "1/customer..." stay apart.
	if CustomerToken(fakePRF{}, "m1", "x") == CustomerToken(fakePRF{}, "m", "1/customer|x") {
		t.Error("field and value are not separated")
	}
}

// merchantEvents spreads three users over three merchants on two days.
func merchantEvents(t *testing.T) map[int][]mev {
	return map[int][]mev{
		-1: {
			{ev: ev{TS: at(t, -1, "09:00:00.000"), Type: "view", User: "r_u1", Category: "books"}, Merchant: "m-a"},
			{ev: ev{TS: at(t, -1, "09:01:00.000"), Type: "view", User: "r_u3", Category: "tea"}, Merchant: "m-c"},
		},
		0: {
			{ev: ev{TS: at(t, 0, "10:00:00.000"), Type: "purchase", User: "r_u1", Category: "books", Coupon: "c1", Country: "CN"}, Merchant: "m-a"},
			{ev: ev{TS: at(t, 0, "10:01:00.000"), Type: "view", User: "r_u1", Category: "toys"}, Merchant: "m-b"},
			{ev: ev{TS: at(t, 0, "10:02:00.000"), Type: "login", User: "r_u1"}}, // no merchant
			{ev: ev{TS: at(t, 0, "10:03:00.000"), Type: "cart", User: "r_u2", Category: "tea", AgeBand: "25-34"}, Merchant: "m-b"},
			{ev: ev{TS: at(t, 0, "10:04:00.000"), Type: "view", User: "r_u2", Category: "tea"}, Merchant: "m-b"},
			{ev: ev{TS: at(t, 0, "10:05:00.000"), Type: "view", User: "r_u4"}},                     // never with a merchant
			{ev: ev{TS: at(t, 1, "00:00:00.000"), Type: "view", User: "r_u2"}, Merchant: "m-a"},    // after as_of
			{ev: ev{TS: at(t, 0, "10:06:00.000"), Type: "view", User: "r_u5"}, Merchant: "m/evil"}, // cannot scope a token
		},
	}
}

func TestMerchantAudiences(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	for off, evs := range merchantEvents(t) {
		writeMerchantEvents(t, w, mem, testwarehouse.Day(t, dt).AddDate(0, 0, off).Format(time.DateOnly), evs)
	}
	opener := openKeys(t)
	job := newJob(t, w, mem, Stage{}, "run-1", opener)
	if err := (Stage{}).Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	tok := tokenizer(t, opener)
	ct := func(m, u string) string { return CustomerToken(tok, m, u) }

	// Rows per merchant are the consumers the events show with it; tags
	// are the consumer's consumer_tags values.
	want := []audRow{
		{Merchant: "m-a", Customer: ct("m-a", "r_u1"), AgeBand: "NULL", Country: "CN", Region: "NULL", Interests: "books,toys", Discount: "high", Events: 4, Purchases: 1},
		{Merchant: "m-b", Customer: ct("m-b", "r_u1"), AgeBand: "NULL", Country: "CN", Region: "NULL", Interests: "books,toys", Discount: "high", Events: 4, Purchases: 1},
		{Merchant: "m-b", Customer: ct("m-b", "r_u2"), AgeBand: "25-34", Country: "NULL", Region: "NULL", Interests: "tea", Discount: "NULL", Events: 2},
		{Merchant: "m-c", Customer: ct("m-c", "r_u3"), AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "tea", Discount: "NULL", Events: 1},
	}
	slices.SortFunc(want, func(x, y audRow) int {
		if c := strings.Compare(x.Merchant, y.Merchant); c != 0 {
			return c
		}
		return strings.Compare(x.Customer, y.Customer)
	})
	got := readAudiences(t, w, mem)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merchant_audiences:\n got %+v\nwant %+v", got, want)
	}

	// Tags agree with consumer_tags.
	tags := map[string]tagRow{}
	for _, r := range readTags(t, w, mem) {
		tags[r.User] = r
	}
	if len(tags) != 5 || tags["r_u1"].Interests != "books,toys" || tags["r_u4"].Events != 1 {
		t.Errorf("consumer_tags = %+v", tags)
	}

	// No value of any column equals, or contains, a user_token.
	for _, r := range got {
		v := reflect.ValueOf(r)
		for i := range v.NumField() {
			s := v.Field(i).String()
			for u := range tags {
				if v.Field(i).Kind() == reflect.String && strings.Contains(s, u) {
					t.Errorf("%s = %q carries user token %q", v.Type().Field(i).Name, s, u)
				}
			}
		}
	}
	for _, f := range schemas.MerchantAudiences.Schema.Fields() {
		if strings.Contains(f.Name, "user") {
			t.Errorf("merchant_audiences has column %s", f.Name)
		}
	}

	m, err := w.Manifest(schemas.MerchantAudiences, sinks.Partition{DT: dt})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(m.KeyIDs, tok.KeyIDs()) || m.Rows != 4 || m.Stage != "tags" || m.RunID != "run-1" {
		t.Errorf("manifest = %+v, want key ids %v and 4 rows", m, tok.KeyIDs())
	}
	var st pipeline.Stats
	if err := json.Unmarshal(m.Stats, &st); err != nil {
		t.Fatal(err)
	}
	if st.RecordsOut != 4 || !strings.Contains(st.Transforms["merchant_id"], "1 events") ||
		!strings.Contains(st.Transforms["customer_token"], "merchant/<merchant_id>/customer") || st.Transforms["user_token"] != "" {
		t.Errorf("stats = %+v", st)
	}
}

// A merchant's tokens are the same on every day the consumer is seen, and
// differ when the keys do.
func TestMerchantTokensAcrossDaysAndKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opener := openKeys(t)
	tokensOf := func(rows []audRow) map[string]string {
		out := map[string]string{}
		for _, r := range rows {
			out[r.Merchant+"/"+r.Interests] = r.Customer
		}
		return out
	}
	runDay := func(offset int, o pipeline.KeyOpener) map[string]string {
		w := testwarehouse.Open(t)
		day := testwarehouse.Day(t, dt).AddDate(0, 0, offset)
		writeMerchantEvents(t, w, mem, day.Format(time.DateOnly), []mev{
			{ev: ev{TS: day.Add(time.Hour), Type: "view", User: "r_u1", Category: "books"}, Merchant: "m-a"},
			{ev: ev{TS: day.Add(time.Hour), Type: "view", User: "r_u2", Category: "tea"}, Merchant: "m-a"},
		})
		job := testwarehouse.Job(t, w, mem, Stage{}, day, "run")
		job.Keys = o
		if err := (Stage{}).Run(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		var rows []audRow
		err := w.Scan(context.Background(), mem, schemas.MerchantAudiences, sinks.Partition{DT: day.Format(time.DateOnly)}, func(rec arrow.RecordBatch) error {
			for i := range int(rec.NumRows()) {
				rows = append(rows, audRow{Merchant: rec.Column(0).(*array.String).Value(i), Customer: rec.Column(1).(*array.String).Value(i), Interests: rec.Column(6).(*array.String).Value(i)})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return tokensOf(rows)
	}
	day1, day2 := runDay(0, opener), runDay(5, opener)
	if len(day1) != 2 || !maps.Equal(day1, day2) {
		t.Errorf("tokens changed between days:\n%v\n%v", day1, day2)
	}
	rekeyed := runDay(0, openKeys(t))
	for k, v := range day1 {
		if rekeyed[k] == "" || rekeyed[k] == v {
			t.Errorf("%s: token %q unchanged under other keys (%q)", k, v, rekeyed[k])
		}
	}
}

func TestMerchantAudiencesBatchesAndOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	var evs []mev
	for i := range 300 {
		evs = append(evs, mev{
			ev:       ev{TS: at(t, 0, "00:00:00.000").Add(time.Duration(i) * time.Second), Type: "view", User: "r_u" + string(rune('a'+i%26)) + string(rune('a'+i%7))},
			Merchant: []string{"m3", "m1", "m2", "m10"}[i%4],
		})
	}
	writeMerchantEvents(t, w, mem, dt, evs)
	opener := openKeys(t)
	if err := (Stage{}).Run(context.Background(), newJob(t, w, mem, Stage{}, "run-1", opener)); err != nil {
		t.Fatal(err)
	}
	rows1 := readAudiences(t, w, mem)
	m1, _ := w.Manifest(schemas.MerchantAudiences, sinks.Partition{DT: dt})
	defer func(n int) { batchRows = n }(batchRows)
	batchRows = 7
	if err := (Stage{}).Run(context.Background(), newJob(t, w, mem, Stage{}, "run-2", opener)); err != nil {
		t.Fatal(err)
	}
	rows2 := readAudiences(t, w, mem)
	m2, _ := w.Manifest(schemas.MerchantAudiences, sinks.Partition{DT: dt})
	if !reflect.DeepEqual(rows1, rows2) || !reflect.DeepEqual(m1.Files, m2.Files) {
		t.Fatal("re-run with small batches changed merchant_audiences")
	}
	// 182 distinct users (lcm 26·7), each with the merchants its events hit.
	seen := map[[2]string]bool{}
	for _, e := range evs {
		seen[[2]string{e.Merchant, e.User}] = true
	}
	if len(rows1) != len(seen) {
		t.Errorf("%d rows, want %d (merchant, user) pairs", len(rows1), len(seen))
	}
	for i := 1; i < len(rows1); i++ {
		p, r := rows1[i-1], rows1[i]
		if p.Merchant > r.Merchant || (p.Merchant == r.Merchant && p.Customer >= r.Customer) {
			t.Fatalf("rows not sorted by merchant_id, customer_token at %d", i)
		}
	}
}

func TestNoKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	writeMerchantEvents(t, w, mem, dt, []mev{{ev: ev{TS: at(t, 0, "01:00:00.000"), Type: "view", User: "u1"}, Merchant: "m1"}})
	job := testwarehouse.Job(t, w, mem, Stage{}, testwarehouse.Day(t, dt), "run-1")
	if err := (Stage{}).Run(context.Background(), job); !errors.Is(err, errNoKeys) {
		t.Fatalf("err = %v, want errNoKeys", err)
	}
	for _, ds := range []schemas.Dataset{schemas.ConsumerTags, schemas.MerchantAudiences} {
		if _, err := w.Manifest(ds, sinks.Partition{DT: dt}); err == nil {
			t.Errorf("%s committed without keys", ds.Name)
		}
	}
}
