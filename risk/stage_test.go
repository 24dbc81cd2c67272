package risk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

type ev = testwarehouse.Event

func at(day, clock string) time.Time {
	t, err := time.Parse(time.DateTime, day+" "+clock)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func runStage(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, s pipeline.Stage, day string) error {
	t.Helper()
	job := testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, day), "run-"+s.Name()+"-"+day)
	return s.Run(context.Background(), job)
}

// featureRows reads risk_features/day (or risk_training) by event id.
func featureRows(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, day string) map[string]features.Row {
	t.Helper()
	out := map[string]features.Row{}
	err := w.Scan(context.Background(), mem, FeaturesDataset, sinks.Partition{DT: day}, func(rec arrow.RecordBatch) error {
		fc := featureColumnsOf(rec)
		for j := range int(rec.NumRows()) {
			row := make(features.Row, len(features.Defs))
			fc.read(j, row)
			out[rec.Column(0).(*array.String).Value(j)] = row
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func feat(row features.Row, name string) float64 { return row[features.Index[name]] }

// twoDays writes a small world: a ring of three accounts on one device
// and a hosting IP, a household sharing a device, ordinary users.
func twoDays(t *testing.T, w *sinks.Warehouse, mem memory.Allocator) {
	d1 := []ev{
		{ID: "a1", TS: at("2026-11-19", "09:00:00"), Type: "register", User: "uA", Device: "dR", IP: "o_ipH", IPPrefix: "9.9.9.0/24"},
		{ID: "a2", TS: at("2026-11-19", "09:00:30"), Type: "purchase", User: "uA", Device: "dR", IP: "o_ipH", IPPrefix: "9.9.9.0/24", Amount: 10},
		{ID: "b1", TS: at("2026-11-19", "09:01:00"), Type: "register", User: "uB", Device: "dR", IP: "o_ipH", IPPrefix: "9.9.9.0/24"},
		{ID: "b2", TS: at("2026-11-19", "09:01:00"), Type: "purchase", User: "uB", Device: "dR", IP: "o_ipH", IPPrefix: "9.9.9.0/24", Amount: 12},
		{ID: "h1", TS: at("2026-11-19", "12:00:00"), Type: "login", User: "uH1", Device: "dHome", IP: "o_ipHome", IPPrefix: "1.1.1.0/24"},
		{ID: "h2", TS: at("2026-11-19", "20:00:00"), Type: "login", User: "uH2", Device: "dHome", IP: "o_ipHome", IPPrefix: "1.1.1.0/24"},
	}
	d2 := []ev{
		{ID: "c1", TS: at("2026-11-20", "08:00:00"), Type: "purchase", User: "uC", Device: "dR", IP: "o_ipH", IPPrefix: "9.9.9.0/24", Amount: 11},
		{ID: "h3", TS: at("2026-11-20", "10:00:00"), Type: "purchase", User: "uH1", Device: "dHome", IP: "o_ipHome", IPPrefix: "1.1.1.0/24", Amount: 30},
		{ID: "c2", TS: at("2026-11-20", "10:00:00"), Type: "login", User: "uC", Device: "dR", IP: "o_ipH", IPPrefix: "9.9.9.0/24"},
	}
	testwarehouse.WriteEvents(t, w, mem, "2026-11-19", d1)
	testwarehouse.WriteEvents(t, w, mem, "2026-11-20", d2)
}

func TestStageCarriesStateAcrossDays(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	twoDays(t, w, mem)
	for _, d := range []string{"2026-11-19", "2026-11-20"} {
		if err := runStage(t, w, mem, Stage{}, d); err != nil {
			t.Fatal(err)
		}
	}
	rows := featureRows(t, w, mem, "2026-11-20")
	c1 := rows["c1"]
	// uA and uB used dR on the 19th: the 20th's first order on it sees
	// both, from the checkpoint.
	if got := feat(c1, "device_accounts_30d"); got != 2 {
		t.Errorf("c1 device_accounts_30d = %v, want 2", got)
	}
	if got := feat(c1, "cluster_size"); got != 1 {
		t.Errorf("c1 cluster_size = %v, want 1 (uC has no link before its first event)", got)
	}
	if got := feat(rows["c2"], "cluster_size"); got != 3 {
		t.Errorf("c2 cluster_size = %v, want 3 (uA, uB and uC through dR)", got)
	}
	// b2 is simultaneous with b1 (same ms): neither sees the other.
	day1 := featureRows(t, w, mem, "2026-11-19")
	if got := feat(day1["b2"], "device_accounts_30d"); got != 1 {
		t.Errorf("b2 device_accounts_30d = %v, want 1 (uA only; b1 is simultaneous)", got)
	}
	if got := feat(day1["b2"], "account_age_s"); !features.IsNull(got) {
		t.Errorf("b2 account_age_s = %v, want null (its register is simultaneous)", got)
	}
	if got := feat(day1["a2"], "account_age_s"); got != 30 {
		t.Errorf("a2 account_age_s = %v, want 30", got)
	}
	// A re-run of the 20th gives the same files.
	before := partitionFiles(t, w, "risk_features", "2026-11-20")
	if err := runStage(t, w, mem, Stage{}, "2026-11-20"); err != nil {
		t.Fatal(err)
	}
	if after := partitionFiles(t, w, "risk_features", "2026-11-20"); after != before {
		t.Error("re-running 2026-11-20 changed risk_features")
	}
}

func partitionFiles(t *testing.T, w *sinks.Warehouse, ds, day string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.Root, ds, "dt="+day, "part-00000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAuditCatchesPlantedFutureEvent computes risk_features from a history
// in which a later login was planted before an order, then restores the
// login to its true time: the training build's audit must fail, and
// commit nothing.
func TestAuditCatchesPlantedFutureEvent(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	order := ev{ID: "o1", TS: at("2026-11-19", "10:00:00"), Type: "purchase", User: "uX", Device: "dX", IP: "o_ipX", IPPrefix: "2.2.2.0/24", Amount: 5}
	login := ev{ID: "l1", Type: "login_failed", User: "uX", Device: "dX", IP: "o_ipX", IPPrefix: "2.2.2.0/24"}
	login.TS = at("2026-11-19", "09:59:59") // planted before the order
	testwarehouse.WriteEvents(t, w, mem, "2026-11-19", []ev{order, login})
	if err := runStage(t, w, mem, Stage{}, "2026-11-19"); err != nil {
		t.Fatal(err)
	}
	if err := runStage(t, w, mem, Training{}, "2026-11-19"); err != nil {
		t.Fatalf("audit of honest rows: %v", err)
	}
	login.TS = at("2026-11-19", "11:00:00") // its true time: after the order
	testwarehouse.WriteEvents(t, w, mem, "2026-11-19", []ev{order, login})
	err := runStage(t, w, mem, Training{}, "2026-11-19")
	if !errors.Is(err, ErrLeak) {
		t.Fatalf("audit with a future event in o1's row: err = %v, want ErrLeak", err)
	}
	t.Log(err)
}

// writeLabels commits labels_clean/day with the given fraud labels.
func writeLabels(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, day string, ls map[string]time.Time) {
	t.Helper()
	b := array.NewRecordBuilder(mem, schemas.LabelsClean.Schema)
	defer b.Release()
	for u, at := range ls {
		b.Field(0).(*array.StringBuilder).Append(u)
		b.Field(1).(*array.StringBuilder).Append(schemas.LabelFraud)
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMilli()))
		b.Field(3).(*array.StringBuilder).Append("chargeback")
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	testwarehouse.Commit(t, w, mem, schemas.LabelsClean, sinks.Partition{DT: day}, "labels", rec)
}

// TestTrainingLabelCutoff: with a cutoff of the end of dt + 5 days, a
// label known on dt (before the user's event) and one known 3 days later
// count; one known 6 days later does not, and the manifest says where
// the cutoff was.
func TestTrainingLabelCutoff(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	day := "2026-11-19"
	testwarehouse.WriteEvents(t, w, mem, day, []ev{
		{ID: "e-a", TS: at(day, "10:00:00"), Type: "purchase", User: "uA", Device: "d1", IP: "o_ip1", IPPrefix: "3.3.3.0/24", Amount: 9},
		{ID: "e-b", TS: at(day, "10:00:00"), Type: "purchase", User: "uB", Device: "d2", IP: "o_ip2", IPPrefix: "3.3.4.0/24", Amount: 9},
		{ID: "e-c", TS: at(day, "12:00:00"), Type: "login", User: "uC", Device: "d3", IP: "o_ip3", IPPrefix: "3.3.5.0/24"},
	})
	knownC := at(day, "11:00:00")
	writeLabels(t, w, mem, day, map[string]time.Time{"uC": knownC})
	knownA := at("2026-11-22", "08:00:00")
	writeLabels(t, w, mem, "2026-11-22", map[string]time.Time{"uA": knownA})
	writeLabels(t, w, mem, "2026-11-25", map[string]time.Time{"uB": at("2026-11-25", "08:00:00")})
	if err := runStage(t, w, mem, Stage{}, day); err != nil {
		t.Fatal(err)
	}
	tr := Training{LabelDays: 5}
	if err := runStage(t, w, mem, tr, day); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	err := w.Scan(context.Background(), mem, TrainingDataset, sinks.Partition{DT: day}, func(rec arrow.RecordBatch) error {
		sch := rec.Schema()
		users := rec.Column(sch.FieldIndices("user_token")[0]).(*array.String)
		label := rec.Column(sch.FieldIndices("label")[0]).(*array.Int32)
		known := rec.Column(sch.FieldIndices("label_known_at")[0]).(*array.Timestamp)
		for j := range int(rec.NumRows()) {
			s := fmt.Sprint(label.Value(j))
			if known.IsValid(j) {
				s += " " + known.Value(j).ToTime(arrow.Millisecond).UTC().Format(time.RFC3339)
			}
			got[users.Value(j)] = s
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"uA": "1 " + knownA.Format(time.RFC3339), // known 3 days later: inside the cutoff
		"uB": "0",                                // known 6 days later: after it
		"uC": "1 " + knownC.Format(time.RFC3339), // known before the event
	}
	for u, w := range want {
		if got[u] != w {
			t.Errorf("%s: label %q, want %q", u, got[u], w)
		}
	}
	m, err := w.Manifest(schemas.RiskTraining, sinks.Partition{DT: day})
	if err != nil {
		t.Fatal(err)
	}
	var st TrainingStats
	if err := json.Unmarshal(m.Stats, &st); err != nil {
		t.Fatal(err)
	}
	if want := at("2026-11-24", "23:59:59").Add(999 * time.Millisecond); !st.Cutoff.Equal(want) || st.LabelsThrough != "2026-11-22" || st.Positive != 2 {
		t.Errorf("manifest: cutoff %v (want %v), labels through %q, positives %d", st.Cutoff, want, st.LabelsThrough, st.Positive)
	}
	// Three rows: the audit recomputed all of them, uC's label included.
	if st.Audit.Mismatches != 0 || st.Audit.Rows != 3 {
		t.Errorf("audit: %+v", st.Audit)
	}
}
