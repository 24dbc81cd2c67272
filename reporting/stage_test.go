package reporting

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

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

func TestLeakCheck(t *testing.T) {
	cases := []struct {
		name     string
		user     string // what events_clean carries as user_token
		category string
		wantLeak string // "" for a clean run, else the finding's kind
	}{
		{"clean", "r_AbCdEf0123", "beauty", ""},
		{"raw user id", "u42424242", "beauty", "raw_value"},
		{"email pattern", "r_AbCdEf0123", "mail me at x.y@example.com", "pii_pattern:EMAIL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			w := testwarehouse.Open(t)
			landing := t.TempDir()
			landEvents(t, landing, "2026-11-19", "u42424242")
			day := testwarehouse.Day(t, "2026-11-19")
			testwarehouse.WriteEvents(t, w, mem, "2026-11-19", []testwarehouse.Event{
				{TS: day.Add(time.Hour), Type: "view", User: c.user, Device: "r_dev", Category: c.category},
			})
			s := Stage{Now: func() time.Time { return day }}
			job := testwarehouse.Job(t, w, mem, s, day, "run-1")
			job.Landing = landing
			err := s.Run(context.Background(), job)
			rep, _, lerr := Latest(w, day)
			if lerr != nil {
				t.Fatalf("report not committed: %v", lerr)
			}
			if c.wantLeak == "" {
				if err != nil || !rep.LeakCheck.Passed {
					t.Fatalf("clean run: %v, %+v", err, rep.LeakCheck)
				}
				return
			}
			if !errors.Is(err, ErrLeak) || rep.LeakCheck.Passed {
				t.Fatalf("leak not reported: %v", err)
			}
			if f := rep.LeakCheck.Findings[0]; f.Kind != c.wantLeak || f.Dataset != "events_clean" {
				t.Fatalf("finding %+v, want kind %s", f, c.wantLeak)
			}
			if rep.LeakCheck.RawValues < 3 {
				t.Fatalf("raw values checked = %d", rep.LeakCheck.RawValues)
			}
		})
	}
}

func TestReportKeepsHistoryAndTotals(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	w := testwarehouse.Open(t)
	day := testwarehouse.Day(t, "2026-11-19")
	testwarehouse.WriteEvents(t, w, mem, "2026-11-19", []testwarehouse.Event{{TS: day, Type: "view", User: "r_1"}, {TS: day, Type: "view", User: "r_2"}})
	s := Stage{}
	for _, run := range []string{"20261119T000000.000Z-a", "20261119T000001.000Z-b"} {
		job := testwarehouse.Job(t, w, mem, s, day, run)
		job.Landing = t.TempDir()
		if err := s.Run(context.Background(), job); err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.Manifest(schemas.Reports, sinks.Partition{DT: "2026-11-19"})
	if err != nil || len(m.Files) != 2 {
		t.Fatalf("report history: %+v, %v", m, err)
	}
	rep, path, err := Latest(w, day)
	if err != nil || filepath.Base(path) != "run-20261119T000001.000Z-b.json" {
		t.Fatalf("latest = %s, %v", path, err)
	}
	if rep.Totals.RecordsIn != 2 || rep.Totals.RecordsOut != 2 || len(rep.Partitions) != 1 {
		t.Fatalf("totals %+v, partitions %d", rep.Totals, len(rep.Partitions))
	}
}
