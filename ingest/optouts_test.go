package ingest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/configs"
	"github.com/veil-data/veil/consent"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/synth"
)

// optout is one landing line of the opt-outs feed; an empty action is
// left out, as legacy producers do.
func optout(user, ts, action string) string {
	s := `{"user_id":"` + user + `","ts":"` + ts + `","scope":"marketing"`
	if action != "" {
		s += `,"action":"` + action + `"`
	}
	return s + "}"
}

// userToken is the token events give user_id under e's keys.
func (e *env) userToken(userID string) string {
	e.t.Helper()
	tok, err := anonymize.NewTokenizer(e.set)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.Worker().Reversible("user_id", userID)
}

// onDay lands lines as optouts/dt=d and runs the stage for d.
func (e *env) optoutsOn(d time.Time, lines ...string) error {
	e.t.Helper()
	e.day = d
	e.land("optouts", map[string]string{"optouts.jsonl": strings.Join(lines, "\n") + "\n"})
	return e.run(OptOuts{})
}

func (e *env) registry(dt string) map[string]consent.Entry {
	e.t.Helper()
	es, err := consent.ReadEntries(context.Background(), e.wh, e.mem, dt)
	if err != nil {
		e.t.Fatal(err)
	}
	m := map[string]consent.Entry{}
	for _, x := range es {
		m[x.UserToken] = x
	}
	return m
}

