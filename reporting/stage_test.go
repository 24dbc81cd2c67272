package reporting

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize/keys/signing"
	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// landEvents writes one landing events partition holding user ids.
func landEvents(t *testing.T, landing, dt string, users ...string) {
	t.Helper()
	dir := pipeline.LandingDir(landing, "events", dt)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b []byte
	for i, u := range users {
		b = append(b, `{"event_id":"e`+string(rune('a'+i))+`","ts":"`+dt+`T01:00:00Z","type":"view","user_id":"`+u+`","ip":"192.0.2.44","email":"someone@example.org"}`+"\n"...)
	}
	os.WriteFile(filepath.Join(dir, "part-00000.jsonl"), b, 0o644)
	os.WriteFile(filepath.Join(dir, schemas.SuccessMarker), nil, 0o644)
}

// tok makes a well-formed token of seed, as anonymize would: a prefix and
// unpadded base64url of 32 bytes.
func tok(seed string) string {
	h := sha256.Sum256([]byte(seed))
	return "r_" + base64.RawURLEncoding.EncodeToString(h[:])
}

// writeEvents commits evs as events_clean like testwarehouse.WriteEvents,
// with a well-formed ip_token where testwarehouse writes a placeholder.
func writeEvents(t *testing.T, w *sinks.Warehouse, mem memory.Allocator, dt string, evs []testwarehouse.Event) {
	t.Helper()
	pw, err := w.Begin(schemas.EventsClean, sinks.Partition{DT: dt}, "ingest", "ingest-"+dt)
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Abort()
	fw, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	rec := testwarehouse.Record(mem, dt, evs)
	defer rec.Release()
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for i := range evs {
		b.Append(tok(fmt.Sprint("ip", i)))
	}
	ipTok := b.NewArray()
	defer ipTok.Release()
	cols := slices.Clone(rec.Columns())
	cols[schemas.EventsClean.Schema.FieldIndices("ip_token")[0]] = ipTok
	out := array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())
	defer out.Release()
	if err := fw.Write(out); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(sinks.CommitInfo{Stats: pipeline.Stats{RecordsIn: int64(len(evs)), RecordsOut: int64(len(evs))}}); err != nil {
		t.Fatal(err)
	}
}

func TestLeakCheck(t *testing.T) {
	cases := []struct {
		name     string
		user     string // what events_clean carries as user_token
		device   string
		category string
		column   string   // of the findings, "" for a clean run
		want     []string // finding kinds, in report order
	}{
		{"clean", tok("u1"), tok("d1"), "beauty", "", nil},
		{"numeric id inside a number", tok("u1"), tok("d1"), "1543462", "", nil},
		{"raw user id", "u42424242", tok("d1"), "beauty", "user_token", []string{KindMalformedToken, KindRawValue}},
		{"malformed token", tok("u1"), "r_dev", "beauty", "device_token", []string{KindMalformedToken}},
		{"email pattern", tok("u1"), tok("d1"), "mail me at x.y@example.com", "category", []string{KindPIIPattern + "EMAIL"}},
		{"raw id inside a value", tok("u1"), tok("d1"), "promo-u42424242", "category", []string{KindRawSubstring}},
		{"raw e-mail inside a value", tok("u1"), tok("d1"), "to:someone@example.org", "category", []string{KindPIIPattern + "EMAIL", KindRawSubstring}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			w := testwarehouse.Open(t)
			landing := t.TempDir()
			landEvents(t, landing, "2026-11-19", "u42424242", "543462")
			day := testwarehouse.Day(t, "2026-11-19")
			writeEvents(t, w, mem, "2026-11-19", []testwarehouse.Event{
				{TS: day.Add(time.Hour), Type: "view", User: c.user, Device: c.device, Category: c.category},
			})
			s := Stage{Now: func() time.Time { return day }, Signer: newTestSigner(t)}
			job := testwarehouse.Job(t, w, mem, s, day, "run-1")
			job.Landing = landing
			err := s.Run(context.Background(), job)
			rep, path, lerr := Latest(w, day)
			if c.want != nil {
				// A leak commits nothing: the error names where and what.
				if !errors.Is(err, ErrLeak) {
					t.Fatalf("err = %v, want ErrLeak", err)
				}
				if lerr == nil {
					t.Fatal("report committed despite a leak")
				}
				for _, k := range c.want {
					if want := "events_clean." + c.column + ": " + k; !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				failed := checkFailedReport(t, w, day, s.Signer)
				assertNoRaw(t, landing, day, failed, err)
				return
			}
			if err != nil || lerr != nil {
				t.Fatalf("clean run: %v, report: %v", err, lerr)
			}
			if !rep.LeakCheck.Passed || len(rep.LeakCheck.Findings) > 0 || rep.LeakCheck.RawValues < 4 || rep.LeakCheck.Columns == 0 || rep.LeakCheck.Cells == 0 {
				t.Fatalf("leak check %+v", rep.LeakCheck)
			}
			assertNoRaw(t, landing, day, path, err)
		})
	}
}

