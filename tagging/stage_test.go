package tagging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

type ev = testwarehouse.Event

const dt = "2026-11-19"

// at is a time on day dt+offset.
func at(t testing.TB, offset int, clock string) time.Time {
	d := testwarehouse.Day(t, dt).AddDate(0, 0, offset)
	c, err := time.Parse("15:04:05", clock)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(c.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)))
}

// writeRegistry commits optout_registry/day with the given consumers
// opted out (true) or withdrawn (false).
func writeRegistry(tb testing.TB, w *sinks.Warehouse, mem memory.Allocator, day string, state map[string]bool) {
	tb.Helper()
	var entries []consent.Entry
	for _, tok := range slices.Sorted(maps.Keys(state)) {
		e := consent.Entry{UserToken: tok, OptedOut: state[tok], Since: testwarehouse.Day(tb, day), Changes: 1}
		if state[tok] {
			e.FirstOptOut = e.Since
		} else {
			e.FirstOptOut, e.Changes = e.Since.Add(-time.Hour), 2
		}
		entries = append(entries, e)
	}
	testwarehouse.WriteRegistry(tb, w, mem, day, entries)
}

// fixture: five consumers over two days with two merchants; r_u5 opted out.
func fixture(t *testing.T, w *sinks.Warehouse, mem memory.Allocator) {
	day := func(off int) string { return testwarehouse.Day(t, dt).AddDate(0, 0, off).Format(time.DateOnly) }
	buy := func(off int, clock, user, merchant, cat string, amount float64, coupon string) ev {
		return ev{TS: at(t, off, clock), Type: "purchase", User: user, Device: "d", Merchant: merchant, Category: cat, Amount: amount, Coupon: coupon}
	}
	view := func(off int, clock, user, merchant, cat string) ev {
		return ev{TS: at(t, off, clock), Type: "view", User: user, Device: "d", Merchant: merchant, Category: cat}
	}
	testwarehouse.WriteEvents(t, w, mem, day(-10), []ev{
		buy(-10, "09:00:00", "r_u1", "m-a", "beauty", 100, "c1"),
		view(-10, "09:01:00", "r_u2", "m-a", "books"),
	})
	testwarehouse.WriteEvents(t, w, mem, day(-3), []ev{
		buy(-3, "10:00:00", "r_u1", "m-a", "beauty", 300, "c2"),
		{TS: at(t, -3, "10:05:00"), Type: "fav", User: "r_u3", Device: "d", Merchant: "m-b", Category: "tea"},
	})
	testwarehouse.WriteEvents(t, w, mem, dt, []ev{
		buy(0, "08:00:00", "r_u1", "m-a", "beauty", 200, ""),
		buy(0, "08:30:00", "r_u1", "m-b", "tea", 10, ""),
		{TS: at(t, 0, "09:00:00"), Type: "view", User: "r_u2", Device: "d", Merchant: "m-b", Category: "books", AgeBand: "25-34", Country: "CN", Region: "Zhejiang"},
		buy(0, "11:00:00", "r_u4", "m-b", "tea", 50, "c3"),
		view(0, "12:00:00", "r_u5", "m-a", "beauty"),
		buy(0, "12:01:00", "r_u5", "m-a", "beauty", 120, ""),
		{TS: at(t, 1, "00:00:00"), Type: "view", User: "r_u2", Device: "d", Merchant: "m-a", Category: "toys"}, // after as_of
	})
	writeRegistry(t, w, mem, dt, map[string]bool{"r_u5": true, "r_u4": false})
}

