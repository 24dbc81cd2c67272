package testtags

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"

	"github.com/veil-data/veil/internal/worldgen"
)

// generate writes the world of n consumers into wh.
func generate(wh *sinks.Warehouse, mem memory.Allocator, n int) (*World, error) {
	s := newShape(n)
	w := &World{Warehouse: wh, Day: day(0), Consumers: n, Merchants: len(s.merchants)}
	// Bucket every event by day, as consumer<<2 | slot, in one array:
	// count, then fill (4 bytes an event, freed before the stage runs).
	var perDay [Days]int
	for u := range uint32(n) {
		h := profile(u)
		nfav := favourites(h)
		for j := range activity(h) {
			d, _ := eventSlot(h, j, nfav)
			perDay[d]++
		}
	}
	var start [Days + 1]int
	for d := range Days {
		start[d+1] = start[d] + perDay[d]
	}
	w.Events = int64(start[Days])
	all := make([]uint32, w.Events)
	next := start
	consumersOf := make([]int64, len(s.merchants))
	for u := range uint32(n) {
		h := profile(u)
		nfav := favourites(h)
		var used [3]bool
		for j := range activity(h) {
			d, slot := eventSlot(h, j, nfav)
			all[next[d]] = u<<2 | slot
			next[d]++
			if slot < 3 {
				used[slot] = true
			}
		}
		// Two slots may hold one merchant: count each merchant once.
		var seen []int
		for slot, ok := range used {
			if m := s.favourite(h, uint32(slot)); ok && !slices.Contains(seen, m) {
				seen = append(seen, m)
				consumersOf[m]++
			}
		}
		w.Pairs += int64(len(seen))
	}
	best := 0
	for m, c := range consumersOf {
		if c > consumersOf[best] {
			best = m
		}
	}
	w.Largest, w.LargestConsumers = s.merchants[best], consumersOf[best]

	// Days in parallel, each with its own random stream.
	days := make(chan int, Days)
	for d := range Days {
		days <- d
	}
	close(days)
	errs := make([]error, Days)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			g := newDayWriter(s, mem)
			defer g.b.Release()
			for d := range days {
				errs[d] = g.write(wh, d-Days+1, all[start[d]:start[d+1]])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	all = nil
	o, err := writeRegistry(wh, mem, n)
	w.OptedOut = o
	return w, err
}

// writeRegistry commits optout_registry/DT: one consumer in a thousand
// opted out, as many more who withdrew an opt-out.
func writeRegistry(wh *sinks.Warehouse, mem memory.Allocator, n int) (int, error) {
	since := day(-3)
	var entries []consent.Entry
	for u := range uint32(n) {
		switch profile(u) % 1000 {
		case 0:
			entries = append(entries, consent.Entry{UserToken: Token(u), OptedOut: true, Since: since, FirstOptOut: since, Changes: 1})
		case 1:
			entries = append(entries, consent.Entry{UserToken: Token(u), Since: since, FirstOptOut: since.Add(-48 * time.Hour), Changes: 2})
		}
	}
	slices.SortFunc(entries, func(a, b consent.Entry) int { return cmp.Compare(a.UserToken, b.UserToken) })
	opted := 0
	for _, e := range entries {
		if e.OptedOut {
			opted++
		}
	}
	rec := consent.NewRecord(mem, entries)
	defer rec.Release()
	pw, err := wh.Begin(schemas.OptOutRegistry, sinks.Partition{DT: DT}, "optouts", "bench-optouts")
	if err != nil {
		return 0, err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		return 0, err
	}
	if err := fw.Write(rec); err != nil {
		return 0, err
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	_, err = pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: int64(len(entries)), RecordsOut: int64(len(entries))}})
	return opted, err
}

// batchRows is the record size the generator writes in, as ingest does.
const batchRows = 64 * 1024

// dayWriter builds and commits one events_clean partition at a time.
type dayWriter struct {
	s       *shape
	mem     memory.Allocator
	b       *array.RecordBuilder
	scratch []byte
	str     func(name string) *array.StringBuilder
}

func newDayWriter(s *shape, mem memory.Allocator) *dayWriter {
	b := array.NewRecordBuilder(mem, schemas.EventsClean.Schema)
	return &dayWriter{s: s, mem: mem, b: b, str: func(name string) *array.StringBuilder {
		return b.Field(schemas.EventsClean.Schema.FieldIndices(name)[0]).(*array.StringBuilder)
	}}
}

