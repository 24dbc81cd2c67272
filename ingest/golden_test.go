package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden is what ingest makes of a messy landing file: the accounting and
// every quarantined line with its reason.
type golden struct {
	RecordsIn   int64               `json:"records_in"`
	RecordsOut  int64               `json:"records_out"`
	Duplicates  int64               `json:"duplicates"`
	Quarantined map[string]int64    `json:"quarantined"`
	Dropped     map[string]int64    `json:"dropped_fields"`
	Lines       map[string]string   `json:"quarantined_lines"`
	Rows        []map[string]string `json:"rows"`
}

// TestGoldenMessyEvents runs ../testdata/ingest/messy_events.jsonl through
// ingest and compares with messy_events.golden.json; -update rewrites it.
// Tokens differ per keyset, so they are replaced by whether they are set.
func TestGoldenMessyEvents(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("..", "testdata", "ingest", "messy_events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.land("events", map[string]string{"part-00000.jsonl": string(in)})
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: "2026-11-19"}
	st := e.stats(schemas.EventsClean, p)
	got := golden{RecordsIn: st.RecordsIn, RecordsOut: st.RecordsOut, Duplicates: st.Duplicates,
		Quarantined: st.Quarantined, Dropped: st.DroppedFields, Lines: map[string]string{}}
	for _, r := range e.rows(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "events"}) {
		got.Lines[r["line"]] = r["reason"] + " " + r["field"]
	}
	for _, r := range e.rows(schemas.EventsClean, p) {
		for k, v := range r {
			if len(k) > 6 && k[len(k)-6:] == "_token" {
				r[k] = "<token:" + v[:2] + ">"
			}
		}
		got.Rows = append(got.Rows, r)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	path := filepath.Join("..", "testdata", "ingest", "messy_events.golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -run Golden -update)", err)
	}
	if !bytes.Equal(want, b) {
		t.Fatalf("ingest of messy_events.jsonl changed; review and rerun with -update:\n%s", b)
	}
}
