package tagging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// ev is shorthand for the fields tags read.
type ev = testwarehouse.Event

const dt = "2026-11-19"

// tagRow is one consumer_tags row with nulls shown as "NULL".
type tagRow struct {
	User, AgeBand, Country, Region, Interests, Discount string
	Events, Purchases                                   int64
}

// at is a time on day dt+offset.
func at(t testing.TB, offset int, clock string) time.Time {
	d := testwarehouse.Day(t, dt).AddDate(0, 0, offset)
	c, err := time.Parse("15:04:05.000", clock)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(c.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)))
}

// readTags scans consumer_tags/dt and checks as_of on every row.
func readTags(t *testing.T, w *sinks.Warehouse, mem memory.Allocator) []tagRow {
	t.Helper()
	wantAsOf := arrow.Timestamp(time.Date(2026, 11, 19, 23, 59, 59, 999e6, time.UTC).UnixMilli())
	str := func(a arrow.Array, i int) string {
		if a.IsNull(i) {
			return "NULL"
		}
		return a.(*array.String).Value(i)
	}
	var rows []tagRow
	err := w.Scan(context.Background(), mem, schemas.ConsumerTags, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		c := rec.Columns()
		for i := range int(rec.NumRows()) {
			if got := c[1].(*array.Timestamp).Value(i); got != wantAsOf {
				t.Errorf("as_of = %v, want %v", got.ToTime(arrow.Millisecond), wantAsOf.ToTime(arrow.Millisecond))
			}
			rows = append(rows, tagRow{
				User: str(c[0], i), AgeBand: str(c[2], i), Country: str(c[3], i), Region: str(c[4], i),
				Interests: str(c[5], i), Discount: str(c[6], i),
				Events: c[7].(*array.Int64).Value(i), Purchases: c[8].(*array.Int64).Value(i),
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// purchases returns n purchases by user at offset 0, the first withCoupon
// of them with a coupon.
func purchases(t testing.TB, user string, n, withCoupon int) []ev {
	var out []ev
	for i := range n {
		e := ev{TS: at(t, 0, "12:00:00.000").Add(time.Duration(i) * time.Second), Type: "purchase", User: user, Device: "d-" + user, Amount: 9.5}
		if i < withCoupon {
			e.Coupon = fmt.Sprintf("cpn-%d", i)
		}
		out = append(out, e)
	}
	return out
}

func TestTags(t *testing.T) {
	tests := []struct {
		name string
		days map[int][]ev // partition offset from dt to its events
		want []tagRow
	}{
		{
			name: "interests by weight with ties by name",
			days: map[int][]ev{
				0: {
					{TS: at(t, 0, "10:00:00.000"), Type: "purchase", User: "u1", Category: "beauty"}, // beauty 6
					{TS: at(t, 0, "10:01:00.000"), Type: "cart", User: "u1", Category: "books"},      // books 4
					{TS: at(t, 0, "10:02:00.000"), Type: "click", User: "u1", Category: "shoes"},     // shoes 1+3 = 4
					{TS: at(t, 0, "10:04:00.000"), Type: "fav", User: "u1", Category: "shoes"},
					{TS: at(t, 0, "10:05:00.000"), Type: "fav", User: "u1", Category: "toys"}, // toys 3
					{TS: at(t, 0, "10:06:00.000"), Type: "login", User: "u1", Category: "zzz"},
					{TS: at(t, 0, "10:07:00.000"), Type: "view", User: "u1"}, // no category
				},
				-3: {
					{TS: at(t, -3, "09:00:00.000"), Type: "cart", User: "u2", Category: "garden"},
					{TS: at(t, -3, "09:00:01.000"), Type: "cart", User: "u2", Category: "audio"},
				},
			},
			want: []tagRow{
				{User: "u1", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "beauty,books,shoes", Discount: "low", Events: 7, Purchases: 1},
				{User: "u2", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "audio,garden", Discount: "NULL", Events: 2},
			},
		},
		{
			name: "no weighted events means null interests",
			days: map[int][]ev{0: {
				{TS: at(t, 0, "10:00:00.000"), Type: "login", User: "u1", Category: "books"},
				{TS: at(t, 0, "10:00:01.000"), Type: "refund", User: "u1", Category: "books"},
			}},
			want: []tagRow{{User: "u1", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "NULL", Events: 2}},
		},
		{
			name: "discount thresholds",
			days: map[int][]ev{0: concat(
				purchases(t, "a-none", 3, 0),    // 0
				purchases(t, "b-low", 10, 1),    // 0.1
				purchases(t, "c-medium", 5, 1),  // 0.2 exactly
				purchases(t, "d-medium", 10, 4), // 0.4
				purchases(t, "e-high", 2, 1),    // 0.5 exactly
				purchases(t, "f-high", 3, 3),    // 1
				[]ev{
					{TS: at(t, 0, "12:00:00.000"), Type: "purchase", User: "g-empty", Coupon: ""},
					{TS: at(t, 0, "12:00:00.000"), Type: "coupon_redeem", User: "g-empty", Coupon: "cpn"},
				},
			)},
			want: []tagRow{
				{User: "a-none", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "low", Events: 3, Purchases: 3},
				{User: "b-low", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "low", Events: 10, Purchases: 10},
				{User: "c-medium", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "medium", Events: 5, Purchases: 5},
				{User: "d-medium", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "medium", Events: 10, Purchases: 10},
				{User: "e-high", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "high", Events: 2, Purchases: 2},
				{User: "f-high", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "high", Events: 3, Purchases: 3},
				{User: "g-empty", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "low", Events: 2, Purchases: 1},
			},
		},
		{
			name: "most recent non-null attributes by event time not partition",
			days: map[int][]ev{
				-10: {
					{TS: at(t, -10, "08:00:00.000"), Type: "view", User: "u1", AgeBand: "18-24", Country: "CN", Region: "Zhejiang"},
					// Committed in an old partition but the latest event.
					{TS: at(t, 0, "20:00:00.000"), Type: "view", User: "u1", Region: "Jiangsu"},
				},
				0: {
					{TS: at(t, 0, "09:00:00.000"), Type: "view", User: "u1", AgeBand: "25-34", Region: "Shanghai"},
					{TS: at(t, 0, "21:00:00.000"), Type: "view", User: "u1"}, // nulls do not erase
					// Equal times: the greater value wins whatever the order.
					{TS: at(t, 0, "09:00:00.000"), Type: "view", User: "u2", Country: "US"},
					{TS: at(t, 0, "09:00:00.000"), Type: "view", User: "u2", Country: "CN"},
					{TS: at(t, 0, "09:00:00.000"), Type: "view", User: "u3", Country: "CN"},
					{TS: at(t, 0, "09:00:00.000"), Type: "view", User: "u3", Country: "US"},
				},
			},
			want: []tagRow{
				{User: "u1", AgeBand: "25-34", Country: "CN", Region: "Jiangsu", Interests: "NULL", Discount: "NULL", Events: 4},
				{User: "u2", AgeBand: "NULL", Country: "US", Region: "NULL", Interests: "NULL", Discount: "NULL", Events: 2},
				{User: "u3", AgeBand: "NULL", Country: "US", Region: "NULL", Interests: "NULL", Discount: "NULL", Events: 2},
			},
		},
		{
			name: "as_of boundary and the future",
			days: map[int][]ev{
				0: {
					{TS: at(t, 0, "23:59:59.999"), Type: "purchase", User: "u1", Category: "books", Country: "CN"}, // exactly as_of: counts
					{TS: at(t, 1, "00:00:00.000"), Type: "purchase", User: "u1", Category: "toys", Country: "US"},  // 1ms later: not yet
					{TS: at(t, 1, "00:00:00.000"), Type: "view", User: "u-future"},
				},
				1: { // a later partition is outside the window whatever its times
					{TS: at(t, 0, "12:00:00.000"), Type: "purchase", User: "u1", Category: "toys"},
					{TS: at(t, 1, "12:00:00.000"), Type: "view", User: "u-later"},
				},
				-29: {{TS: at(t, -29, "00:00:00.000"), Type: "view", User: "u-first-day"}},
				-30: {{TS: at(t, -30, "23:00:00.000"), Type: "view", User: "u-before-window"}},
			},
			want: []tagRow{
				{User: "u-first-day", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "NULL", Discount: "NULL", Events: 1},
				{User: "u1", AgeBand: "NULL", Country: "CN", Region: "NULL", Interests: "books", Discount: "low", Events: 1, Purchases: 1},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			w := testwarehouse.Open(t)
			if _, ok := tc.days[0]; !ok {
				t.Fatal("test case without dt")
			}
			for off, evs := range tc.days {
				testwarehouse.WriteEvents(t, w, mem, testwarehouse.Day(t, dt).AddDate(0, 0, off).Format(time.DateOnly), evs)
			}
			m := run(t, w, mem, Stage{}, "run-1")
			got := readTags(t, w, mem)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tags:\n got %+v\nwant %+v", got, tc.want)
			}
			if m.Rows != int64(len(tc.want)) {
				t.Errorf("manifest rows = %d, want %d", m.Rows, len(tc.want))
			}
		})
	}
}

func concat(parts ...[]ev) []ev {
	var out []ev
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// run runs s for dt as the runner would and returns the output manifest.
func run(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, s Stage, runID string) *sinks.Manifest {
	t.Helper()
	job := newJob(t, w, mem, s, runID)
	if err := s.Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	m, err := w.Manifest(schemas.ConsumerTags, sinks.Partition{DT: dt})
	if err != nil {
		t.Fatal(err)
	}
	if m.RunID != runID || m.Stage != "tags" || m.SchemaVersion != schemas.ConsumerTags.Version {
		t.Errorf("manifest = %+v", m)
	}
	return m
}

func TestStatsAndInputs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	// Days dt-2 and dt-20 are committed, the rest of the window is missing.
	testwarehouse.WriteEvents(t, w, mem, "2026-10-30", []ev{{TS: at(t, -20, "01:00:00.000"), Type: "view", User: "u2", Category: "tea"}})
	testwarehouse.WriteEvents(t, w, mem, "2026-11-17", []ev{{TS: at(t, -2, "01:00:00.000"), Type: "cart", User: "u1", Category: "tea"}})
	testwarehouse.WriteEvents(t, w, mem, dt, []ev{
		{TS: at(t, 0, "01:00:00.000"), Type: "view", User: "u1", Category: "tea"},
		{TS: at(t, 1, "01:00:00.000"), Type: "view", User: "u1", Category: "tea"},
	})
	m := run(t, w, mem, Stage{}, "run-1")

	want := []string{"warehouse/events_clean/dt=2026-10-30", "warehouse/events_clean/dt=2026-11-17", "warehouse/events_clean/dt=2026-11-19"}
	var refs []string
	for _, in := range m.Inputs {
		refs = append(refs, in.Ref)
	}
	if !reflect.DeepEqual(refs, want) {
		t.Errorf("manifest inputs = %v, want %v", refs, want)
	}
	var st pipeline.Stats
	if err := json.Unmarshal(m.Stats, &st); err != nil {
		t.Fatal(err)
	}
	if st.RecordsIn != 4 || st.RecordsOut != 2 {
		t.Errorf("stats in/out = %d/%d, want 4/2", st.RecordsIn, st.RecordsOut)
	}
	if d := st.Transforms["interests"]; !strings.Contains(d, "purchase 6") || !strings.Contains(d, "top 3") {
		t.Errorf("interests transform = %q", d)
	}
	if got := readTags(t, w, mem); len(got) != 2 || got[0].Events != 2 || got[0].Interests != "tea" || got[1].Events != 1 {
		t.Errorf("tags = %+v", got)
	}
}

func TestRequiredDayMissing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	testwarehouse.WriteEvents(t, w, mem, "2026-11-18", []ev{{TS: at(t, -1, "01:00:00.000"), Type: "view", User: "u1"}})
	s := Stage{}
	job := newJob(t, w, mem, s, "run-1")
	err := s.Run(context.Background(), job)
	if !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("err = %v, want ErrNotCommitted", err)
	}
	if _, err := w.Manifest(schemas.ConsumerTags, sinks.Partition{DT: dt}); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("output committed without its required input: %v", err)
	}
}

func TestDeterministicAcrossRunsAndBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	cats := []string{"beauty", "books", "shoes", "toys", "tea"}
	types := []string{"view", "click", "fav", "cart", "purchase", "login"}
	for day := -3; day <= 0; day++ {
		var evs []ev
		for i := range 500 {
			// Users arrive out of token order so that sorting matters.
			u := fmt.Sprintf("u%03d", (i*37+day*11+1000)%101)
			e := ev{TS: at(t, day, "00:00:00.000").Add(time.Duration(i) * time.Minute), Type: types[i%len(types)], User: u, Category: cats[(i/3)%len(cats)]}
			if i%4 == 0 {
				e.Coupon = "c"
			}
			evs = append(evs, e)
		}
		testwarehouse.WriteEvents(t, w, mem, testwarehouse.Day(t, dt).AddDate(0, 0, day).Format(time.DateOnly), evs)
	}
	m1 := run(t, w, mem, Stage{}, "run-1")
	rows1 := readTags(t, w, mem)
	defer func(n int) { batchRows = n }(batchRows)
	batchRows = 7 // many small records must give the same file
	m2 := run(t, w, mem, Stage{}, "run-2")
	rows2 := readTags(t, w, mem)
	if len(m1.Files) != 1 || !reflect.DeepEqual(m1.Files, m2.Files) {
		t.Fatalf("re-run changed the files:\n%+v\n%+v", m1.Files, m2.Files)
	}
	if len(rows1) != 101 || !reflect.DeepEqual(rows1, rows2) {
		t.Fatalf("rows differ or wrong count: %d vs %d", len(rows1), len(rows2))
	}
	for i := 1; i < len(rows1); i++ {
		if rows1[i-1].User >= rows1[i].User {
			t.Fatalf("rows not sorted by user_token at %d: %s, %s", i, rows1[i-1].User, rows1[i].User)
		}
	}
}

