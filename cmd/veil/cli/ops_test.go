package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veil-data/veil/internal/version"
	"github.com/veil-data/veil/metrics"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
)

// opsDay generates one small day of landing data and a keyset, and returns
// the flags that point a command at them.
func opsDay(t *testing.T) (dir string, where []string) {
	t.Helper()
	dir = t.TempDir()
	if code, _, e := run(t, "gen", "--out", dir, "--days", "1", "--events", "3000", "--seed", "9"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, "keys", "init", "--dir", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(e)
	}
	return dir, []string{"--landing", filepath.Join(dir, "landing"), "--warehouse", filepath.Join(dir, "warehouse"), "--keys", filepath.Join(dir, "keys")}
}

func writeConfig(t *testing.T, dir, extra string) string {
	t.Helper()
	yaml := fmt.Sprintf("landing: %s\nwarehouse: %s\nkeys: %s\n%sschedules:\n", filepath.Join(dir, "landing"), filepath.Join(dir, "warehouse"), filepath.Join(dir, "keys"), extra)
	for _, s := range stageNames() {
		yaml += "  " + s + ": \"@yearly\"\n"
	}
	cfg := filepath.Join(dir, "veil.yaml")
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := run(t, args...)
		if code != ExitOK || out != version.String()+"\n" || !strings.HasPrefix(out, "veil ") {
			t.Errorf("veil %v: exit %d, %q", args, code, out)
		}
	}
}

