package cli

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const pushgatewayBin = "/usr/bin/prometheus-pushgateway"

// startPushgateway starts a Pushgateway on a free local port, without
// persistence, and returns its URL; it skips the test when the binary is
// absent, unless VEIL_REQUIRE_PUSHGATEWAY=1 (CI), where that fails it.
func startPushgateway(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(pushgatewayBin); err != nil {
		if os.Getenv("VEIL_REQUIRE_PUSHGATEWAY") == "1" {
			t.Fatalf("VEIL_REQUIRE_PUSHGATEWAY=1 but %s: %v", pushgatewayBin, err)
		}
		t.Skipf("%s not installed (apt-get install prometheus-pushgateway); skipping the push test", pushgatewayBin)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(pushgatewayBin, "--web.listen-address="+addr, "--persistence.file=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	url := "http://" + addr
	if !waitFor(t, 20*time.Second, func() bool {
		resp, err := http.Get(url + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		t.Fatalf("pushgateway on %s not ready", addr)
	}
	return url
}

// TestPushgateway: backfill and once push their runs' metrics to a real
// Pushgateway, under job veil grouped by command, with the manifests'
// numbers; the config's pushgateway key works like the flag.
func TestPushgateway(t *testing.T) {
	gw := startPushgateway(t)
	dir, where := opsDay(t)
	if code, _, e := run(t, append([]string{"backfill", "--from", "2026-11-19", "--to", "2026-11-19", "--pushgateway", gw}, where...)...); code != 0 {
		t.Fatalf("backfill: %s", e)
	}
	cfg := writeConfig(t, dir, "pushgateway: "+gw+"\n")
	if code, _, e := run(t, "once", "--stage", "ingest", "--date", "2026-11-19", "--config", cfg); code != 0 {
		t.Fatalf("once: %s", e)
	}
	body := scrape(t, gw+"/metrics")

	a := &app{stdout: io.Discard, stderr: io.Discard, log: discardLog()}
	p := paths{landing: filepath.Join(dir, "landing"), warehouse: filepath.Join(dir, "warehouse"), keys: filepath.Join(dir, "keys")}
	r, err := a.runner(&p)
	if err != nil {
		t.Fatal(err)
	}
	day, _ := time.Parse(time.DateOnly, "2026-11-19")
	// once re-ran ingest, whose stats are the same; the other stages'
	// are those backfill committed.
	expectRecords(t, r, day, body, "job", "veil", "command", "backfill")
	for _, st := range stageNames() {
		if v, _ := sample(body, "veil_stage_runs_total", "job", "veil", "command", "backfill", "stage", st, "outcome", "ran"); v != 1 {
			t.Errorf("backfill: %s ran %v times", st, v)
		}
	}
	if v, _ := sample(body, "veil_stage_runs_total", "job", "veil", "command", "once", "stage", "ingest", "outcome", "ran"); v != 1 {
		t.Errorf("once: ingest ran %v times", v)
	}
	if v, _ := sample(body, "veil_leak_scans_total", "job", "veil", "command", "once", "stage", "ingest", "result", "passed"); v != 1 {
		t.Errorf("once: ingest leak scans passed %v", v)
	}
	if _, ok := sample(body, "push_time_seconds", "job", "veil", "command", "once"); !ok {
		t.Errorf("no push from once:\n%s", body)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
