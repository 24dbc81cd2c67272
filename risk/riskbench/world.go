// Package riskbench builds the world of the risk stage's benchmark and
// runs the stage on it: 30 days of events_clean committed through the real
// sinks, the risk_state of day 29 built as setup (Fold: one engine over
// days 1..29; or Setup: the risk stage on each day, slower and equal), then
// the risk stage on day 30 timed (Measure). risk/riskbench/cmd/riskbench is
// its command; scripts/bench.sh (step 10) runs it against DuckDB.
package riskbench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// Config is the shape of a world.
type Config struct {
	Days          int    // days of events, the last one timed
	Events        int    // events of the last day
	HistoryEvents int    // events of each earlier day
	Users         uint32 // population; 0: Events/5, at least 1000
	Seed          uint64
	Last          time.Time // the last day (UTC midnight)
}

// DefaultLast is the timed day of the default world.
var DefaultLast = time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)

// Defaults fills unset fields.
func (c Config) Defaults() Config {
	if c.Days == 0 {
		c.Days = 30
	}
	if c.Users == 0 {
		c.Users = uint32(max(1000, max(c.Events, c.HistoryEvents)/5))
	}
	if c.Last.IsZero() {
		c.Last = DefaultLast
	}
	return c
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var errs []error
	if c.Days < 2 || c.Days > 400 {
		errs = append(errs, fmt.Errorf("days %d: want 2..400", c.Days))
	}
	if c.Events < 1 || c.Events >= 1<<31 {
		errs = append(errs, fmt.Errorf("events %d: want 1..2^31", c.Events))
	}
	if c.HistoryEvents < 0 || c.HistoryEvents >= 1<<31 {
		errs = append(errs, fmt.Errorf("history events %d: want 0..2^31", c.HistoryEvents))
	}
	if c.Users < 4 || c.Users > 1<<30 {
		errs = append(errs, fmt.Errorf("users %d: want 4..2^30", c.Users))
	}
	return errors.Join(errs...)
}

// Day returns day i of the world (0-based; Days-1 is Last).
func (c Config) Day(i int) time.Time { return c.Last.AddDate(0, 0, i-c.Days+1) }

// Generate commits events_clean for every day of c into wh, days in
// parallel on all cores, the largest first.
func Generate(ctx context.Context, wh *sinks.Warehouse, mem memory.Allocator, c Config) (int64, error) {
	days := make(chan int, c.Days)
	for i := c.Days - 1; i >= 0; i-- {
		days <- i
	}
	close(days)
	errs := make([]error, c.Days)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), c.Days) {
		wg.Go(func() {
			g := newDayWriter(c, mem)
			defer g.b.Release()
			for d := range days {
				if errs[d] = ctx.Err(); errs[d] == nil {
					errs[d] = g.write(wh, d)
				}
			}
		})
	}
	wg.Wait()
	n := int64(c.Events) + int64(c.HistoryEvents)*int64(c.Days-1)
	return n, errors.Join(errs...)
}

// batchRows is the record size the generator writes, as ingest does.
const batchRows = 64 * 1024

const msPerDay = 86_400_000

// dayWriter builds and commits one events_clean partition at a time.
type dayWriter struct {
	c       Config
	b       *array.RecordBuilder
	mem     memory.Allocator
	scratch []byte
	col     map[string]int
}

func newDayWriter(c Config, mem memory.Allocator) *dayWriter {
	col := map[string]int{}
	for i, f := range schemas.EventsClean.Schema.Fields() {
		col[f.Name] = i
	}
	return &dayWriter{c: c, b: array.NewRecordBuilder(mem, schemas.EventsClean.Schema), mem: mem, col: col}
}

func (g *dayWriter) str(name string) *array.StringBuilder {
	return g.b.Field(g.col[name]).(*array.StringBuilder)
}