// checkFailedReport finds the one report a leaking run kept apart in
// FailedDir and checks it: signed (JSON and HTML), verdict failed by the
// leak check. It returns the JSON's path.
func checkFailedReport(t *testing.T, w *sinks.Warehouse, day time.Time, sg signing.Signer) string {
	t.Helper()
	found, err := filepath.Glob(filepath.Join(w.Root, FailedDir, "dt="+day.Format(time.DateOnly), "run-*.json"))
	if err != nil || len(found) != 1 {
		t.Fatalf("failed reports %v (%v), want 1", found, err)
	}
	verifySignedPair(t, found[0], sg.PublicKey())
	var rep Report
	if b, err := os.ReadFile(found[0]); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Verdict.Status != VerdictFailed || len(rep.Verdict.Failures) == 0 || !strings.HasPrefix(rep.Verdict.Failures[0], "leak_check") {
		t.Errorf("failed report's verdict %+v", rep.Verdict)
	}
	return found[0]
}

// assertNoRaw checks the committed report and the run's error for the
// day's raw values, with the residual scanner and by plain search.
func assertNoRaw(t *testing.T, landing string, day time.Time, path string, runErr error) {
	t.Helper()
	raw, err := ingest.RawValues(context.Background(), landing, day, nil)
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	if path != "" {
		if body, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	out := string(body) + fmt.Sprint(runErr)
	n := residual.NewNeedles(0)
	for v := range raw {
		n.Add(v)
		if strings.Contains(out, v) {
			t.Errorf("report or error holds raw value %q", v)
		}
	}
	sc := residual.NewScanner(n)
	sc.ScanText("reports", "report and error", out)
	if r := sc.Result(); !r.Passed {
		t.Errorf("report scan: %+v", r.Findings)
	}
}

func TestReportKeepsHistoryAndTotals(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	day := testwarehouse.Day(t, "2026-11-19")
	writeEvents(t, w, mem, "2026-11-19", []testwarehouse.Event{{TS: day, Type: "view", User: tok("u1"), Device: tok("d1")}, {TS: day, Type: "view", User: tok("u2"), Device: tok("d2")}})
	s := Stage{Signer: newTestSigner(t)}
	for _, run := range []string{"20261119T000000.000Z-a", "20261119T000001.000Z-b"} {
		job := testwarehouse.Job(t, w, mem, s, day, run)
		job.Landing = t.TempDir()
		if err := s.Run(context.Background(), job); err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.Manifest(schemas.Reports, sinks.Partition{DT: "2026-11-19"})
	if err != nil || len(m.Files) != 8 || m.Rows != 2 {
		t.Fatalf("report history (2 runs of json, html and their signatures): %+v, %v", m, err)
	}
	rep, path, err := Latest(w, day)
	if err != nil || filepath.Base(path) != "run-20261119T000001.000Z-b.json" {
		t.Fatalf("latest = %s, %v", path, err)
	}
	if rep.Totals.RecordsIn != 2 || rep.Totals.RecordsOut != 2 || len(rep.Partitions) != 1 {
		t.Fatalf("totals %+v, partitions %d", rep.Totals, len(rep.Partitions))
	}
}

// TestReportSaysIncomplete: a report computed while an upstream stage had
// failed says so in its JSON and its manifest; one without gaps says it is
// complete.
func TestReportSaysIncomplete(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	day := testwarehouse.Day(t, "2026-11-19")
	writeEvents(t, w, mem, "2026-11-19", []testwarehouse.Event{{TS: day, Type: "view", User: tok("u1"), Device: tok("d1")}})
	s := Stage{Signer: newTestSigner(t)}
	var _ pipeline.Reporter = s
	gaps := []sinks.Gap{
		{Stage: "tags", DT: "2026-11-19", State: "failed", Detail: "write consumer_tags: no space left on device"},
		{Stage: "risk", DT: "2026-11-19", State: "due", Detail: "risk_features missing"},
	}
	for i, g := range [][]sinks.Gap{gaps, nil} {
		job := testwarehouse.Job(t, w, mem, s, day, fmt.Sprintf("20261119T00000%d.000Z-a", i))
		job.Landing = t.TempDir()
		job.Incomplete = g
		if err := s.Run(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		rep, _, err := Latest(w, day)
		if err != nil {
			t.Fatal(err)
		}
		m, err := w.Manifest(schemas.Reports, sinks.Partition{DT: "2026-11-19"})
		if err != nil {
			t.Fatal(err)
		}
		if g == nil {
			if !rep.Complete || rep.Incomplete != nil || m.Incomplete != nil {
				t.Fatalf("complete run: %v %v %v", rep.Complete, rep.Incomplete, m.Incomplete)
			}
			if !rep.Verdict.Passed() || rep.Verdict.Failures != nil {
				t.Fatalf("complete run: verdict %+v", rep.Verdict)
			}
			continue
		}
		want := []string{"tags 2026-11-19: failed: write consumer_tags: no space left on device", "risk 2026-11-19: due: risk_features missing"}
		if rep.Complete || !slices.Equal(rep.Incomplete, want) || len(m.Incomplete) != 2 {
			t.Fatalf("incomplete run: complete %v, %q, manifest %v", rep.Complete, rep.Incomplete, m.Incomplete)
		}
		if rep.Verdict.Passed() || len(rep.Verdict.Failures) != 1 || !strings.HasPrefix(rep.Verdict.Failures[0], "incomplete: tags 2026-11-19: failed") {
			t.Fatalf("incomplete run: verdict %+v", rep.Verdict)
		}
	}
}
