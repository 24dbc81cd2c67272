package risk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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

type ev = testwarehouse.Event

const dt = "2026-11-19"

// asOf is the end of dt.
var asOf = time.Date(2026, 11, 19, 23, 59, 59, 999e6, time.UTC)

// row is one risk_features row without as_of, which readRows checks.
type row struct {
	User                                 string
	Logins24, Logins7                    int64
	FailedLogins24, FailedLogins7        int64
	FailedPayments24, FailedPayments7    int64
	Purchases24, Purchases7              int64
	DistinctDevices7, MaxAccountsDevice7 int64
}

func readRows(t *testing.T, w *sinks.Warehouse, mem memory.Allocator) []row {
	t.Helper()
	idx := func(name string) int { return schemas.RiskFeatures.Schema.FieldIndices(name)[0] }
	var rows []row
	err := w.Scan(context.Background(), mem, schemas.RiskFeatures, sinks.Partition{DT: dt}, func(rec arrow.RecordBatch) error {
		i64 := func(name string, i int) int64 { return rec.Column(idx(name)).(*array.Int64).Value(i) }
		for i := range int(rec.NumRows()) {
			if got := rec.Column(idx("as_of")).(*array.Timestamp).Value(i).ToTime(arrow.Millisecond); !got.Equal(asOf) {
				t.Errorf("as_of = %v, want %v", got, asOf)
			}
			rows = append(rows, row{
				User:     rec.Column(idx("user_token")).(*array.String).Value(i),
				Logins24: i64("logins_24h", i), Logins7: i64("logins_7d", i),
				FailedLogins24: i64("failed_logins_24h", i), FailedLogins7: i64("failed_logins_7d", i),
				FailedPayments24: i64("failed_payments_24h", i), FailedPayments7: i64("failed_payments_7d", i),
				Purchases24: i64("purchases_24h", i), Purchases7: i64("purchases_7d", i),
				DistinctDevices7: i64("distinct_devices_7d", i), MaxAccountsDevice7: i64("max_accounts_per_device_7d", i),
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// before is the time d before as_of.
func before(d time.Duration) time.Time { return asOf.Add(-d) }

// date is the partition name of dt+offset.
func date(offset int) string { return asOf.AddDate(0, 0, offset).Format(time.DateOnly) }

func run(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, runID string) *sinks.Manifest {
	t.Helper()
	s := Stage{}
	job := testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, dt), runID)
	if err := s.Run(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	m, err := w.Manifest(schemas.RiskFeatures, sinks.Partition{DT: dt})
	if err != nil {
		t.Fatal(err)
	}
	if m.RunID != runID || m.Stage != "risk" || m.SchemaVersion != schemas.RiskFeatures.Version {
		t.Errorf("manifest = %+v", m)
	}
	return m
}

const h = time.Hour

func TestFeatures(t *testing.T) {
	tests := []struct {
		name string
		days map[int][]ev // partition offset from dt to its events
		want []row
	}{
		{
			name: "24h and 7d boundaries",
			days: map[int][]ev{
				0: {
					{TS: asOf, Type: "login", User: "u1", Device: "d1"},                                     // at as_of: both
					{TS: before(24*h - time.Millisecond), Type: "login", User: "u1", Device: "d1"},          // first ms of 24h
					{TS: asOf.Add(time.Millisecond), Type: "purchase", User: "u1", Device: "d9"},            // future: never
					{TS: asOf.Add(time.Millisecond), Type: "login", User: "u-future", Device: "d1"},         // future only: no row
					{TS: before(3 * h), Type: "payment_failed", User: "u1", Device: "d1"},                   // both
					{TS: before(2 * h), Type: "purchase", User: "u1", Device: "d2"},                         // both
					{TS: before(1 * h), Type: "view", User: "u1", Device: "d1"},                             // counts nothing
					{TS: before(1 * h), Type: "register", User: "u2", Device: "d3"},                         // row with zeros
					{TS: before(1 * h), Type: "view", User: "u3", Device: ""},                               // no device
					{TS: before(50 * h), Type: "login_failed", User: "u1", Device: "d1"},                    // late arrival in dt: 7d
					{TS: before(7*24*h + time.Millisecond), Type: "login_failed", User: "u1", Device: "d1"}, // before 7d
				},
				-1: {
					{TS: before(24 * h), Type: "login", User: "u1", Device: "d1"}, // exactly 24h before: 7d only
					{TS: before(30 * h), Type: "purchase", User: "u1", Device: "d1"},
				},
				-6: {
					{TS: before(7*24*h - time.Millisecond), Type: "login_failed", User: "u1", Device: "d4"}, // first ms of 7d
					{TS: before(7 * 24 * h), Type: "login_failed", User: "u1", Device: "d5"},                // exactly 7d before: out
					{TS: before(8 * 24 * h), Type: "login", User: "u-old", Device: "d1"},                    // before the window: no row
				},
				1: { // a later partition is never read, even with times in the window
					{TS: before(h), Type: "purchase", User: "u1", Device: "d1"},
					{TS: before(h), Type: "login", User: "u-later", Device: "d1"},
				},
			},
			want: []row{
				{User: "u1", Logins24: 2, Logins7: 3, FailedLogins7: 2, FailedPayments24: 1, FailedPayments7: 1,
					Purchases24: 1, Purchases7: 2, DistinctDevices7: 3, MaxAccountsDevice7: 1},
				{User: "u2", DistinctDevices7: 1, MaxAccountsDevice7: 1},
				{User: "u3"},
			},
		},
		{
			name: "accounts per device ring",
			days: map[int][]ev{
				0: concat(
					ring("ring", -2, "r1", "r2", "r3", "r4", "r5"),
					[]ev{
						{TS: before(5 * h), Type: "login", User: "r1", Device: "own-r1"},
						{TS: before(5 * h), Type: "login", User: "r1", Device: "own-r1"},
						// solo shares own-r1 with r1 only.
						{TS: before(4 * h), Type: "login", User: "solo", Device: "own-r1"},
						{TS: before(4 * h), Type: "login", User: "solo", Device: "solo-2"},
						// A sixth account on the ring device after as_of does not count.
						{TS: asOf.Add(time.Second), Type: "login", User: "r6", Device: "ring"},
					}),
				-6: {
					// Nor does one before the window.
					{TS: before(7*24*h + h), Type: "login", User: "r7", Device: "ring"},
					{TS: before(6 * 24 * h), Type: "purchase", User: "r5", Device: "ring"},
				},
			},
			want: []row{
				{User: "r1", Logins24: 3, Logins7: 3, DistinctDevices7: 2, MaxAccountsDevice7: 5},
				{User: "r2", Logins24: 1, Logins7: 1, DistinctDevices7: 1, MaxAccountsDevice7: 5},
				{User: "r3", Logins24: 1, Logins7: 1, DistinctDevices7: 1, MaxAccountsDevice7: 5},
				{User: "r4", Logins24: 1, Logins7: 1, DistinctDevices7: 1, MaxAccountsDevice7: 5},
				{User: "r5", Logins24: 1, Logins7: 1, Purchases7: 1, DistinctDevices7: 1, MaxAccountsDevice7: 5},
				{User: "solo", Logins24: 2, Logins7: 2, DistinctDevices7: 2, MaxAccountsDevice7: 2},
			},
		},
		{
			name: "missing optional days",
			days: map[int][]ev{
				0:  {{TS: before(h), Type: "login", User: "u1", Device: "d1"}},
				-4: {{TS: before(4 * 24 * h), Type: "purchase", User: "u1", Device: "d1"}, {TS: before(4 * 24 * h), Type: "view", User: "u2", Device: "d1"}},
			},
			want: []row{
				{User: "u1", Logins24: 1, Logins7: 1, Purchases7: 1, DistinctDevices7: 1, MaxAccountsDevice7: 2},
				{User: "u2", DistinctDevices7: 1, MaxAccountsDevice7: 2},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			w := testwarehouse.Open(t)
			for off, evs := range tc.days {
				testwarehouse.WriteEvents(t, w, mem, date(off), evs)
			}
			m := run(t, w, mem, "run-1")
			got := readRows(t, w, mem)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("features:\n got %+v\nwant %+v", got, tc.want)
			}
			var st pipeline.Stats
			if err := json.Unmarshal(m.Stats, &st); err != nil {
				t.Fatal(err)
			}
			var in int
			for _, evs := range tc.days {
				in += len(evs)
			}
			in -= len(tc.days[1]) // the later partition is not read
			if st.RecordsIn != int64(in) || st.RecordsOut != int64(len(tc.want)) || m.Rows != int64(len(tc.want)) {
				t.Errorf("stats in/out = %d/%d, manifest rows %d; want %d/%d", st.RecordsIn, st.RecordsOut, m.Rows, in, len(tc.want))
			}
			if len(st.Transforms) != len(schemas.RiskFeatures.Schema.Fields()) {
				t.Errorf("transforms describe %d fields, want every output field", len(st.Transforms))
			}
		})
	}
}

// ring is one login per user, in order, on device at offset hours before as_of.
func ring(device string, offset int, users ...string) []ev {
	var out []ev
	for i, u := range users {
		out = append(out, ev{TS: before(time.Duration(-offset)*h + time.Duration(i)*time.Minute), Type: "login", User: u, Device: device})
	}
	return out
}

func concat(parts ...[]ev) []ev {
	var out []ev
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestRequiredDayMissing(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	testwarehouse.WriteEvents(t, w, mem, date(-1), []ev{{TS: before(30 * h), Type: "login", User: "u1", Device: "d1"}})
	s := Stage{}
	job := testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, dt), "run-1")
	if err := s.Run(context.Background(), job); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("err = %v, want ErrNotCommitted", err)
	}
	if _, err := w.Manifest(schemas.RiskFeatures, sinks.Partition{DT: dt}); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("output committed without its required input: %v", err)
	}
}

func TestCancelled(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	testwarehouse.WriteEvents(t, w, mem, dt, []ev{{TS: before(h), Type: "login", User: "u1", Device: "d1"}})
	s := Stage{}
	job := testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, dt), "run-1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Run(ctx, job); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := w.Manifest(schemas.RiskFeatures, sinks.Partition{DT: dt}); !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("cancelled run committed: %v", err)
	}
}