// write commits events_clean of day d: events in time order, 2% of them
// at the same millisecond as the one before (ties are part of the
// engine's contract).
func (g *dayWriter) write(wh *sinks.Warehouse, d int) error {
	n := g.c.HistoryEvents
	if d == g.c.Days-1 {
		n = g.c.Events
	}
	day := g.c.Day(d)
	dt := day.Format(time.DateOnly)
	pw, err := wh.Begin(schemas.EventsClean, sinks.Partition{DT: dt}, "ingest", "riskbench-"+dt)
	if err != nil {
		return err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(g.mem)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(g.c.Seed, uint64(d)))
	st := dayState{day: day.UnixMilli(), n: n, id: "ev-" + day.Format("20060102") + "-",
		live: "live-" + day.Format("20060102") + "-", sessions: max(10, n/50_000)}
	for lo := 0; lo < n; lo += batchRows {
		rec := g.record(rng, &st, lo, min(lo+batchRows, n))
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("events_clean/dt=%s: %w", dt, err)
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("events_clean/dt=%s: %w", dt, err)
	}
	_, err = pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: int64(n), RecordsOut: int64(n)}})
	return err
}

type dayState struct {
	day      int64
	n        int
	id, live string
	sessions int
	lastTS   int64
}

// record builds rows lo..hi of a day.
func (g *dayWriter) record(rng *rand.Rand, st *dayState, lo, hi int) arrow.RecordBatch {
	b, c := g.b, g.c
	b.Reserve(hi - lo)
	var (
		id, typ, user    = g.str("event_id"), g.str("type"), g.str("user_token")
		dev, ipTok, ip24 = g.str("device_token"), g.str("ip_token"), g.str("ip_prefix")
		cardTok, live    = g.str("card_token"), g.str("live_session_id")
		currency         = g.str("currency")
		ts               = b.Field(g.col["ts"]).(*array.TimestampBuilder)
		amount           = b.Field(g.col["amount"]).(*array.Float64Builder)
	)
	for i := lo; i < hi; i++ {
		g.scratch = strconv.AppendInt(append(g.scratch[:0], st.id...), int64(i), 10)
		id.BinaryBuilder.Append(g.scratch)
		t := st.day + int64(i)*msPerDay/int64(st.n)
		if i > 0 && rng.Float64() < 0.02 {
			t = st.lastTS
		}
		st.lastTS = t
		ts.Append(arrow.Timestamp(t))
		u := pickUser(rng.Float64(), c.Users)
		g.scratch = token(g.scratch[:0], "r_", domUser, uint64(u))
		user.BinaryBuilder.Append(g.scratch)
		tp := types[typeLaw.Pick(rng.Float64())]
		typ.Append(tp)
		if rng.Float64() < 0.02 { // no device id (a web checkout)
			dev.AppendNull()
		} else {
			g.scratch = token(g.scratch[:0], "r_", domDevice, device(u, rng.Float64()))
			dev.BinaryBuilder.Append(g.scratch)
		}
		a := ip(u, c.Users, rng.Float64(), rng.Float64())
		g.scratch = token(g.scratch[:0], "o_", domIP, uint64(a))
		ipTok.BinaryBuilder.Append(g.scratch)
		g.scratch = prefix(g.scratch[:0], a)
		ip24.BinaryBuilder.Append(g.scratch)
		if tp == "payment" || tp == "payment_failed" {
			g.scratch = token(g.scratch[:0], "r_", domCard, card(u, rng.Float64()))
			cardTok.BinaryBuilder.Append(g.scratch)
		} else {
			cardTok.AppendNull()
		}
		if tp == "purchase" {
			amount.Append(float64(500+rng.IntN(50_000)) / 100)
			currency.Append("CNY")
		} else {
			amount.AppendNull()
			currency.AppendNull()
		}
		// A few percent of browsing and buying happens in live streams,
		// Zipf-ish over the day's sessions.
		if (tp == "view" || tp == "click" || tp == "cart" || tp == "purchase") && rng.Float64() < 0.03 {
			k := int(float64(st.sessions) * rng.Float64() * rng.Float64())
			g.scratch = strconv.AppendInt(append(g.scratch[:0], st.live...), int64(k), 10)
			live.BinaryBuilder.Append(g.scratch)
		} else {
			live.AppendNull()
		}
	}
	// Columns the risk stage does not read are null.
	for _, name := range []string{"ip_country", "merchant_id", "item_id", "category", "amount_band", "coupon_id", "age_band", "gender", "region", "country", "phone_token", "email_token", "source", "browser"} {
		g.str(name).AppendNulls(hi - lo)
	}
	b.Field(g.col["signup_ts"]).AppendNulls(hi - lo)
	return b.NewRecordBatch()
}
