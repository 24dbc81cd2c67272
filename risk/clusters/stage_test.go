package clusters

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if len(c.Features) == 0 || c.LOF.Contamination != "auto" || c.Fingerprint() == "" {
		t.Fatalf("default config: %+v", c)
	}
}

func TestConfigErrorsReportedTogether(t *testing.T) {
	_, err := ParseConfig([]byte(`
features: [logins_24h, as_of, nope, logins_24h]
dbscan: {eps: 0, min_samples: 0}
lof: {n_neighbors: 0, contamination: "0.9"}
small_cluster: 0
min_users: 1
`), "test.yaml")
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"as_of is not a numeric column", "nope is not a column of risk_entities", "logins_24h named twice",
		"dbscan.eps", "dbscan.min_samples", "lof.n_neighbors", "lof.contamination", "small_cluster", "min_users"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := ParseConfig([]byte("features: [logins_24h]\nbogus: 1\n"), "x"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown key: %v", err)
	}
	a, _ := ParseConfig([]byte("features: [logins_24h]\ndbscan: {eps: 1, min_samples: 5}\nlof: {n_neighbors: 20, contamination: 0.1}\nsmall_cluster: 5\nmin_users: 10\n"), "a")
	b, _ := ParseConfig([]byte("features: [logins_24h]\ndbscan: {eps: 2, min_samples: 5}\nlof: {n_neighbors: 20, contamination: 0.1}\nsmall_cluster: 5\nmin_users: 10\n"), "b")
	if a == nil || b == nil || a.Fingerprint() == b.Fingerprint() || a.contamination != 0.1 {
		t.Errorf("a parameter change must change the fingerprint")
	}
}

// world writes a day of events for n ordinary users (a login and a
// purchase or two each) and a ring of bots that log in and fail payments
// from many devices, runs the risk stage, and returns the warehouse.
func world(t *testing.T, mem memory.Allocator, n int) *sinks.Warehouse {
	t.Helper()
	w := testwarehouse.Open(t)
	day := "2026-11-19"
	base := testwarehouse.Day(t, day).Add(8 * time.Hour)
	var evs []testwarehouse.Event
	for u := range n {
		user := fmt.Sprintf("u%04d", u)
		dev := fmt.Sprintf("d%04d", u)
		ts := base.Add(time.Duration(u) * time.Minute)
		evs = append(evs, testwarehouse.Event{TS: ts, Type: "login", User: user, Device: dev})
		for k := range 1 + u%3 {
			evs = append(evs, testwarehouse.Event{TS: ts.Add(time.Duration(k+1) * time.Minute), Type: "purchase", User: user, Device: dev, Amount: float64(10 + u%7)})
		}
	}
	for b := range 6 {
		user := fmt.Sprintf("bot%d", b)
		for k := range 30 {
			ts := base.Add(time.Duration(b*40+k) * time.Second)
			evs = append(evs, testwarehouse.Event{TS: ts, Type: "login_failed", User: user, Device: fmt.Sprintf("bd%d", k%8)})
			evs = append(evs, testwarehouse.Event{TS: ts.Add(time.Second), Type: "payment_failed", User: user, Device: fmt.Sprintf("bd%d", k%8), Card: fmt.Sprintf("c%d", k)})
		}
	}
	testwarehouse.WriteEvents(t, w, mem, day, evs)
	s := risk.Stage{}
	if err := s.Run(context.Background(), testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, day), "run-risk")); err != nil {
		t.Fatal(err)
	}
	return w
}

type clusterRow struct {
	token          string
	cluster, size  int64
	small, outlier bool
	score          float64
}