// synthetic returns n events of users users over the 7 days, with devices
// shared in small groups, in an order unrelated to tokens.
func synthetic(n, users int) map[int][]ev {
	types := []string{"view", "login", "purchase", "login_failed", "click", "payment_failed", "cart"}
	days := map[int][]ev{}
	for i := range n {
		u := (i * 7919) % users
		off := -(i % 7)
		days[off] = append(days[off], ev{
			TS:     asOf.AddDate(0, 0, off).Add(-time.Duration(i%86_400_000) * time.Millisecond),
			Type:   types[i%len(types)],
			User:   fmt.Sprintf("user-%07d", u),
			Device: fmt.Sprintf("dev-%06d", (u/3+i%2)%(users/2+1)),
		})
	}
	return days
}

func TestDeterministicAcrossRunsAndBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	for off, evs := range synthetic(3000, 257) {
		testwarehouse.WriteEvents(t, w, mem, date(off), evs)
	}
	m1 := run(t, w, mem, "run-1")
	rows1 := readRows(t, w, mem)
	defer func(n int) { batchRows = n }(batchRows)
	batchRows = 10
	m2 := run(t, w, mem, "run-2")
	rows2 := readRows(t, w, mem)
	if len(m1.Files) != 1 || !reflect.DeepEqual(m1.Files, m2.Files) {
		t.Fatalf("re-run changed the files:\n%+v\n%+v", m1.Files, m2.Files)
	}
	if len(rows1) != 257 || !reflect.DeepEqual(rows1, rows2) {
		t.Fatalf("rows differ or wrong count: %d vs %d", len(rows1), len(rows2))
	}
	for i := 1; i < len(rows1); i++ {
		if rows1[i-1].User >= rows1[i].User {
			t.Fatalf("rows not sorted by user_token at %d", i)
		}
	}
}