func TestCustomRules(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	testwarehouse.WriteEvents(t, w, mem, dt, concat(
		[]ev{
			{TS: at(t, 0, "01:00:00.000"), Type: "view", User: "u1", Category: "books"},
			{TS: at(t, 0, "01:00:01.000"), Type: "view", User: "u1", Category: "books"},
			{TS: at(t, 0, "01:00:02.000"), Type: "login", User: "u1", Category: "garden"},
		},
		purchases(t, "u1", 10, 1)))
	s := Stage{Rules: Rules{Weights: map[string]int{"login": 5, "view": 2}, TopInterests: 1, DiscountMedium: 0.05, DiscountHigh: 0.1}}
	run(t, w, mem, s, "run-1")
	want := []tagRow{{User: "u1", AgeBand: "NULL", Country: "NULL", Region: "NULL", Interests: "garden", Discount: "high", Events: 13, Purchases: 10}}
	if got := readTags(t, w, mem); !reflect.DeepEqual(got, want) {
		t.Errorf("tags = %+v, want %+v", got, want)
	}
}

func TestCancelled(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	testwarehouse.WriteEvents(t, w, mem, dt, []ev{{TS: at(t, 0, "01:00:00.000"), Type: "view", User: "u1"}})
	s := Stage{}
	job := newJob(t, w, mem, s, "run-1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Run(ctx, job); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	for _, ds := range []schemas.Dataset{schemas.ConsumerTags, schemas.MerchantAudiences} {
		if _, err := w.Manifest(ds, sinks.Partition{DT: dt}); !errors.Is(err, sinks.ErrNotCommitted) {
			t.Fatalf("cancelled run committed %s: %v", ds.Name, err)
		}
	}
}