// write commits events_clean/dt=DT+offset with the day's events, given as
// consumer<<2 | slot, in a random order with increasing times.
func (g *dayWriter) write(wh *sinks.Warehouse, offset int, evs []uint32) error {
	d := day(offset)
	dt := d.Format(time.DateOnly)
	rng := rand.New(rand.NewPCG(seed, uint64(offset+Days)))
	rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	pw, err := wh.Begin(schemas.EventsClean, sinks.Partition{DT: dt}, "ingest", "bench-ingest-"+dt)
	if err != nil {
		return err
	}
	defer pw.Abort()
	fw, err := pw.Parquet(g.mem)
	if err != nil {
		return err
	}
	idPrefix := "ev-" + d.Format("20060102") + "-"
	for lo := 0; lo < len(evs); lo += batchRows {
		hi := min(lo+batchRows, len(evs))
		rec := g.record(rng, d.UnixMilli(), idPrefix, evs, lo, hi)
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	if err := fw.Close(); err != nil {
		return err
	}
	_, err = pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: int64(len(evs)), RecordsOut: int64(len(evs))}})
	return err
}

// record builds rows lo..hi of a day; row i is at i/len of the day.
func (g *dayWriter) record(rng *rand.Rand, dayMS int64, idPrefix string, evs []uint32, lo, hi int) arrow.RecordBatch {
	b, str, s := g.b, g.str, g.s
	b.Reserve(hi - lo)
	var (
		id, typ, user         = str("event_id"), str("type"), str("user_token")
		merchant, cat, coupon = str("merchant_id"), str("category"), str("coupon_id")
		currency, band        = str("currency"), str("amount_band")
		age, gender           = str("age_band"), str("gender")
		region, country       = str("region"), str("country")
		ts                    = b.Field(schemas.EventsClean.Schema.FieldIndices("ts")[0]).(*array.TimestampBuilder)
		amount                = b.Field(schemas.EventsClean.Schema.FieldIndices("amount")[0]).(*array.Float64Builder)
	)
	for i := lo; i < hi; i++ {
		u, slot := evs[i]>>2, evs[i]&3
		h := profile(u)
		g.scratch = strconv.AppendInt(append(g.scratch[:0], idPrefix...), int64(i), 10)
		id.BinaryBuilder.Append(g.scratch)
		ts.Append(arrow.Timestamp(dayMS + int64(i)*msPerDay/int64(len(evs))))
		g.scratch = token(g.scratch[:0], u)
		user.BinaryBuilder.Append(g.scratch)
		t, c := "", 0
		if slot == 3 {
			t = otherTypes[otherLaw.Pick(rng.Float64())]
			merchant.AppendNull()
			cat.AppendNull()
		} else {
			t = merchantTypes[merchantLaw.Pick(rng.Float64())]
			m := s.favourite(h, slot)
			merchant.Append(s.merchants[m])
			// Mostly what the merchant sells, else the consumer's own
			// interest, now and then anything.
			switch r := rng.Float64(); {
			case r < 0.6:
				c = m % len(categories)
			case r < 0.9:
				c = categoryLaw.Pick(unit(worldgen.Mix(h ^ 0xca)))
			default:
				c = categoryLaw.Pick(rng.Float64())
			}
			cat.Append(categories[c])
		}
		typ.Append(t)
		if t == "purchase" {
			// Prices: the category's level, the consumer's (budget, mid
			// or premium), and noise; cents.
			a := math.Round((12+float64(c%20)*9)*priceLevels[worldgen.Mix(h^0x9e)%3]*(0.5+rng.Float64())*100) / 100
			amount.Append(a)
			currency.Append("CNY")
			band.Append(amountBand(a))
			if rng.Float64() < couponHabits[worldgen.Mix(h^0xc0)%3] {
				coupon.Append(coupons[rng.IntN(len(coupons))])
			} else {
				coupon.AppendNull()
			}
		} else {
			amount.AppendNull()
			currency.AppendNull()
			band.AppendNull()
			coupon.AppendNull()
		}
		// Profile fields come with sign-ins, sign-ups and purchases, and
		// now and then with anything else.
		if t == "purchase" || t == "login" || t == "register" || rng.Float64() < 0.05 {
			age.Append(ageBands[ageLaw.Pick(unit(worldgen.Mix(h^0xa9)))])
			gender.Append(genders[worldgen.Mix(h^0x6e)%3])
			c := countries[countryLaw.Pick(unit(worldgen.Mix(h^0xc7)))]
			country.Append(c)
			if c == "CN" {
				region.Append(regions[regionLaw.Pick(unit(worldgen.Mix(h^0x7e)))])
			} else {
				region.Append(c)
			}
		} else {
			age.AppendNull()
			gender.AppendNull()
			country.AppendNull()
			region.AppendNull()
		}
	}
	// Columns the tags stage does not read are null.
	for _, name := range []string{"device_token", "ip_token", "ip_prefix", "ip_country", "item_id", "live_session_id", "card_token", "phone_token", "email_token", "source", "browser"} {
		str(name).AppendNulls(hi - lo)
	}
	b.Field(schemas.EventsClean.Schema.FieldIndices("signup_ts")[0]).AppendNulls(hi - lo)
	return b.NewRecordBatch()
}

const msPerDay = 24 * 60 * 60 * 1000

func amountBand(a float64) string {
	switch {
	case a < 50:
		return "0-50"
	case a < 100:
		return "50-100"
	case a < 500:
		return "100-500"
	}
	return "500+"
}
