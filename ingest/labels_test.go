package ingest

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/synth"
)

func labelLine(user, value, knownAt, source string) string {
	s := `{"user_id":"` + user + `","label":"` + value + `","known_at":"` + knownAt + `"`
	if source != "" {
		s += `,"source":"` + source + `"`
	}
	return s + "}"
}

// TestLabelsDaily: a day's labels are checked, tokenised as events
// tokenise user_id, de-duplicated on (user, label, known_at), sorted by
// known_at, and every record is accounted for.
func TestLabelsDaily(t *testing.T) {
	e := newEnv(t)
	lines := []string{
		labelLine("u2", "fraud", "2026-11-19T10:00:00Z", "chargeback"),
		labelLine("u1", "legit", "2026-11-19T09:00:00Z", "manual_review"),
		labelLine("u2", "fraud", "2026-11-19T10:00:00.000Z", "manual_review"), // repeat: first source wins
		labelLine("u3", "fraud", "2026-11-19T11:00:00Z", ""),                  // no source: null
		labelLine("u4", "maybe", "2026-11-19T11:00:00Z", ""),                  // invalid_value label
		labelLine("u5", "fraud", "2026-11-18T23:59:59Z", ""),                  // another day
		labelLine("u 6", "fraud", "2026-11-19T11:00:00Z", ""),                 // invalid_value user_id
		`{"label":"fraud","known_at":"2026-11-19T11:00:00Z"}`,                 // missing_field user_id
		`{"user_id":"u7",`, // bad_json
	}
	e.land("labels", map[string]string{"labels.jsonl": strings.Join(lines, "\n") + "\n"})
	if err := e.run(Labels{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	st := e.stats(schemas.LabelsClean, p)
	wantQ := map[string]int64{"invalid_value": 2, "ts_outside_partition": 1, "missing_field": 1, "bad_json": 1}
	if st.RecordsIn != 9 || st.RecordsOut != 3 || st.Duplicates != 1 || !st.Balanced() || len(st.Quarantined) != len(wantQ) {
		t.Fatalf("stats %+v", st)
	}
	for k, v := range wantQ {
		if st.Quarantined[k] != v {
			t.Errorf("quarantined %s: %d, want %d", k, st.Quarantined[k], v)
		}
	}
	if !strings.Contains(string(st.Residual), `"passed": true`) {
		t.Errorf("residual scan: %s", st.Residual)
	}
	rows := e.rows(schemas.LabelsClean, p)
	want := []map[string]string{
		{"user_token": e.userToken("u1"), "label": "legit", "known_at": "2026-11-19T09:00:00Z", "source": "manual_review"},
		{"user_token": e.userToken("u2"), "label": "fraud", "known_at": "2026-11-19T10:00:00Z", "source": "chargeback"},
		{"user_token": e.userToken("u3"), "label": "fraud", "known_at": "2026-11-19T11:00:00Z"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %v", rows)
	}
	for i := range want {
		for k, v := range want[i] {
			if rows[i][k] != v {
				t.Errorf("row %d %s: %q, want %q", i, k, rows[i][k], v)
			}
		}
		if _, ok := rows[i]["source"]; !ok && want[i]["source"] != "" {
			t.Errorf("row %d: source null", i)
		}
	}
	if q := e.rows(schemas.Quarantine, sinks.Partition{DT: p.DT, Sub: "labels"}); len(q) != 5 {
		t.Errorf("%d quarantine rows, want 5", len(q))
	}
}

// TestLabelsHistorical reads the Fraud_Data copies as a historical label
// batch: class 1 is fraud, 0 legit, known 30 days after the purchase (the
// policy's declared offset), each label on its known_at day, with the
// user token events give the same user.
func TestLabelsHistorical(t *testing.T) {
	e := newEnv(t)
	e.landBatch("labels", day, fraudFiles(t))
	r := e.runner(Labels{})
	got, err := r.LandingDates()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2000-01-31", "2015-01-31", "2015-03-16", "2015-03-17", "2026-11-19"}
	if !slices.Equal(dates(got), want) {
		t.Fatalf("dates %v, want %v", dates(got), want)
	}
	if err := r.RunDue(context.Background(), Labels{}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{} // token → label
	var out, other int64
	for _, d := range want {
		p := sinks.Partition{DT: d}
		st := e.stats(schemas.LabelsClean, p)
		if st.RecordsIn != 6 || !st.Balanced() {
			t.Errorf("%s: %+v", d, st)
		}
		out, other = out+st.RecordsOut, other+st.OtherPartition
		for _, row := range e.rows(schemas.LabelsClean, p) {
			if row["known_at"][:10] != d || row["source"] != "fraud_data" {
				t.Errorf("%s: row %v", d, row)
			}
			labels[row["user_token"]] = row["label"]
		}
	}
	if out != 5 || other != 6*5-6 {
		t.Errorf("%d labels written, %d other_partition over all days", out, other)
	}
	if labels[e.userToken("900002")] != "fraud" || labels[e.userToken("900001")] != "legit" || len(labels) != 5 {
		t.Errorf("labels %v", labels)
	}
	// known_at is the purchase time plus 30 days.
	for _, row := range e.rows(schemas.LabelsClean, sinks.Partition{DT: "2015-03-16"}) {
		if row["known_at"] != "2015-03-16T23:59:00Z" {
			t.Errorf("known_at %s, want 2015-02-14 23:59 + 720h", row["known_at"])
		}
	}
}

// TestLabelsOnGeneratedData ingests the generator's labels feed: every
// label it wrote is accepted, and their tokens are users of events.
func TestLabelsOnGeneratedData(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), synth.Config{Out: dir, Start: day, Days: 2, Events: 40_000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.landing = filepath.Join(dir, "landing")
	var n int64
	for d := range 2 {
		e.day = day.AddDate(0, 0, d)
		if err := e.run(Labels{}); err != nil {
			t.Fatal(err)
		}
		st := e.stats(schemas.LabelsClean, sinks.Partition{DT: e.day.Format(time.DateOnly)})
		if st.QuarantinedTotal() != 0 || st.Duplicates != 0 || !st.Balanced() {
			t.Errorf("%s: %+v", e.day.Format(time.DateOnly), st)
		}
		n += st.RecordsOut
	}
	if n != int64(sum.Labels) || n == 0 {
		t.Errorf("%d labels written, the generator wrote %d", n, sum.Labels)
	}
}
