package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/sinks"
)

var errLeak = errors.New("leak")

func manifest(t *testing.T, dataset string, st pipeline.Stats) *sinks.Manifest {
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return &sinks.Manifest{Dataset: dataset, Stats: b}
}

// TestStageDoneCounts: a run's counts come from its output manifests,
// quarantine and duplicates once per run, records per dataset, and the
// leak scan from the residual summary, the report's leak scan or a
// failure with a leak error.
func TestStageDoneCounts(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg, errLeak)
	m.now = func() time.Time { return time.Unix(1700000000, 0) }
	ingest := pipeline.Stats{RecordsIn: 10, RecordsOut: 6, Duplicates: 1, Quarantined: map[string]int64{"bad_json": 2, "invalid_value": 1},
		Residual: json.RawMessage(`{"passed":true,"needles":3}`)}
	m.StageDone(pipeline.RunResult{Stage: "ingest", DT: "2026-11-19", Outcome: pipeline.Ran, Started: true, Duration: 2 * time.Second,
		Outputs: []*sinks.Manifest{manifest(t, "events_clean", ingest), manifest(t, "other", ingest)}})
	m.StageDone(pipeline.RunResult{Stage: "report", Outcome: pipeline.Ran, Started: true,
		Outputs: []*sinks.Manifest{manifest(t, "reports", pipeline.Stats{Leak: &pipeline.LeakScan{Passed: false, Findings: 2}})}})
	m.StageDone(pipeline.RunResult{Stage: "report", Outcome: pipeline.Failed, Started: true, Err: fmt.Errorf("report: %w", errLeak)})
	m.StageDone(pipeline.RunResult{Stage: "tags", Outcome: pipeline.UpToDate})
	m.Due("tags", 3)

	for _, c := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.runs.WithLabelValues("ingest", "ran"), 1},
		{m.runs.WithLabelValues("report", "failed"), 1},
		{m.runs.WithLabelValues("tags", "up_to_date"), 1},
		{m.recordsIn.WithLabelValues("ingest", "events_clean"), 10},
		{m.recordsOut.WithLabelValues("ingest", "other"), 6},
		{m.quarantined.WithLabelValues("ingest", "bad_json"), 2},
		{m.duplicates.WithLabelValues("ingest"), 1},
		{m.leakScans.WithLabelValues("ingest", "passed"), 1},
		{m.leakScans.WithLabelValues("report", "failed"), 2},
		{m.leakFindings.WithLabelValues("report"), 2},
		{m.lastSuccess.WithLabelValues("ingest"), 1700000000},
		{m.due.WithLabelValues("tags"), 3},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%v = %v, want %v", c.c.(prometheus.Metric).Desc(), got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.duration); n != 2 {
		t.Errorf("%d duration series, want 2 (ingest, report)", n)
	}
	if n := testutil.CollectAndCount(m.lastSuccess); n != 2 {
		t.Errorf("%d last-success series, want 2", n)
	}
}

// TestServe: /metrics answers over HTTP with the registry's series only,
// and the server stops with its context.
func TestServe(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	m.Init([]string{"ingest"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Serve(ctx, ln, reg) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `veil_stage_runs_total{outcome="ran",stage="ingest"} 0`) || strings.Contains(string(body), "go_goroutines") {
		t.Fatalf("body:\n%s", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestPushErrorHidesPassword(t *testing.T) {
	err := Push(context.Background(), "http://u:secret@127.0.0.1:1", "once", prometheus.NewRegistry())
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %v", err)
	}
}
