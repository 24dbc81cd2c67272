package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/synth"
)

func appealLine(id, user, ts, statement string) string {
	return `{"appeal_id":"` + id + `","user_id":"` + user + `","ts":"` + ts + `","statement":"` + statement + `"}`
}

// TestAppealsDaily: the day's appeals are checked, the appellant gets the
// token events_clean gives the same user, statements lose their PII,
// repeats of an appeal_id are duplicates, bad rows are quarantined with
// their reasons, and every record is accounted for.
func TestAppealsDaily(t *testing.T) {
	e := newEnv(t)
	lines := []string{
		appealLine("ap-2", "u00000001", "2026-11-19T10:00:00Z", "My account was hacked. Call me on +86 138 1234 5678 or mail jane.doe@example.com."),
		appealLine("ap-1", "u2", "2026-11-19T09:00:00Z", "我的账号被盗了，请解除限制。我的手机号是13812345678。"),
		appealLine("ap-2", "u00000001", "2026-11-19T10:05:00Z", "resubmitted"),           // duplicate appeal_id
		appealLine("ap-3", "u3", "2026-11-18T23:00:00Z", "yesterday"),                    // another day
		appealLine("ap 4", "u4", "2026-11-19T11:00:00Z", "bad id"),                       // invalid_value appeal_id
		`{"appeal_id":"ap-5","ts":"2026-11-19T11:00:00Z","statement":"who am I"}`,        // missing_field user_id
		`{"appeal_id":"ap-6","user_id":"u6","ts":"2026-11-19T11:00:00Z","statement":""}`, // missing_field statement
		`{"appeal_id":"ap-7",`, // bad_json
	}
	e.land("appeals", map[string]string{"appeals.jsonl": strings.Join(lines, "\n") + "\n"})
	e.land("events", map[string]string{"events.jsonl": good + "\n"})
	if err := e.run(Appeals{}); err != nil {
		t.Fatal(err)
	}
	if err := e.run(Events{}); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: e.day.Format(time.DateOnly)}
	st := e.stats(schemas.AppealsClean, p)
	wantQ := map[string]int64{"invalid_value": 1, "ts_outside_partition": 1, "missing_field": 2, "bad_json": 1}
	if st.RecordsIn != 8 || st.RecordsOut != 2 || st.Duplicates != 1 || !st.Balanced() || len(st.Quarantined) != len(wantQ) {
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
	if st.PII["PHONE"] != 2 || st.PII["EMAIL"] != 1 {
		t.Errorf("pii found %v", st.PII)
	}
	rows := e.rows(schemas.AppealsClean, p)
	if len(rows) != 2 || rows[0]["appeal_id"] != "ap-1" || rows[1]["appeal_id"] != "ap-2" {
		t.Fatalf("rows %v", rows)
	}
	// The appellant's token is events_clean's, as made by the events stage.
	ev := e.rows(schemas.EventsClean, p)
	if len(ev) != 1 || rows[1]["user_token"] != ev[0]["user_token"] || rows[0]["user_token"] != e.userToken("u2") {
		t.Errorf("tokens: appeals %q %q, events %v", rows[0]["user_token"], rows[1]["user_token"], ev)
	}
	if rows[1]["ts"] != "2026-11-19T10:00:00Z" || rows[1]["pii_found"] != "2" {
		t.Errorf("row %v", rows[1])
	}
	for _, r := range rows {
		for _, raw := range []string{"138", "jane", "example.com", "u00000001", "u2"} {
			if strings.Contains(strings.ToLower(r["statement"]), raw) {
				t.Errorf("statement %q holds %q", r["statement"], raw)
			}
		}
	}
	if !strings.Contains(rows[1]["statement"], "My account was hacked.") || !strings.Contains(rows[0]["statement"], "我的账号被盗了") {
		t.Errorf("statements lost their text: %q / %q", rows[0]["statement"], rows[1]["statement"])
	}
	q := e.rows(schemas.Quarantine, sinks.Partition{DT: p.DT, Sub: "appeals"})
	if len(q) != 5 {
		t.Errorf("%d quarantine rows, want 5", len(q))
	}
	for _, r := range q {
		for _, raw := range []string{"u3", "u4", "u6", "yesterday", "bad id"} {
			for col, v := range r {
				if col != "file" && strings.Contains(v, raw) {
					t.Errorf("quarantine %s holds %q: %v", col, raw, r)
				}
			}
		}
	}
}

// TestAppealsOnGeneratedData ingests the generator's appeals feed: every
// appeal it wrote is accepted, with PII found in the statements that
// carry some.
func TestAppealsOnGeneratedData(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), synth.Config{Out: dir, Start: day, Days: 2, Events: 40_000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.landing = filepath.Join(dir, "landing")
	var n, found int64
	for d := range 2 {
		e.day = day.AddDate(0, 0, d)
		if err := e.run(Appeals{}); err != nil {
			t.Fatal(err)
		}
		st := e.stats(schemas.AppealsClean, sinks.Partition{DT: e.day.Format(time.DateOnly)})
		if st.QuarantinedTotal() != 0 || st.Duplicates != 0 || !st.Balanced() {
			t.Errorf("%s: %+v", e.day.Format(time.DateOnly), st)
		}
		n += st.RecordsOut
		for _, c := range st.PII {
			found += c
		}
	}
	if n != int64(sum.Appeals) || n == 0 {
		t.Errorf("%d appeals written, the generator wrote %d", n, sum.Appeals)
	}
	t.Logf("%d appeals, %d PII values removed", n, found)
}
