package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/configs"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// policyWith is the default policy with one line of its text replaced.
func policyWith(t testing.TB, old, new string) *policy.File {
	t.Helper()
	text := string(configs.Policy)
	if !strings.Contains(text, old) {
		t.Fatalf("default policy lacks %q", old)
	}
	f, err := policy.Parse([]byte(strings.Replace(text, old, new, 1)), "test policy")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var quarantineDamaged = [2]string{"on_damaged_file: fail", "on_damaged_file: quarantine"}

// eventLines returns n distinct good event lines, each ending in "\n".
func eventLines(from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		b.WriteString(strings.Replace(good, `"e1"`, `"e`+itoa(i)+`"`, 1))
		b.WriteByte('\n')
	}
	return b.String()
}

// landRaw writes files as given (no compression) and the _SUCCESS marker.
func (e *env) landRaw(feed string, files map[string][]byte) {
	e.t.Helper()
	dir := pipeline.LandingDir(e.landing, feed, e.day.Format("2006-01-02"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, schemas.SuccessMarker), nil, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// TestDamagedGzipFailsByDefault: a truncated .jsonl.gz fails the run,
// naming the file, and nothing of the partition is committed.
func TestDamagedGzipFailsByDefault(t *testing.T) {
	e := newEnv(t)
	b, ends := gzipMembers(t, strings.ReplaceAll(eventLines(0, 1000), "u00000001", "u99999999"))
	e.landRaw("events", map[string][]byte{"part-00000.jsonl.gz": truncate(b, ends[0]/2), "part-00001.jsonl": []byte(eventLines(1000, 10))})
	err := e.run(Events{})
	if !errors.Is(err, ErrDamagedFile) || !strings.Contains(err.Error(), "events/dt=2026-11-19/part-00000.jsonl.gz") || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("error %v", err)
	}
	// The report's leak check still reads what can be read: a needle from
	// unverified bytes is harmless, a missing one is not.
	raw, err := RawValues(t.Context(), e.landing, e.day, nil)
	if err != nil {
		t.Fatalf("RawValues on a damaged file: %v", err)
	}
	if _, ok := raw["u99999999"]; !ok {
		t.Error("RawValues lacks the damaged file's values")
	}
	for _, ds := range []schemas.Dataset{schemas.EventsClean, schemas.Quarantine} {
		p := sinks.Partition{DT: "2026-11-19"}
		if ds.Name == schemas.Quarantine.Name {
			p.Sub = "events"
		}
		if _, err := e.wh.Manifest(ds, p); !errors.Is(err, sinks.ErrNotCommitted) {
			t.Errorf("%s committed: %v", ds.Name, err)
		}
	}
}

// TestDamagedGzipQuarantined: with on_damaged_file: quarantine, the
// records of verified members are kept, the rest of each damaged file is
// one damaged_file row at the line where the damage starts, and the bytes
// lost are in the stats.
func TestDamagedGzipQuarantined(t *testing.T) {
	e := newEnv(t)
	b, ends := gzipMembers(t, eventLines(0, 1000), eventLines(1000, 1000), eventLines(2000, 1000))
	cut := ends[1] + (ends[2]-ends[1])/2
	e.landRaw("events", map[string][]byte{
		"part-00000.jsonl.gz": truncate(b, cut),
		"part-00001.jsonl.gz": []byte(eventLines(5000, 10)), // plain text named .gz
		"part-00002.jsonl":    []byte(eventLines(6000, 5)),
	})
	if err := e.run(Events{Policy: policyWith(t, quarantineDamaged[0], quarantineDamaged[1])}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: "2026-11-19"}
	st := e.stats(schemas.EventsClean, p)
	if !st.Balanced() || st.RecordsOut != 2005 || st.Quarantined["damaged_file"] != 2 || st.RecordsIn != 2007 {
		t.Fatalf("stats in=%d out=%d q=%v", st.RecordsIn, st.RecordsOut, st.Quarantined)
	}
	want := []pipeline.DamagedFile{
		{Path: "events/dt=2026-11-19/part-00000.jsonl.gz", Damage: "truncated", BytesLost: int64(cut - ends[1])},
		{Path: "events/dt=2026-11-19/part-00001.jsonl.gz", Damage: "not_gzip", BytesLost: int64(len(eventLines(5000, 10)))},
	}
	if len(st.DamagedFiles) != 2 {
		t.Fatalf("damaged %+v", st.DamagedFiles)
	}
	for i, w := range want {
		got := st.DamagedFiles[i]
		got.UnverifiedLines = 0 // depends on how much of member 3 deflate gave out
		if got != w {
			t.Errorf("damaged file %d: %+v, want %+v", i, st.DamagedFiles[i], w)
		}
	}
	if st.DamagedFiles[0].UnverifiedLines == 0 || st.DamagedFiles[0].UnverifiedLines >= 1000 {
		t.Errorf("unverified lines %d", st.DamagedFiles[0].UnverifiedLines)
	}
	q := e.rows(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"})
	if len(q) != 2 || q[0]["line"] != "2001" || q[0]["reason"] != "damaged_file" || q[1]["line"] != "1" {
		t.Errorf("quarantine %v", q)
	}
	if st.Inputs[0].Records != 2001 || st.Inputs[1].Records != 1 || st.Inputs[0].Bytes != int64(cut) {
		t.Errorf("inputs %+v", st.Inputs)
	}
}