// TestRunner checks that the manifest's inputs are what the runner compares:
// after a run the partition is up to date, and a new optional day makes it
// due again.
func TestRunner(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	testwarehouse.WriteEvents(t, w, mem, dt, []ev{{TS: at(t, 0, "01:00:00.000"), Type: "view", User: "u1"}})
	env := &pipeline.Env{Warehouse: w, Mem: mem, Log: slog.New(slog.DiscardHandler), Keys: openKeys(t)}
	r := &pipeline.Runner{Env: env, Stages: []pipeline.Stage{Stage{}}}
	day := testwarehouse.Day(t, dt)
	for i, want := range []pipeline.Outcome{pipeline.Ran, pipeline.UpToDate} {
		if out, err := r.RunOne(context.Background(), Stage{}, day, false); err != nil || out != want {
			t.Fatalf("run %d: %v, %v; want %v", i, out, err, want)
		}
	}
	testwarehouse.WriteEvents(t, w, mem, "2026-11-01", []ev{{TS: at(t, -18, "01:00:00.000"), Type: "view", User: "u2"}})
	if out, err := r.RunOne(context.Background(), Stage{}, day, false); err != nil || out != pipeline.Ran {
		t.Fatalf("after a new window day: %v, %v; want ran", out, err)
	}
	if got := readTags(t, w, mem); len(got) != 2 {
		t.Fatalf("tags = %+v, want u1 and u2", got)
	}
}

func TestPlan(t *testing.T) {
	p := Stage{}.Plan(testwarehouse.Day(t, dt))
	if len(p.Inputs) != 30 || len(p.Outputs) != 2 {
		t.Fatalf("plan has %d inputs, %d outputs", len(p.Inputs), len(p.Outputs))
	}
	first, last := p.Inputs[0], p.Inputs[29]
	if first.Partition.DT != "2026-10-21" || first.Required || last.Partition.DT != dt || !last.Required {
		t.Errorf("window = %+v .. %+v", first, last)
	}
	for _, in := range p.Inputs {
		if in.Dataset.Name != schemas.EventsClean.Name {
			t.Errorf("input %+v", in)
		}
	}
	for i, ds := range []schemas.Dataset{schemas.ConsumerTags, schemas.MerchantAudiences} {
		if o := p.Outputs[i]; o.Dataset.Name != ds.Name || o.Partition.DT != dt {
			t.Errorf("output %d: %+v", i, o)
		}
	}
	if n := len(Stage{Rules: Rules{WindowDays: 7}}.Plan(testwarehouse.Day(t, dt)).Inputs); n != 7 {
		t.Errorf("7-day window has %d inputs", n)
	}
}