// TestCompaction folds the same events with the pair slice compacted after
// nearly every event and never, and compares.
func TestCompaction(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var all []ev
	for _, evs := range synthetic(2000, 101) {
		all = append(all, evs...)
	}
	full := testwarehouse.Record(mem, "e", all)
	defer full.Release()
	var cols []arrow.Array
	for _, name := range scanColumns {
		cols = append(cols, full.Column(full.Schema().FieldIndices(name)[0]))
	}
	rec := array.NewRecordBatch(scanSchema, cols, full.NumRows())
	defer rec.Release()
	often, never := newAggregator(asOf.UnixMilli()), newAggregator(asOf.UnixMilli())
	often.compactAt, never.compactAt = 2, len(all)+1
	often.add(rec)
	never.add(rec)
	often.finish()
	never.finish()
	if len(often.users) != 101 || !reflect.DeepEqual(often.users, never.users) {
		t.Fatalf("compaction changed the features (%d users)", len(often.users))
	}
}

func TestPlan(t *testing.T) {
	p := Stage{}.Plan(testwarehouse.Day(t, dt))
	if len(p.Inputs) != 7 || len(p.Outputs) != 1 {
		t.Fatalf("plan has %d inputs, %d outputs", len(p.Inputs), len(p.Outputs))
	}
	for i, in := range p.Inputs {
		if in.Dataset.Name != schemas.EventsClean.Name || in.Partition.DT != date(i-6) || in.Required != (i == 6) {
			t.Errorf("input %d = %+v", i, in)
		}
	}
	if o := p.Outputs[0]; o.Dataset.Name != schemas.RiskFeatures.Name || o.Partition.DT != dt {
		t.Errorf("output %+v", o)
	}
}