// TestExitCodesAndOneErrorLine: usage errors exit 2 and failed runs 1, and
// a failure is printed once, on one line, at every log level short of
// debug.
func TestExitCodesAndOneErrorLine(t *testing.T) {
	dir, where := opsDay(t)
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("landing: l\nwarehouse: w\nkeys: k\nschedual:\n  ingest: \"@hourly\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bogus"}, ExitUsage, `unknown command "bogus"`},
		{[]string{"once", "--stagex", "tags"}, ExitUsage, "unknown flag: --stagex"},
		{[]string{"once", "--stage", "tags"}, ExitUsage, "missing --date"},
		{[]string{"once", "--stage", "tags", "--date", "2026-13-01"}, ExitUsage, "--date: want YYYY-MM-DD"},
		{[]string{"backfill", "--from", "2026-11-20", "--to", "2026-11-19"}, ExitUsage, "is before --from"},
		{[]string{"once", "--stage", "nope", "--date", "2026-11-19", "--warehouse", filepath.Join(dir, "w2")}, ExitUsage, `unknown stage "nope"`},
		{[]string{"backfill", "--lock-wait", "soon"}, ExitUsage, "invalid argument"},
		{[]string{"run", "--config", bad, "--check"}, ExitUsage, `line 4: unknown key "schedual"`},
		{[]string{"status", "--log-format", "xml"}, ExitUsage, "--log-format"},
		{[]string{"status", "--log-level", "loud"}, ExitUsage, "--log-level"},
		{append([]string{"once", "--stage", "tags", "--date", "2026-11-19"}, where...), ExitFailed, "tags 2026-11-19: inputs not committed"},
	} {
		code, _, stderr := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("veil %s: exit %d, want %d; stderr:\n%s", strings.Join(c.args, " "), code, c.code, stderr)
		}
	}

	// A stage that fails reading a damaged file: one line names the error.
	if code, _, e := run(t, append([]string{"backfill", "--from", "2026-11-19", "--to", "2026-11-19"}, where...)...); code != 0 {
		t.Fatal(e)
	}
	part := filepath.Join(dir, "warehouse", "events_clean", "dt=2026-11-19", "part-00000.parquet")
	if err := os.WriteFile(part, []byte("not parquet"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, lvl := range []string{"warn", "info", "error"} {
		code, _, stderr := run(t, append([]string{"once", "--stage", "tags", "--date", "2026-11-19", "--log-level", lvl}, where...)...)
		if code != ExitFailed || strings.Count(stderr, "magic header") != 1 || !strings.HasPrefix(lastLine(stderr), "veil: tags 2026-11-19: ") {
			t.Errorf("--log-level %s: exit %d; the failure should be printed once:\n%s", lvl, code, stderr)
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestBackfillSummary: backfill prints a progress line per stage run and
// a summary per date and stage, and says when a range or a date has no
// landing data.
func TestBackfillSummary(t *testing.T) {
	_, where := opsDay(t)
	code, out, stderr := run(t, append([]string{"backfill", "--from", "2026-11-19", "--to", "2026-11-20", "--log-format", "text", "--log-level", "info"}, where...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	n := len(stageNames())
	for _, want := range []string{
		`(?m)^date +ingest +chats .* report$`,
		`(?m)^2026-11-19 +done( +done){` + strconv.Itoa(n-1) + `}$`,
		`(?m)^2026-11-20 +no landing data$`,
		fmt.Sprintf(`(?m)^backfill 2026-11-19\.\.2026-11-20: %d stage runs: %d done, %d no-input$`, 2*n, n, n),
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("stdout lacks %s:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^2026-11-19 report: done in \d+\.\d s$`).MatchString(stderr) || !strings.Contains(stderr, "level=INFO") {
		t.Errorf("stderr lacks the progress lines or text logs:\n%s", stderr)
	}
	_, out, _ = run(t, append([]string{"backfill", "--from", "2026-12-01", "--to", "2026-12-02"}, where...)...)
	if !strings.Contains(out, "backfill 2026-12-01..2026-12-02: no landing data in ") || !strings.Contains(out, "nothing to do") {
		t.Errorf("empty range:\n%s", out)
	}
	code, out, _ = run(t, append([]string{"once", "--stage", "ingest", "--date", "2026-11-19"}, where...)...)
	if code != 0 || !regexp.MustCompile(`^ingest 2026-11-19: done in \d+\.\d\d s: 3000 records in, \d+ out, \d+ quarantined, \d+ duplicates\n$`).MatchString(out) {
		t.Errorf("once: exit %d:\n%s", code, out)
	}
}

// scrape GETs url and returns the body.
func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// sample is the value of the series of metric name whose labels include
// labels (k="v" pairs); ok is false when there is none.
func sample(body, name string, labels ...string) (v float64, ok bool) {
next:
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if !strings.Contains(line, labels[i]+`="`+labels[i+1]+`"`) {
				continue next
			}
		}
		f, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		return f, err == nil
	}
	return 0, false
}

// expectRecords checks the records counters of body against the stats of
// the manifests each stage committed for dt; extra labels narrow the series
// (a Pushgateway's job and command).
func expectRecords(t *testing.T, r *pipeline.Runner, dt time.Time, body string, extra ...string) {
	t.Helper()
	checked := 0
	for _, s := range r.Stages {
		primary := true
		for _, o := range s.Plan(dt).Outputs {
			if o.Dataset.Name == schemas.Quarantine.Name {
				continue
			}
			m, err := r.Env.Warehouse.Manifest(o.Dataset, o.Partition)
			if err != nil || len(m.Stats) == 0 {
				continue
			}
			st, err := decodeStats(m.Stats)
			if err != nil {
				t.Fatal(err)
			}
			lbl := append([]string{"stage", s.Name(), "dataset", o.Dataset.Name}, extra...)
			for name, want := range map[string]int64{"veil_records_in_total": st.RecordsIn, "veil_records_out_total": st.RecordsOut} {
				if got, ok := sample(body, name, lbl...); !ok || got != float64(want) {
					t.Errorf("%s %v = %v (%v), manifest says %d", name, lbl, got, ok, want)
				}
				checked++
			}
			if primary {
				primary = false
				for reason, n := range st.Quarantined {
					if got, _ := sample(body, "veil_records_quarantined_total", append([]string{"stage", s.Name(), "reason", reason}, extra...)...); got != float64(n) {
						t.Errorf("%s quarantined %s = %v, manifest says %d", s.Name(), reason, got, n)
					}
					checked++
				}
				if got, _ := sample(body, "veil_records_duplicates_total", append([]string{"stage", s.Name()}, extra...)...); got != float64(st.Duplicates) {
					t.Errorf("%s duplicates = %v, manifest says %d", s.Name(), got, st.Duplicates)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d series checked", checked)
	}
}

// TestMetricsAfterARun fires each stage of a real pipeline once, as the
// daemon's scheduler would, and scrapes /metrics over HTTP: the runs,
// records in, out, quarantined and duplicates are the manifests' numbers,
// the leak scans are counted, and due partitions follow the firings.
func TestMetricsAfterARun(t *testing.T) {
	dir, _ := opsDay(t)
	a := &app{stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	p := paths{landing: filepath.Join(dir, "landing"), warehouse: filepath.Join(dir, "warehouse"), keys: filepath.Join(dir, "keys")}
	r, err := a.runner(&p)
	if err != nil {
		t.Fatal(err)
	}
	reg := daemonMetrics(r)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- metrics.Serve(ctx, ln, reg) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	url := "http://" + ln.Addr().String() + "/metrics"

	s := &pipeline.Scheduler{Runner: r}
	for _, st := range r.Stages {
		s.Fire(ctx, st)
	}
	body := scrape(t, url)
	for _, st := range r.Stages {
		if v, _ := sample(body, "veil_stage_runs_total", "stage", st.Name(), "outcome", "ran"); v != 1 {
			t.Errorf("%s ran %v times", st.Name(), v)
		}
		if v, _ := sample(body, "veil_stage_run_duration_seconds_count", "stage", st.Name()); v != 1 {
			t.Errorf("%s: %v durations", st.Name(), v)
		}
		if v, _ := sample(body, "veil_stage_last_successful_run_timestamp_seconds", "stage", st.Name()); v < float64(time.Now().Add(-time.Hour).Unix()) {
			t.Errorf("%s last success %v", st.Name(), v)
		}
		if v, ok := sample(body, "veil_due_partitions", "stage", st.Name()); !ok || v != 1 {
			t.Errorf("%s: %v due partitions at its firing, want 1", st.Name(), v)
		}
	}
	day, _ := time.Parse(time.DateOnly, "2026-11-19")
	expectRecords(t, r, day, body)
	for _, st := range []string{"ingest", "chats"} {
		if v, _ := sample(body, "veil_leak_scans_total", "stage", st, "result", "passed"); v != 1 {
			t.Errorf("%s leak scans passed = %v", st, v)
		}
	}
	if m, err := r.Env.Warehouse.Manifest(schemas.Reports, r.Stages[len(r.Stages)-1].Plan(day).Outputs[0].Partition); err != nil {
		t.Error(err)
	} else if st, _ := decodeStats(m.Stats); st.Leak == nil || !st.Leak.Passed || st.Leak.Cells == 0 {
		t.Errorf("report manifest's leak scan: %+v", st.Leak)
	} else if v, _ := sample(body, "veil_leak_scans_total", "stage", "report", "result", "passed"); v != 1 {
		// The report's re-scan, from its manifest's stats.
		t.Errorf("report leak scans passed = %v", v)
	}

	// The next firing finds nothing due and runs nothing.
	s.Fire(ctx, r.Stages[0])
	body = scrape(t, url)
	if v, ok := sample(body, "veil_due_partitions", "stage", "ingest"); !ok || v != 0 {
		t.Errorf("ingest due after its run: %v", v)
	}
	if v, _ := sample(body, "veil_stage_runs_total", "stage", "ingest", "outcome", "up_to_date"); v != 1 {
		t.Errorf("ingest up_to_date = %v", v)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunServesMetrics: `veil run` with metrics_addr in its config serves
// /metrics, logs at info by default, and exits 0 when stopped.
func TestRunServesMetrics(t *testing.T) {
	dir, _ := opsDay(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := writeConfig(t, dir, "metrics_addr: \""+addr+"\"\n")
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	code := make(chan int)
	go func() { code <- Run(ctx, []string{"run", "--config", cfg}, io.Discard, &stderr) }()
	url := "http://" + addr + "/metrics"
	if !waitFor(t, 20*time.Second, func() bool {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}) {
		cancel()
		t.Fatalf("no /metrics on %s:\n%s", addr, stderr.String())
	}
	body := scrape(t, url)
	if v, _ := sample(body, "veil_build_info", "version", version.Version()); v != 1 {
		t.Errorf("build info:\n%s", body)
	}
	if _, ok := sample(body, "veil_stage_runs_total", "stage", "report", "outcome", "ran"); !ok {
		t.Errorf("runs not initialised:\n%s", body)
	}
	cancel()
	if c := <-code; c != ExitOK {
		t.Fatalf("exit %d:\n%s", c, stderr.String())
	}
	for _, want := range []string{`"msg":"serving metrics"`, `"msg":"scheduler started"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("daemon log at the default level lacks %s:\n%s", want, stderr.String())
		}
	}
}

func TestExitCode(t *testing.T) {
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		ctx  context.Context
		err  error
		want int
	}{
		{context.Background(), fmt.Errorf("tags 2026-11-19: %w", io.ErrUnexpectedEOF), ExitFailed},
		{context.Background(), fmt.Errorf("config: %w", usage(io.EOF)), ExitUsage},
		{context.Background(), fmt.Errorf(`unknown command "x" for "veil"`), ExitUsage},
		{stopped, fmt.Errorf("ingest: %w", context.Canceled), ExitInterrupted},
		{context.Background(), context.Canceled, ExitFailed}, // not stopped by a signal
	} {
		if got := exitCode(c.ctx, c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