func readClusters(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, day string) []clusterRow {
	t.Helper()
	var out []clusterRow
	err := w.Scan(context.Background(), mem, schemas.RiskClusters, sinks.Partition{DT: day}, func(rec arrow.RecordBatch) error {
		for i := range int(rec.NumRows()) {
			out = append(out, clusterRow{
				token:   rec.Column(0).(*array.String).Value(i),
				cluster: rec.Column(1).(*array.Int64).Value(i),
				size:    rec.Column(2).(*array.Int64).Value(i),
				small:   rec.Column(3).(*array.Boolean).Value(i),
				score:   rec.Column(4).(*array.Float64).Value(i),
				outlier: rec.Column(5).(*array.Boolean).Value(i),
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runClusters(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, s Stage, run string) (*Stats, error) {
	t.Helper()
	day := "2026-11-19"
	if err := s.Run(context.Background(), testwarehouse.Job(t, w, mem, s, testwarehouse.Day(t, day), run)); err != nil {
		return nil, err
	}
	m, err := w.Manifest(schemas.RiskClusters, sinks.Partition{DT: day})
	if err != nil {
		t.Fatal(err)
	}
	var st Stats
	if err := json.Unmarshal(m.Stats, &st); err != nil {
		t.Fatal(err)
	}
	return &st, nil
}

func skipIfUnbuilt(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "not built yet") {
		t.Skip("risk/outlier: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestStageClustersEveryUserAndRerunsIdentically(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := world(t, mem, 300)
	cfg, err := ParseConfig([]byte(`
features: [logins_24h, failed_logins_24h, purchases_24h, failed_payments_24h, devices_24h, cards_24h]
dbscan: {eps: 0.5, min_samples: 5}
lof: {n_neighbors: 20, contamination: auto}
small_cluster: 10
min_users: 50
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	s := Stage{Config: cfg, Workers: 2}
	st, err := runClusters(t, w, mem, s, "run-1")
	skipIfUnbuilt(t, err)
	var skipped int64
	for _, v := range st.Skipped {
		skipped += v
	}
	if st.RecordsIn != 306 || st.RecordsOut+skipped != st.RecordsIn {
		t.Fatalf("users in %d, written %d, skipped %v: want all 306 accounted for", st.RecordsIn, st.RecordsOut, st.Skipped)
	}
	rows := readClusters(t, w, mem, "2026-11-19")
	if int64(len(rows)) != st.RecordsOut {
		t.Fatalf("%d rows, manifest says %d", len(rows), st.RecordsOut)
	}
	bots := 0
	for i, r := range rows {
		if i > 0 && rows[i-1].token >= r.token {
			t.Fatalf("rows not in token order at %d", i)
		}
		if r.small != (r.size < 10) || (r.cluster < 0 && r.size != 1) {
			t.Errorf("row %+v: size and flags disagree", r)
		}
		if strings.HasPrefix(r.token, "bot") && (r.small || r.outlier) {
			bots++
		}
	}
	if bots != 6 {
		t.Errorf("%d of 6 bots flagged (small cluster, noise or LOF outlier)", bots)
	}
	if st.Params.Eps != 0.5 || len(st.Params.Features) != 6 || st.Flagged == 0 {
		t.Errorf("manifest stats: %+v", st)
	}
	st2, err := runClusters(t, w, mem, s, "run-2")
	if err != nil {
		t.Fatal(err)
	}
	if again := readClusters(t, w, mem, "2026-11-19"); fmt.Sprint(again) != fmt.Sprint(rows) || st2.Summary.Flagged != st.Summary.Flagged {
		t.Error("a re-run wrote different rows")
	}
}

func TestStageTooFewUsers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := world(t, mem, 20)
	cfg := *DefaultConfig()
	cfg.MinUsers = 1000
	st, err := runClusters(t, w, mem, Stage{Config: &cfg}, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if st.RecordsOut != 0 || st.Skipped["too_few_users"] != st.RecordsIn || st.RecordsIn != 26 {
		t.Errorf("stats %+v: want all 26 users skipped as too_few_users", st)
	}
}

func TestPlanReadsEntitiesWritesClusters(t *testing.T) {
	p := Stage{}.Plan(testwarehouse.Day(t, "2026-11-19"))
	if len(p.Inputs) != 1 || p.Inputs[0].Dataset.Name != schemas.RiskEntities.Name || !p.Inputs[0].Required ||
		len(p.Outputs) != 1 || p.Outputs[0].Dataset.Name != schemas.RiskClusters.Name {
		t.Errorf("plan %+v", p)
	}
	var _ pipeline.Configured = Stage{}
}
