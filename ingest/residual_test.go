package ingest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/residual"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// TestInjectedLeakFailsRun: a feed that embeds a user id in its event ids
// or an e-mail address in a category leaks through fields the policy
// keeps. The residual scan finds it, the run fails, and neither the clean
// nor the quarantine partition exists; the error names the column, never
// the value.
func TestInjectedLeakFailsRun(t *testing.T) {
	for _, tc := range []struct {
		name, from, to, column, kind string
	}{
		{"user id inside event id", `"event_id":"e1"`, `"event_id":"ord-u00000001-77"`, "event_id", residual.RawSubstring},
		{"e-mail in a category", `"category":"beauty"`, `"category":"ask jane.doe@example.com"`, "category", residual.RawSubstring},
		{"phone in a category", `"category":"beauty"`, `"category":"call 13812345678"`, "category", residual.RawSubstring},
		{"user id in a category", `"category":"beauty"`, `"category":"promo-u00000001"`, "category", residual.RawSubstring},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			bad := strings.Replace(good, tc.from, tc.to, 1)
			e.land("events", map[string]string{"part-00000.jsonl": good + "\n" + strings.Replace(bad, `"e1"`, `"e2"`, 1) + "\n"})
			err := e.run(Events{})
			if !errors.Is(err, ErrLeak) {
				t.Fatalf("err = %v, want ErrLeak", err)
			}
			if !strings.Contains(err.Error(), "events_clean."+tc.column) {
				t.Errorf("error %q does not name column %s", err, tc.column)
			}
			for _, raw := range []string{"u00000001", "jane.doe", "13812345678", "beauty"} {
				if strings.Contains(err.Error(), raw) {
					t.Errorf("error quotes a value: %q", err)
				}
			}
			p := sinks.Partition{DT: e.day.Format("2006-01-02")}
			if _, err := e.wh.Manifest(schemas.EventsClean, p); !errors.Is(err, sinks.ErrNotCommitted) {
				t.Errorf("events_clean committed after a leak: %v", err)
			}
			if _, err := e.wh.Manifest(schemas.Quarantine, sinks.Partition{DT: p.DT, Sub: "events"}); !errors.Is(err, sinks.ErrNotCommitted) {
				t.Errorf("quarantine committed after a leak: %v", err)
			}
		})
	}
}

// TestCleanRunRecordsScan: a clean run commits, and its manifest carries
// the scan's counts.
func TestCleanRunRecordsScan(t *testing.T) {
	e := newEnv(t)
	e.land("events", map[string]string{"part-00000.jsonl": good + "\n"})
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	st := e.stats(schemas.EventsClean, sinks.Partition{DT: e.day.Format("2006-01-02")})
	var res residual.Result
	if err := json.Unmarshal(st.Residual, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Passed || res.Needles < 8 || res.Cells < 10 {
		t.Errorf("residual = %+v, want a passed scan of the row's values", res)
	}
}

// TestPlantedLeakUnderEveryFraming plants a raw value (the user id of one
// record in another record's category) in each way a landing file may now
// be framed: the residual scan still finds it and the run fails, and a
// clean file framed the same way passes with the same needles as plain
// LF lines, so the framing changes nothing the scan sees.
func TestPlantedLeakUnderEveryFraming(t *testing.T) {
	leak := strings.Replace(strings.Replace(good, `"e1"`, `"e2"`, 1), `"category":"beauty"`, `"category":"promo-u00000001"`, 1)
	clean := strings.Replace(good, `"e1"`, `"e2"`, 1)
	frame := map[string]func(lines ...string) map[string][]byte{
		"lf": func(l ...string) map[string][]byte {
			return map[string][]byte{"part-00000.jsonl": []byte(strings.Join(l, "\n") + "\n")}
		},
		"bom crlf blanks": func(l ...string) map[string][]byte {
			return map[string][]byte{"part-00000.jsonl": []byte("\ufeff\r\n" + strings.Join(l, "\r\n  \r\n") + "\r\n")}
		},
		"bare cr": func(l ...string) map[string][]byte {
			return map[string][]byte{"part-00000.JSONL": []byte(strings.Join(l, "\r"))}
		},
		"gzip members, damaged after": func(l ...string) map[string][]byte {
			b, ends := gzipMembers(t, l[0]+"\n", l[1]+"\n", eventLines(100, 5))
			return map[string][]byte{"part-00000.jsonl.gz": truncate(b, ends[1]+(ends[2]-ends[1])/2)}
		},
	}
	pol := policyWith(t, quarantineDamaged[0], quarantineDamaged[1])
	set := sharedKeys(t)
	var needles []int64
	for name, f := range frame {
		t.Run(name, func(t *testing.T) {
			e := newEnvKeys(t, set)
			e.landRaw("events", f(good, leak))
			err := e.run(Events{Policy: pol})
			if !errors.Is(err, ErrLeak) || !strings.Contains(err.Error(), "events_clean.category") || strings.Contains(err.Error(), "u00000001") {
				t.Fatalf("err = %v, want ErrLeak naming events_clean.category and no value", err)
			}
			if _, err := e.wh.Manifest(schemas.EventsClean, sinks.Partition{DT: "2026-11-19"}); !errors.Is(err, sinks.ErrNotCommitted) {
				t.Errorf("events_clean committed after a leak: %v", err)
			}
			raw, err := RawValues(t.Context(), e.landing, e.day, pol)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := raw["u00000001"]; !ok {
				t.Error("RawValues misses the planted user id")
			}

			e = newEnvKeys(t, set)
			e.landRaw("events", f(good, clean))
			if err := e.run(Events{Policy: pol}); err != nil {
				t.Fatal(err)
			}
			var res residual.Result
			if err := json.Unmarshal(e.stats(schemas.EventsClean, sinks.Partition{DT: "2026-11-19"}).Residual, &res); err != nil {
				t.Fatal(err)
			}
			if !res.Passed {
				t.Fatalf("clean file failed the scan: %+v", res)
			}
			needles = append(needles, res.Needles)
		})
	}
	for _, n := range needles {
		if n != needles[0] {
			t.Errorf("needles by framing %v: the scan saw different values", needles)
			break
		}
	}
}

// TestSpilledScan runs the residual scan with a budget of one byte, so
// every worker moves its needles to disk after each row and the end of
// the run scans once per bucket: planted leaks fail the run as before,
// and a clean run records the same scan as with the needles in memory.
func TestSpilledScan(t *testing.T) {
	scan := func(budget string) residual.Result {
		t.Setenv("VEIL_RESIDUAL_MEMORY", budget)
		e := newEnv(t)
		e.land("events", map[string]string{"part-00000.jsonl": good + "\n" + strings.Replace(good, `"e1"`, `"e2"`, 1) + "\n"})
		if err := e.run(Events{}); err != nil {
			t.Fatal(err)
		}
		var res residual.Result
		if err := json.Unmarshal(e.stats(schemas.EventsClean, sinks.Partition{DT: e.day.Format("2006-01-02")}).Residual, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	mem, spilled := scan(""), scan("1")
	if !mem.Passed || mem.Needles < 8 || mem.Needles != spilled.Needles || mem.Cells != spilled.Cells ||
		mem.Distinct != spilled.Distinct || !spilled.Passed {
		t.Errorf("in memory %+v, spilled %+v: want the same scan", mem, spilled)
	}
	t.Run("leaks", TestInjectedLeakFailsRun)
	t.Run("chats", TestChatsDesensitised)
}