// rows reads a dataset into maps of column name to value ("NULL" for null).
func rows(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, ds schemas.Dataset) []map[string]string {
	t.Helper()
	var out []map[string]string
	err := w.Scan(context.Background(), mem, ds, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		for i := range int(rec.NumRows()) {
			r := map[string]string{}
			for c, f := range rec.Schema().Fields() {
				col := rec.Column(c)
				if col.IsNull(i) {
					r[f.Name] = "NULL"
					continue
				}
				switch a := col.(type) {
				case *array.List:
					s, e := a.ValueOffsets(i)
					vals := a.ListValues().(*array.String)
					var l []string
					for j := s; j < e; j++ {
						l = append(l, vals.Value(int(j)))
					}
					b, _ := json.Marshal(l)
					r[f.Name] = string(b)
				default:
					r[f.Name] = a.ValueStr(i)
				}
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runStage(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, s Stage, runID string) {
	t.Helper()
	job := testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, dt), runID)
	if err := s.Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
}

func TestTags(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	fixture(t, w, mem)
	spec := DefaultSpec()
	runStage(t, w, mem, Stage{}, "run-1")

	got := rows(t, w, mem, spec.ConsumerTags())
	pick := func(r map[string]string, cols ...string) []string {
		var v []string
		for _, c := range cols {
			v = append(v, r[c])
		}
		return v
	}
	cols := []string{"user_token", "age_band", "region", "interests", "discount_sensitivity", "price_tier", "rfm_segment", "lifecycle"}
	want := [][]string{
		// u1: purchases on three days, two of four with a coupon (50%),
		// 610 spent: a champion; beauty strongest; prices mid-range.
		{"r_u1", "NULL", "NULL", `["beauty","tea"]`, "high", "mid", "champion", "active"},
		{"r_u2", "25-34", "Zhejiang", `["books"]`, "NULL", "NULL", "prospect", "active"},
		{"r_u3", "NULL", "NULL", `["tea"]`, "NULL", "NULL", "prospect", "new"},
		// u4 withdrew its opt-out: tagged.
		{"r_u4", "NULL", "NULL", `["tea"]`, "high", "premium", "recent", "new"},
		// u5 is opted out: absent.
	}
	if len(got) != len(want) {
		t.Fatalf("%d consumer rows, want %d: %v", len(got), len(want), got)
	}
	for i, r := range got {
		if g := pick(r, cols...); !reflect.DeepEqual(g, want[i]) {
			t.Errorf("row %d: %v\n want %v", i, g, want[i])
		}
	}

	m := rows(t, w, mem, spec.ConsumerMerchantTags())
	var pairs [][]string
	for _, r := range m {
		pairs = append(pairs, pick(r, "merchant_id", "user_token", "membership", "loyalty"))
	}
	wantPairs := [][]string{
		{"m-a", "r_u1", "member", "loyal"},
		{"m-a", "r_u2", "visitor", "none"},
		{"m-b", "r_u1", "member", "one_time"},
		{"m-b", "r_u2", "visitor", "none"},
		{"m-b", "r_u3", "follower", "none"},
		{"m-b", "r_u4", "member", "one_time"},
	}
	if !reflect.DeepEqual(pairs, wantPairs) {
		t.Errorf("merchant pairs:\n%v\nwant\n%v", pairs, wantPairs)
	}

	man, err := w.Manifest(spec.ConsumerTags(), sinks.Partition{DT: dt})
	if err != nil {
		t.Fatal(err)
	}
	var st pipeline.Stats
	if err := json.Unmarshal(man.Stats, &st); err != nil {
		t.Fatal(err)
	}
	if st.OptOutsHonoured != 1 || st.RecordsIn != 11 || st.RecordsOut != 4 {
		t.Errorf("stats: honoured %d, in %d, out %d", st.OptOutsHonoured, st.RecordsIn, st.RecordsOut)
	}
	if st.Transforms["rfm_segment"] == "" {
		t.Error("no transform recorded for rfm_segment")
	}
}

func TestTagsRerunSameBytes(t *testing.T) {
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(t)
	fixture(t, w, mem)
	spec := DefaultSpec()
	read := func() [][]byte {
		var out [][]byte
		for _, ds := range []schemas.Dataset{spec.ConsumerTags(), spec.ConsumerMerchantTags()} {
			m, err := w.Manifest(ds, sinks.Partition{DT: dt})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Files {
				b, err := os.ReadFile(filepath.Join(w.Dir(ds, sinks.Partition{DT: dt}), f.Name))
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
		}
		return out
	}
	runStage(t, w, mem, Stage{}, "run-1")
	first := read()
	runStage(t, w, mem, Stage{}, "run-2")
	for i, b := range read() {
		if !bytes.Equal(b, first[i]) {
			t.Errorf("file %d differs on a re-run", i)
		}
	}
}

func TestRegistryRequired(t *testing.T) {
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(t)
	testwarehouse.WriteEvents(t, w, mem, dt, []ev{{TS: at(t, 0, "09:00:00"), Type: "view", User: "r_u1", Device: "d"}})
	s := Stage{}
	plan := s.Plan(testwarehouse.Day(t, dt))
	last := plan.Inputs[len(plan.Inputs)-1]
	if last.Dataset.Name != schemas.OptOutRegistry.Name || !last.Required {
		t.Fatalf("plan does not require the registry: %+v", last)
	}
	job := testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, dt), "run-1")
	if err := s.Run(context.Background(), job); err == nil {
		t.Fatal("tags ran without an opt-out registry")
	}
}

func TestTagFileChangeMakesDue(t *testing.T) {
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(t)
	fixture(t, w, mem)
	runStage(t, w, mem, Stage{}, "run-1")
	r := &pipeline.Runner{Env: &pipeline.Env{Warehouse: w, Mem: mem}}
	day := testwarehouse.Day(t, dt)
	st, err := r.Check(Stage{}, day)
	if err != nil || st.Due {
		t.Fatalf("after a run: due %v (%s), err %v", st.Due, st.Reason, err)
	}
	b, err := os.ReadFile("../configs/tags.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changed, err := ParseSpec(bytes.Replace(b, []byte("coupon_share_pct >= 50"), []byte("coupon_share_pct >= 60"), 1), "changed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st, err = r.Check(Stage{Spec: changed}, day)
	if err != nil || !st.Due {
		t.Fatalf("after a tag change: due %v (%s), err %v", st.Due, st.Reason, err)
	}
}

// TestEvaluatedPerDistinctTuple: many consumers with the same inputs cost
// one CEL evaluation per tag, not one per consumer.
func TestEvaluatedPerDistinctTuple(t *testing.T) {
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(t)
	var evs []ev
	for i := range 500 {
		u := fmt.Sprintf("r_u%03d", i)
		evs = append(evs,
			ev{TS: at(t, 0, "09:00:00"), Type: "purchase", User: u, Device: "d", Merchant: "m-a", Category: "tea", Amount: 10},
			ev{TS: at(t, 0, "09:00:01"), Type: "view", User: u, Device: "d", Merchant: "m-a", Category: "tea"})
	}
	testwarehouse.WriteEvents(t, w, mem, dt, evs)
	writeRegistry(t, w, mem, dt, map[string]bool{})
	spec := DefaultSpec()
	agg := newAggregator(spec, pipeline.EndOfDay(testwarehouse.Day(t, dt)).UnixMilli())
	err := w.Scan(context.Background(), mem, schemas.EventsClean, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		agg.add(rec)
		return nil
	}, scanColumns...)
	if err != nil {
		t.Fatal(err)
	}
	agg.finish()
	v := view{a: agg}
	for _, tag := range spec.Consumer {
		e := newEvaluator(tag)
		for ix := range agg.users.len() {
			v.ix, v.u = uint32(ix), agg.users.at(ix)
			v.cats = agg.topCategories(v.cats[:0], v.u)
			if _, err := e.eval(&v); err != nil {
				t.Fatal(err)
			}
		}
		if tag.direct == nil && e.evals != 1 {
			t.Errorf("tag %s: %d evaluations for 500 identical consumers", tag.Name, e.evals)
		}
	}
}

func TestRetiresMerchantAudiences(t *testing.T) {
	mem := memory.NewGoAllocator()
	w := testwarehouse.Open(t)
	fixture(t, w, mem)
	old := filepath.Join(w.Root, "merchant_audiences", "dt="+dt)
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "part-00000.parquet"), []byte("per-consumer rows"), 0o600); err != nil {
		t.Fatal(err)
	}
	runStage(t, w, mem, Stage{}, "run-1")
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("merchant_audiences/dt=%s still there: %v", dt, err)
	}
}

// TestScanErrorCommitsNothing: a window partition that cannot be read
// fails the run part-way through the scan; nothing is committed and no
// record is left unreleased (the scan feeds a fold goroutine).
func TestScanErrorCommitsNothing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	fixture(t, w, mem)
	day := testwarehouse.Day(t, dt).AddDate(0, 0, -3).Format(time.DateOnly)
	if err := os.WriteFile(filepath.Join(w.Dir(schemas.EventsClean, sinks.Partition{DT: day}), "part-00000.parquet"), []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := Stage{}
	job := testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, dt), "run-1")
	if err := s.Run(context.Background(), job); err == nil {
		t.Fatal("a run over an unreadable partition succeeded")
	}
	if _, err := w.Manifest(DefaultSpec().ConsumerTags(), sinks.Partition{DT: dt}); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Errorf("consumer_tags after a failed run: %v", err)
	}
}