func ms(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestOptOutsRegistryAcrossDays carries the registry over three days:
// an opt-out, its withdrawal, a re-opt-out, and a tie.
func TestOptOutsRegistryAcrossDays(t *testing.T) {
	e := newEnv(t)
	d1, d2, d3 := day, day.AddDate(0, 0, 1), day.AddDate(0, 0, 2)
	if err := e.optoutsOn(d1,
		optout("u1", "2026-11-19T08:00:00Z", ""), // no action: an opt-out
		optout("u2", "2026-11-19T09:00:00Z", "opt_out"),
		optout("u3", "2026-11-19T10:00:00Z", "withdraw"), // nothing to withdraw
	); err != nil {
		t.Fatal(err)
	}
	if err := e.optoutsOn(d2,
		optout("u1", "2026-11-20T08:00:00Z", "withdraw"),
		optout("u4", "2026-11-20T09:00:00Z", ""),
		optout("u2", "2026-11-20T10:00:00Z", "opt_out"), // again: no change
	); err != nil {
		t.Fatal(err)
	}
	if err := e.optoutsOn(d3,
		optout("u1", "2026-11-21T08:00:00Z", "opt_out"),
		optout("u4", "2026-11-21T09:00:00Z", "opt_out"), // tie, listed first
		optout("u4", "2026-11-21T09:00:00Z", "withdraw"),
		optout("u2", "2026-11-21T11:00:00Z", "withdraw"),
	); err != nil {
		t.Fatal(err)
	}
	u1, u2, u3, u4 := e.userToken("u1"), e.userToken("u2"), e.userToken("u3"), e.userToken("u4")
	want := map[string]map[string]consent.Entry{
		"2026-11-19": {
			u1: {UserToken: u1, OptedOut: true, Since: ms("2026-11-19T08:00:00Z"), FirstOptOut: ms("2026-11-19T08:00:00Z"), Changes: 1},
			u2: {UserToken: u2, OptedOut: true, Since: ms("2026-11-19T09:00:00Z"), FirstOptOut: ms("2026-11-19T09:00:00Z"), Changes: 1},
			u3: {UserToken: u3, Since: ms("2026-11-19T10:00:00Z")},
		},
		"2026-11-20": {
			u1: {UserToken: u1, Since: ms("2026-11-20T08:00:00Z"), FirstOptOut: ms("2026-11-19T08:00:00Z"), Changes: 2},
			u2: {UserToken: u2, OptedOut: true, Since: ms("2026-11-19T09:00:00Z"), FirstOptOut: ms("2026-11-19T09:00:00Z"), Changes: 1},
			u3: {UserToken: u3, Since: ms("2026-11-19T10:00:00Z")},
			u4: {UserToken: u4, OptedOut: true, Since: ms("2026-11-20T09:00:00Z"), FirstOptOut: ms("2026-11-20T09:00:00Z"), Changes: 1},
		},
		"2026-11-21": {
			u1: {UserToken: u1, OptedOut: true, Since: ms("2026-11-21T08:00:00Z"), FirstOptOut: ms("2026-11-19T08:00:00Z"), Changes: 3},
			u2: {UserToken: u2, Since: ms("2026-11-21T11:00:00Z"), FirstOptOut: ms("2026-11-19T09:00:00Z"), Changes: 2},
			u3: {UserToken: u3, Since: ms("2026-11-19T10:00:00Z")},
			// Opted out, withdrawn and opted out again at one instant:
			// privacy wins the tie.
			u4: {UserToken: u4, OptedOut: true, Since: ms("2026-11-21T09:00:00Z"), FirstOptOut: ms("2026-11-20T09:00:00Z"), Changes: 3},
		},
	}
	for dt, w := range want {
		got := e.registry(dt)
		if len(got) != len(w) {
			t.Errorf("%s: %d entries, want %d", dt, len(got), len(w))
		}
		for tok, x := range w {
			if got[tok] != x {
				t.Errorf("%s: entry %+v, want %+v", dt, got[tok], x)
			}
		}
	}
	reg, err := consent.Latest(context.Background(), e.wh, e.mem, "2026-11-19")
	if err != nil {
		t.Fatal(err)
	}
	if reg.DT() != "2026-11-21" || reg.Len() != 2 || !reg.OptedOut(u1) || reg.OptedOut(u2) || !reg.OptedOut(u4) {
		t.Errorf("latest: dt %s len %d", reg.DT(), reg.Len())
	}
	// optouts_clean holds the day's requests in fold order: the tie's
	// withdrawal first.
	rows := e.rows(schemas.OptOutsClean, sinks.Partition{DT: "2026-11-21"})
	var actions []string
	for _, r := range rows {
		actions = append(actions, r["action"])
		if r["scope"] != "marketing" || !strings.HasPrefix(r["user_token"], "r_") {
			t.Errorf("row %v", r)
		}
	}
	if strings.Join(actions, ",") != "opt_out,withdraw,opt_out,withdraw" {
		t.Errorf("actions in order %v", actions)
	}
}

// TestOptOutsMissingPreviousRegistry: once the feed has history, a day
// whose predecessor's registry is missing fails, naming the date.
func TestOptOutsMissingPreviousRegistry(t *testing.T) {
	e := newEnv(t)
	d1, d2, d3 := day, day.AddDate(0, 0, 1), day.AddDate(0, 0, 2)
	if err := e.optoutsOn(d1, optout("u1", "2026-11-19T08:00:00Z", "")); err != nil {
		t.Fatal(err)
	}
	err := e.optoutsOn(d3, optout("u2", "2026-11-21T08:00:00Z", ""))
	if err == nil || !strings.Contains(err.Error(), "optout_registry/dt=2026-11-20") || !errors.Is(err, sinks.ErrNotCommitted) {
		t.Fatalf("day 3 without day 2: %v", err)
	}
	for _, ds := range []schemas.Dataset{schemas.OptOutsClean, schemas.OptOutRegistry} {
		if _, err := e.wh.Manifest(ds, sinks.Partition{DT: "2026-11-21"}); !errors.Is(err, sinks.ErrNotCommitted) {
			t.Errorf("%s committed by a failed run: %v", ds.Name, err)
		}
	}
	// Day 2 lands and runs: day 3 then carries day 1's opt-out.
	if err := e.optoutsOn(d2); err != nil {
		t.Fatal(err)
	}
	if err := e.optoutsOn(d3, optout("u2", "2026-11-21T08:00:00Z", "")); err != nil {
		t.Fatal(err)
	}
	reg, err := consent.Load(context.Background(), e.wh, e.mem, "2026-11-21")
	if err != nil {
		t.Fatal(err)
	}
	if !reg.OptedOut(e.userToken("u1")) || !reg.OptedOut(e.userToken("u2")) || reg.Len() != 2 {
		t.Errorf("day 3 registry: %d opted out", reg.Len())
	}
	// The first day of history starts from nothing.
	e2 := newEnv(t)
	if err := e2.optoutsOn(d2, optout("u1", "2026-11-20T08:00:00Z", "")); err != nil {
		t.Fatalf("first day of history: %v", err)
	}
}

func TestOptOutsQuarantineAndAccounting(t *testing.T) {
	e := newEnv(t)
	lines := []string{
		optout("u00000001", "2026-11-19T08:00:00Z", ""),
		optout("u00000001", "2026-11-19T08:00:00Z", ""),        // exact repeat
		optout("u00000001", "2026-11-19T08:00:00Z", "opt_out"), // the same request, action spelt out
		`{"user_id":"u00000002","ts":"2026-11-19T09:00:00Z","scope":"marketing"`,
		`{"user_id":"u00000002","ts":"2026-11-19T09:00:00Z","scope":"all"}`,
		optout("u00000002", "2026-11-19T09:00:00Z", "maybe"),
		optout("u00000002", "2026-11-18T23:59:59Z", ""),
		optout("u00000002", "2026-11-20T00:00:00Z", ""),
		`{"ts":"2026-11-19T09:00:00Z","scope":"marketing"}`,
		optout("u 2", "2026-11-19T09:00:00Z", ""),
		`{"user_id":"u00000003","ts":"2026-11-19T10:00:00Z","scope":"marketing","action":null,"channel":"app"}`,
		`{"user_id":"u00000004","ts":"2026-11-19T10:00:00Z","scope":"marketing","action":"withdraw"}`,
	}
	if err := e.optoutsOn(day, lines...); err != nil {
		t.Fatal(err)
	}
	p := sinks.Partition{DT: "2026-11-19"}
	q := e.rows(schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "optouts"})
	got := map[string]string{}
	for _, row := range q {
		got[row["line"]] = row["reason"] + "/" + row["field"]
		if row["file"] != "optouts/dt=2026-11-19/optouts.jsonl" {
			t.Errorf("quarantine file %q", row["file"])
		}
	}
	wantQ := map[string]string{
		"4": "bad_json/", "5": "invalid_value/scope", "6": "invalid_value/action", "7": "ts_outside_partition/ts",
		"8": "ts_outside_partition/ts", "9": "missing_field/user_id", "10": "invalid_value/user_id",
	}
	for line, w := range wantQ {
		if got[line] != w {
			t.Errorf("line %s quarantined as %q, want %q", line, got[line], w)
		}
	}
	if len(q) != len(wantQ) {
		t.Errorf("%d quarantined, want %d", len(q), len(wantQ))
	}
	for _, ds := range []schemas.Dataset{schemas.OptOutsClean, schemas.Quarantine} {
		pp := p
		if ds.SubKey != "" {
			pp.Sub = "optouts"
		}
		st := e.stats(ds, pp)
		if st.RecordsIn != 12 || st.RecordsOut != 3 || st.Duplicates != 2 || st.QuarantinedTotal() != 7 || !st.Balanced() {
			t.Errorf("%s stats in=%d out=%d dup=%d q=%d", ds.Name, st.RecordsIn, st.RecordsOut, st.Duplicates, st.QuarantinedTotal())
		}
		if st.DroppedFields["channel"] != 1 {
			t.Errorf("%s dropped fields %v", ds.Name, st.DroppedFields)
		}
	}
	clean := e.rows(schemas.OptOutsClean, p)
	wantActions := map[string]string{e.userToken("u00000001"): "opt_out", e.userToken("u00000003"): "opt_out", e.userToken("u00000004"): "withdraw"}
	for _, r := range clean {
		if wantActions[r["user_token"]] != r["action"] {
			t.Errorf("row %v", r)
		}
		for _, raw := range []string{"u00000001", "u00000003", "u00000004"} {
			if strings.Contains(r["user_token"], raw) {
				t.Error("raw user id in optouts_clean")
			}
		}
	}
	if len(clean) != 3 {
		t.Errorf("%d rows in optouts_clean, want 3", len(clean))
	}
	// The report's leak check looks for the feed's raw user ids too.
	raw, err := RawValues(context.Background(), e.landing, day, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["u00000004"]; !ok {
		t.Error("RawValues lacks a user id only the opt-outs feed carries")
	}
	m, err := e.wh.Manifest(schemas.OptOutRegistry, p)
	if err != nil {
		t.Fatal(err)
	}
	var rs RegistryStats
	if err := jsonUnmarshal(m.Stats, &rs); err != nil {
		t.Fatal(err)
	}
	if rs.Consent.Consumers != 3 || rs.Consent.OptedOut != 2 || rs.Consent.Requests != 3 || rs.RecordsOut != 3 || len(m.KeyIDs) == 0 {
		t.Errorf("registry manifest: %+v, keys %v", rs, m.KeyIDs)
	}
	var res struct{ Passed bool }
	if err := jsonUnmarshal(e.stats(schemas.OptOutsClean, p).Residual, &res); err != nil || !res.Passed {
		t.Errorf("residual scan not recorded as passed: %v", err)
	}
}

func TestOptOutsRerunSameFiles(t *testing.T) {
	e := newEnv(t)
	var lines []string
	for i := range 3000 {
		action := []string{"", "opt_out", "withdraw"}[i%3]
		ts := day.Add(time.Duration(i*7919%86400) * time.Second).Format(time.RFC3339)
		lines = append(lines, optout("u"+itoa(i%1100), ts, action))
	}
	fingerprints := func() []string {
		var fp []string
		for _, o := range []struct {
			ds schemas.Dataset
			p  sinks.Partition
		}{{schemas.OptOutsClean, sinks.Partition{DT: "2026-11-19"}}, {schemas.OptOutRegistry, sinks.Partition{DT: "2026-11-19"}},
			{schemas.Quarantine, sinks.Partition{DT: "2026-11-19", Sub: "optouts"}}} {
			m, err := e.wh.Manifest(o.ds, o.p)
			if err != nil {
				t.Fatal(err)
			}
			fp = append(fp, m.Fingerprint())
		}
		return fp
	}
	if err := e.optoutsOn(day, lines...); err != nil {
		t.Fatal(err)
	}
	first := fingerprints()
	if err := e.run(OptOuts{}); err != nil {
		t.Fatal(err)
	}
	if again := fingerprints(); strings.Join(again, " ") != strings.Join(first, " ") {
		t.Errorf("re-run wrote different files: %v, then %v", first, again)
	}
}

// TestOptOutsRefusesOtherUserTokens: a policy under which the feed's
// user_id would get a token events do not use cannot run the stage.
func TestOptOutsRefusesOtherUserTokens(t *testing.T) {
	text := strings.Replace(string(configs.Policy),
		"  optouts:\n    dataset: optouts_clean\n    fields:\n      user_id: {action: tokenize_reversible, to: user_token}",
		"  optouts:\n    dataset: optouts_clean\n    fields:\n      user_id: {action: tokenize_oneway, to: user_token}", 1)
	f, err := policy.Parse([]byte(text), "test")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.land("optouts", map[string]string{"optouts.jsonl": optout("u1", "2026-11-19T08:00:00Z", "") + "\n"})
	if err := e.run(OptOuts{Policy: f}); err == nil || !strings.Contains(err.Error(), "treats user_id as \"tokenize_oneway") {
		t.Fatalf("run under a policy with other tokens: %v", err)
	}
}

// TestOptOutsOnGeneratedData runs events and optouts over three generated
// days: every request is accounted for, its token is the one events carry
// for the consumer, and the registry at the end of each day is the
// generator's truth.
func TestOptOutsOnGeneratedData(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), synth.Config{Out: dir, Start: day, Days: 3, Events: 60_000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Withdrawals == 0 {
		t.Fatal("the generated days hold no withdrawal; pick another seed")
	}
	e := newEnv(t)
	e.landing = filepath.Join(dir, "landing")
	truth := map[string]map[string]bool{} // dt -> user id -> opted out
	for _, line := range strings.Split(strings.TrimSpace(readText(t, filepath.Join(dir, "truth", "optouts.jsonl"))), "\n") {
		var tr struct {
			DT       string `json:"dt"`
			UserID   string `json:"user_id"`
			OptedOut bool   `json:"opted_out"`
		}
		if err := jsonUnmarshal([]byte(line), &tr); err != nil {
			t.Fatal(err)
		}
		if truth[tr.DT] == nil {
			truth[tr.DT] = map[string]bool{}
		}
		truth[tr.DT][tr.UserID] = tr.OptedOut
	}
	for d := range 3 {
		e.day = day.AddDate(0, 0, d)
		dt := e.day.Format(time.DateOnly)
		p := sinks.Partition{DT: dt}
		if err := e.run(Events{}); err != nil {
			t.Fatal(err)
		}
		if err := e.run(OptOuts{}); err != nil {
			t.Fatal(err)
		}
		st := e.stats(schemas.OptOutsClean, p)
		if want := int64(sum.PerDay[d].OptOuts); st.RecordsIn != want || st.RecordsOut != want || !st.Balanced() {
			t.Errorf("%s: %d requests landed; in %d, out %d, quarantined %d, duplicates %d", dt, want, st.RecordsIn, st.RecordsOut, st.QuarantinedTotal(), st.Duplicates)
		}
		users := map[string]bool{}
		for _, r := range e.rows(schemas.EventsClean, p) {
			users[r["user_token"]] = true
		}
		for _, r := range e.rows(schemas.OptOutsClean, p) {
			if !users[r["user_token"]] {
				t.Errorf("%s: an opt-out's user_token matches no events_clean user_token of the day", dt)
			}
		}
		reg := e.registry(dt)
		if len(reg) != len(truth[dt]) || len(reg) == 0 {
			t.Errorf("%s: registry of %d consumers, truth %d", dt, len(reg), len(truth[dt]))
		}
		for user, out := range truth[dt] {
			if x, ok := reg[e.userToken(user)]; !ok || x.OptedOut != out {
				t.Errorf("%s: registry says opted out %v (listed %v), truth %v", dt, x.OptedOut, ok, out)
			}
		}
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOptOutsDueWhenPreviousDayChanges: the runner re-runs a day when the
// previous day's registry appears or changes.
func TestOptOutsDueWhenPreviousDayChanges(t *testing.T) {
	e := newEnv(t)
	d1, d2 := day, day.AddDate(0, 0, 1)
	e.day = d2
	e.land("optouts", map[string]string{"optouts.jsonl": optout("u2", "2026-11-20T08:00:00Z", "") + "\n"})
	r := &pipeline.Runner{Env: &pipeline.Env{
		Landing: e.landing, Warehouse: e.wh, Mem: e.mem, Log: slog.New(slog.DiscardHandler),
		Keys: func(context.Context) (*keys.Set, error) { return e.set, nil },
	}, Stages: []pipeline.Stage{OptOuts{}}}
	ctx := context.Background()
	runDue := func(want ...pipeline.Outcome) {
		t.Helper()
		for i, dt := range []time.Time{d1, d2} {
			out, err := r.RunOne(ctx, OptOuts{}, dt, false)
			if err != nil || out != want[i] {
				t.Fatalf("%s: %s, %v; want %s", dt.Format(time.DateOnly), out, err, want[i])
			}
		}
	}
	runDue(pipeline.NotReady, pipeline.Ran) // day 2 is the start of history
	runDue(pipeline.NotReady, pipeline.UpToDate)
	e.day = d1
	e.land("optouts", map[string]string{"optouts.jsonl": optout("u1", "2026-11-19T08:00:00Z", "") + "\n"})
	runDue(pipeline.Ran, pipeline.Ran) // day 1 appeared: day 2 folds it in
	reg, err := consent.Load(ctx, e.wh, e.mem, "2026-11-20")
	if err != nil || !reg.OptedOut(e.userToken("u1")) || !reg.OptedOut(e.userToken("u2")) {
		t.Fatalf("day 2 after day 1 landed: %v", err)
	}
	runDue(pipeline.UpToDate, pipeline.UpToDate)
	e.land("optouts", map[string]string{"optouts.jsonl": optout("u1", "2026-11-19T08:00:00Z", "") + "\n" + optout("u1", "2026-11-19T09:00:00Z", "withdraw") + "\n"})
	runDue(pipeline.Ran, pipeline.Ran) // day 1 changed, so did its registry
	if reg, err = consent.Load(ctx, e.wh, e.mem, "2026-11-20"); err != nil || reg.OptedOut(e.userToken("u1")) || reg.Len() != 1 {
		t.Fatalf("day 2 after day 1 changed: %v", err)
	}
}

// TestOptOutsRefusesRegistryUnderOtherKeys: a previous registry made
// under other keys holds tokens today's requests cannot match; the day
// waits for it to be recomputed rather than splitting consumers in two.
func TestOptOutsRefusesRegistryUnderOtherKeys(t *testing.T) {
	e := newEnv(t)
	if err := e.optoutsOn(day, optout("u1", "2026-11-19T08:00:00Z", "")); err != nil {
		t.Fatal(err)
	}
	e.set = newEnv(t).set // as after a rotation: another primary key
	err := e.optoutsOn(day.AddDate(0, 0, 1), optout("u1", "2026-11-20T08:00:00Z", "withdraw"))
	if err == nil || !strings.Contains(err.Error(), "optout_registry/dt=2026-11-19 was tokenised under") {
		t.Fatalf("day 2 over a registry under other keys: %v", err)
	}
}
