// Package testwarehouse builds small warehouses for the tests and
// benchmarks of stages that read events_clean: it writes Arrow records
// through the real sinks, commits them, and makes the pipeline.Job a runner
// would make. It is imported only from _test.go files.
package testwarehouse

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Event is one events_clean row. Empty optional strings are written as
// nulls; ID defaults to a value derived from the row's position, IP fields
// to fixed tokens.
type Event struct {
	ID       string
	TS       time.Time
	Type     string
	User     string
	Device   string
	Category string
	Coupon   string
	AgeBand  string
	Country  string
	Region   string
	Merchant string
	Amount   float64 // written only for purchases
	// Risk columns: empty IP and IPPrefix write fixed well-formed values,
	// the other empty ones null; a zero Signup is null.
	IP, IPPrefix, Card, Live string
	Signup                   time.Time
}

// Open returns a warehouse in a temporary directory whose manifests carry a
// fixed commit time.
func Open(tb testing.TB) *sinks.Warehouse {
	tb.Helper()
	w, err := sinks.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	w.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	return w
}

// Record builds one events_clean record of evs; the caller releases it.
// Row i without an ID gets "<prefix>-<i>".
func Record(mem memory.Allocator, prefix string, evs []Event) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schemas.EventsClean.Schema)
	defer b.Release()
	b.Reserve(len(evs))
	s := func(name string) *array.StringBuilder {
		return b.Field(schemas.EventsClean.Schema.FieldIndices(name)[0]).(*array.StringBuilder)
	}
	opt := func(sb *array.StringBuilder, v string) {
		if v == "" {
			sb.AppendNull()
		} else {
			sb.Append(v)
		}
	}
	var (
		id, typ, user, dev     = s("event_id"), s("type"), s("user_token"), s("device_token")
		ipTok, ipPrefix        = s("ip_token"), s("ip_prefix")
		ipCountry, amountBand  = s("ip_country"), s("amount_band")
		merchant, item, cat    = s("merchant_id"), s("item_id"), s("category")
		currency, coupon, live = s("currency"), s("coupon_id"), s("live_session_id")
		card, age, gender      = s("card_token"), s("age_band"), s("gender")
		region, country        = s("region"), s("country")
		phone, email           = s("phone_token"), s("email_token")
		tsB                    = b.Field(schemas.EventsClean.Schema.FieldIndices("ts")[0]).(*array.TimestampBuilder)
		amount                 = b.Field(schemas.EventsClean.Schema.FieldIndices("amount")[0]).(*array.Float64Builder)
	)
	for i, e := range evs {
		if e.ID == "" {
			id.Append(fmt.Sprintf("%s-%d", prefix, i))
		} else {
			id.Append(e.ID)
		}
		tsB.Append(arrow.Timestamp(e.TS.UnixMilli()))
		typ.Append(e.Type)
		user.Append(e.User)
		dev.Append(e.Device)
		ipTok.Append(cmp.Or(e.IP, "o_AAAAAQAAAAAAAAAAAAAAAAAAAAA")) // well-formed: a residual scan accepts it
		ipPrefix.Append(cmp.Or(e.IPPrefix, "10.0.0.0/24"))
		ipCountry.AppendNull()
		opt(merchant, e.Merchant)
		item.AppendNull()
		opt(cat, e.Category)
		if e.Type == "purchase" {
			amount.Append(e.Amount)
			currency.Append("CNY")
			amountBand.Append("bucket")
		} else {
			amount.AppendNull()
			currency.AppendNull()
			amountBand.AppendNull()
		}
		opt(coupon, e.Coupon)
		opt(live, e.Live)
		opt(card, e.Card)
		opt(age, e.AgeBand)
		gender.AppendNull()
		opt(region, e.Region)
		opt(country, e.Country)
		phone.AppendNull()
		email.AppendNull()
		// Columns only extracts fill (signup_ts, source, browser).
		if su := b.Field(schemas.EventsClean.Schema.FieldIndices("signup_ts")[0]).(*array.TimestampBuilder); e.Signup.IsZero() {
			su.AppendNull()
		} else {
			su.Append(arrow.Timestamp(e.Signup.UnixMilli()))
		}
		for _, name := range []string{"source", "browser"} {
			b.Field(schemas.EventsClean.Schema.FieldIndices(name)[0]).AppendNull()
		}
	}
	return b.NewRecordBatch()
}

// WriteEvents commits evs as the events_clean partition dt, in records of
// at most batchRows rows, and returns the manifest.
func WriteEvents(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, dt string, evs []Event) *sinks.Manifest {
	tb.Helper()
	pw, err := w.Begin(schemas.EventsClean, sinks.Partition{DT: dt}, "ingest", "ingest-"+dt)
	if err != nil {
		tb.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		tb.Fatal(err)
	}
	for start := 0; start < len(evs); start += batchRows {
		end := min(start+batchRows, len(evs))
		rec := Record(mem, dt+"-"+fmt.Sprint(start), evs[start:end])
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		tb.Fatal(err)
	}
	m, err := pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: int64(len(evs)), RecordsOut: int64(len(evs))}})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// Inputs fingerprints the committed inputs of a plan the way the runner
// does before it starts a job; missing optional inputs are left out.
func Inputs(tb testing.TB, w *sinks.Warehouse, plan pipeline.Plan) []sinks.Input {
	tb.Helper()
	var out []sinks.Input
	for _, in := range plan.Inputs {
		m, err := w.Manifest(in.Dataset, in.Partition)
		if errors.Is(err, sinks.ErrNotCommitted) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		ref := "warehouse/" + in.Dataset.Name + "/" + in.Partition.Path(in.Dataset)
		out = append(out, sinks.Input{Ref: ref, Fingerprint: m.Fingerprint()})
	}
	return out
}

// Job returns the job a runner would start for stage s and dt, with the
// inputs committed now and a discarding logger.
func Job(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, s pipeline.Stage, dt time.Time, runID string) *pipeline.Job {
	tb.Helper()
	env := &pipeline.Env{Warehouse: w, Mem: mem, Log: slog.New(slog.DiscardHandler)}
	in := Inputs(tb, w, s.Plan(dt))
	if c, ok := s.(pipeline.Configured); ok {
		in = append(in, sinks.Input{Ref: "config/" + s.Name(), Fingerprint: c.ConfigFingerprint()})
	}
	return &pipeline.Job{Env: env, Stage: s.Name(), Date: dt, RunID: runID, Inputs: in}
}

// Day parses a YYYY-MM-DD date as UTC midnight.
func Day(tb testing.TB, dt string) time.Time {
	tb.Helper()
	d, err := time.Parse(time.DateOnly, dt)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// batchRows is the record size WriteEvents writes in.
const batchRows = 64 * 1024

// Commit commits recs as partition p of ds, written by stage, and returns
// the manifest.
func Commit(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, ds schemas.Dataset, p sinks.Partition, stage string, recs ...arrow.RecordBatch) *sinks.Manifest {
	tb.Helper()
	pw, err := w.Begin(ds, p, stage, stage+"-"+p.DT)
	if err != nil {
		tb.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		tb.Fatal(err)
	}
	for _, rec := range recs {
		if err := fw.Write(rec); err != nil {
			tb.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		tb.Fatal(err)
	}
	m, err := pw.Commit(sinks.CommitInfo{})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
