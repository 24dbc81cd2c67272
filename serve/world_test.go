package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/anonymize"
	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/pipeline"
	"github.com/veil-data/veil/risk"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/risklist"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/serve"
	"github.com/veil-data/veil/sinks"
	"github.com/veil-data/veil/synth"
)

// world is a generated landing zone run through ingest and risk.
type world struct {
	dir string
	wh  *sinks.Warehouse
	mem memory.Allocator
	set *keys.Set
	tok *anonymize.Tokenizer
	// logs collects the servers' logs; read it once they are done.
	logs bytes.Buffer
}

// newWorld generates days of events (perDay lines each, no chats) and
// runs ingest and the risk stage on each day, as the runner would.
// Labels are not ingested: the service has no label feed, and the
// equivalence holds for what both sides see.
func newWorld(t testing.TB, days, perDay int) *world {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Days: days, Events: days * perDay, Seed: 11, ChatRatio: -1}); err != nil {
		t.Fatal(err)
	}
	kek, err := keys.InitKEK(filepath.Join(dir, "keys", "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.Init(context.Background(), filepath.Join(dir, "keys"), kek); err != nil {
		t.Fatal(err)
	}
	set, err := keys.Open(context.Background(), filepath.Join(dir, "keys"), kek)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := sinks.Open(filepath.Join(dir, "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := anonymize.NewTokenizer(set)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{dir: dir, wh: wh, mem: memory.DefaultAllocator, set: set, tok: tok}
	for d := range days {
		day := synth.DefaultStart.AddDate(0, 0, d)
		for _, st := range []pipeline.Stage{ingest.Events{}, risk.Stage{}, risklist.Stage{}} {
			job := &pipeline.Job{
				Env: &pipeline.Env{Landing: filepath.Join(dir, "landing"), Warehouse: wh, Mem: w.mem, Log: slog.New(slog.DiscardHandler),
					Keys: func(context.Context) (*keys.Set, error) { return set, nil }},
				Stage: st.Name(), Date: day, RunID: pipeline.NewRunID(time.Now()),
			}
			if err := st.Run(context.Background(), job); err != nil {
				t.Fatalf("%s %s: %v", st.Name(), day.Format(time.DateOnly), err)
			}
		}
	}
	return w
}

func dayOf(d int) string { return synth.DefaultStart.AddDate(0, 0, d).Format(time.DateOnly) }

// landingLines returns the day's raw event lines in file order.
func (w *world) landingLines(t *testing.T, day string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(w.dir, "landing", "events", "dt="+day, "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("landing events of %s: %d files, %v", day, len(files), err)
	}
	slices.Sort(files)
	var out []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			out = append(out, sc.Text())
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// lineKey is what the test reads of a raw line to order and match it; a
// line it cannot read is not posted.
func lineKey(line string) (id string, ts int64, ok bool) {
	var l struct {
		EventID string `json:"event_id"`
		TS      string `json:"ts"`
	}
	if json.Unmarshal([]byte(line), &l) != nil {
		return "", 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, l.TS)
	if err != nil {
		return "", 0, false
	}
	return l.EventID, t.UnixMilli(), true
}

// cleanRow is an events_clean row as the risk stage reads it.
type cleanRow struct {
	ev              features.Event
	source, browser string
}

// cleanEvents reads events_clean/day by event id.
func (w *world) cleanEvents(t *testing.T, day string) map[string]cleanRow {
	t.Helper()
	out := map[string]cleanRow{}
	cols := []string{"event_id", "ts", "type", "user_token", "device_token", "ip_token", "ip_prefix", "card_token", "live_session_id", "amount", "signup_ts", "source", "browser"}
	err := w.wh.Scan(context.Background(), w.mem, schemas.EventsClean, sinks.Partition{DT: day}, func(rec arrow.RecordBatch) error {
		col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
		str := func(name string, j int) string {
			a := col(name).(*array.String)
			if a.IsNull(j) {
				return ""
			}
			return a.Value(j)
		}
		for j := range int(rec.NumRows()) {
			e := features.Event{ID: str("event_id", j), TS: int64(col("ts").(*array.Timestamp).Value(j)), Type: str("type", j), Live: str("live_session_id", j)}
			for k := range features.NEntities {
				e.Keys[k] = str(cols[3+int(k)], j)
			}
			if a := col("amount").(*array.Float64); a.IsValid(j) {
				e.Amount4, e.HasAmount = risk.Amount4(a.Value(j)), true
			}
			if s := col("signup_ts").(*array.Timestamp); s.IsValid(j) {
				e.Signup = int64(s.Value(j))
			}
			out[e.ID] = cleanRow{ev: e, source: str("source", j), browser: str("browser", j)}
		}
		return nil
	}, cols...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// batchDecision is a risk_decisions row: the batch stage's decision.
type batchDecision struct {
	action  string
	reasons []string
}

// batchDecisions reads risk_decisions/day by event id.
func (w *world) batchDecisions(t *testing.T, day string) map[string]batchDecision {
	t.Helper()
	out := map[string]batchDecision{}
	err := w.wh.Scan(context.Background(), w.mem, schemas.RiskDecisions, sinks.Partition{DT: day}, func(rec arrow.RecordBatch) error {
		col := func(n string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(n)[0]) }
		ids, acts, rs := col("event_id").(*array.String), col("action").(*array.String), col("reasons").(*array.List)
		vals, offs := rs.ListValues().(*array.String), rs.Offsets()
		for j := range int(rec.NumRows()) {
			bd := batchDecision{action: acts.Value(j), reasons: []string{}}
			for k := offs[j]; k < offs[j+1]; k++ {
				bd.reasons = append(bd.reasons, vals.Value(int(k)))
			}
			out[ids.Value(j)] = bd
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// enforced is the real decider over the blacklist as of the end of day,
// with the enforcement that moves it as the batch risk list does.
func (w *world) enforced(t testing.TB, day string) (*decide.Decider, *serve.Enforcement) {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	pol, err := blacklist.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	dt, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	bl, _, _, err := blacklist.Latest(context.Background(), w.wh, w.mem, dt)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decide.New(rs, nil, bl, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d, &serve.Enforcement{List: bl, Policy: pol, Flags: d.Flags}
}

// batchFeatures reads risk_features/day by event id.
func (w *world) batchFeatures(t *testing.T, day string) map[string]features.Row {
	t.Helper()
	out := map[string]features.Row{}
	err := risk.ReadFeatures(context.Background(), w.wh, w.mem, sinks.Partition{DT: day}, func(fr *risk.FeatureRow) error {
		out[strings.Clone(fr.Event.ID)] = slices.Clone(fr.Row)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// testDecider decides from a few features, so the test can tell a
// decision made on one row from one made on another while the rules file
// is not there yet.
type testDecider struct{}

func (testDecider) Decide(in decide.Input) (decide.Decision, error) {
	d := decide.Decision{Score: features.Null}
	r := in.Row
	if v := r[features.FAmount]; !features.IsNull(v) && v > 300 {
		d.Action = rules.Block
		d.Reasons = append(d.Reasons, "BIG_AMOUNT")
		d.Hits = append(d.Hits, rules.Hit{Name: "big_amount", Version: 1, Reason: "BIG_AMOUNT", Severity: rules.High, Action: rules.Block, Entity: features.User})
	}
	if v := r[features.FClusterSize]; v >= 3 {
		d.Action = max(d.Action, rules.Review)
		d.Reasons = append(d.Reasons, "LINKED_CLUSTER")
	}
	if v := r[features.FCount[features.User][features.FailedLogins][features.W1h]]; v >= 2 {
		d.Action = max(d.Action, rules.Review)
		d.Reasons = append(d.Reasons, "FAILED_LOGINS")
	}
	slices.Sort(d.Reasons)
	return d, nil
}

// decider is the real one over the embedded rules, with no blacklist.
func decider(t testing.TB) *decide.Decider {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := decide.New(rs, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
