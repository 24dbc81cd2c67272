package risklist

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// checksums are the file checksums of the partitions a stage committed.
func (wd *world) checksums(t *testing.T, ds ...schemas.Dataset) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range ds {
		for _, day := range wd.days {
			p := sinks.Partition{DT: day.Format(time.DateOnly)}
			m, err := wd.w.Manifest(d, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Files {
				out[d.Name+"/"+p.DT+"/"+f.Name] = f.SHA256
			}
		}
	}
	return out
}

func TestStageDeterministicAndBalanced(t *testing.T) {
	wd := buildWorld(t, 3, 20_000, 5)
	wd.runList(t, Stage{}, "run-a")
	first := wd.checksums(t, schemas.RiskDecisions, schemas.RiskList, schemas.Blacklist)
	for _, day := range wd.days {
		p := sinks.Partition{DT: day.Format(time.DateOnly)}
		fm, err := wd.w.Manifest(schemas.RiskFeatures, p)
		if err != nil {
			t.Fatal(err)
		}
		dm, err := wd.w.Manifest(schemas.RiskDecisions, p)
		if err != nil {
			t.Fatal(err)
		}
		if fm.Rows != dm.Rows {
			t.Errorf("%s: %d risk_features rows, %d decisions", p.DT, fm.Rows, dm.Rows)
		}
	}
	// Deciding again, in a later run with the later days' blacklist on
	// disk, gives the same files: a day reads only the blacklist before it.
	wd.runList(t, Stage{}, "run-b")
	if again := wd.checksums(t, schemas.RiskDecisions, schemas.RiskList, schemas.Blacklist); !mapsEqual(first, again) {
		t.Errorf("a re-run wrote different files:\nfirst %v\nagain %v", first, again)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A lift ends the entity's entries from its moment, and the flags of
// events before it do not bring the entity back.
func TestLiftTakesEffect(t *testing.T) {
	wd := buildWorld(t, 2, 20_000, 5)
	wd.runList(t, Stage{}, "run-a")
	last := wd.days[len(wd.days)-1]
	l, _, ok, err := blacklist.Latest(context.Background(), wd.w, wd.mem, last)
	if err != nil || !ok {
		t.Fatalf("no blacklist: %v", err)
	}
	end := last.Add(24*time.Hour - time.Millisecond).UnixMilli()
	inForce := l.AsOf(end)
	if len(inForce) == 0 {
		t.Skip("the generator's days admitted nothing to the blacklist")
	}
	// Lift every entry in force on the last day, at the start of that day
	// plus one second: events after it must not be blocked by them.
	at := last.UnixMilli() + 1000
	var lifts []blacklist.Lift
	for _, e := range l.AsOf(at) {
		lifts = append(lifts, blacklist.Lift{Entity: e.Entity, Token: e.Token, At: at, Case: "case-" + e.Token})
	}
	if len(lifts) == 0 {
		t.Skip("nothing in force at the start of the last day")
	}
	s := Stage{Lifts: func(context.Context, int64) ([]blacklist.Lift, error) { return lifts, nil }}
	if err := s.Run(context.Background(), testwarehouse.Job(t, wd.w, wd.mem, s, last, "run-lift")); err != nil {
		t.Fatal(err)
	}
	l2, _, _, err := blacklist.Latest(context.Background(), wd.w, wd.mem, last)
	if err != nil {
		t.Fatal(err)
	}
	for _, lf := range lifts {
		if e, ok := l2.Lookup(lf.Entity, lf.Token, at+1); ok && e.AddedAt <= at {
			t.Errorf("%v %s: entry of version %d still in force after its lift", lf.Entity, lf.Token, e.Version)
		}
	}
	lifted := 0
	for _, e := range l2.Entries {
		if e.LiftedAt == at && slices.ContainsFunc(lifts, func(x blacklist.Lift) bool { return x.Token == e.Token }) {
			lifted++
		}
	}
	if lifted == 0 {
		t.Errorf("no entry records the lift")
	}
}

// The review's day row accounts for every decision: events are the
// decisions read, reviewed and blocked the decisions that were, and the
// false-positive rate is over users without a fraud label.
func TestReviewAccounts(t *testing.T) {
	wd := buildWorld(t, 2, 20_000, 7)
	wd.runList(t, Stage{}, "run-a")
	for _, day := range wd.days {
		r := Review{}
		if err := r.Run(context.Background(), testwarehouse.Job(t, wd.w, wd.mem, r, day, "run-review")); err != nil {
			t.Fatal(err)
		}
		p := sinks.Partition{DT: day.Format(time.DateOnly)}
		m, err := wd.w.Manifest(schemas.RiskReview, p)
		if err != nil {
			t.Fatal(err)
		}
		var st ReviewStats
		if err := json.Unmarshal(m.Stats, &st); err != nil {
			t.Fatal(err)
		}
		dm, err := wd.w.Manifest(schemas.RiskDecisions, p)
		if err != nil {
			t.Fatal(err)
		}
		var ds Stats
		if err := json.Unmarshal(dm.Stats, &ds); err != nil {
			t.Fatal(err)
		}
		if st.Day.Events != dm.Rows || st.RecordsIn != dm.Rows {
			t.Errorf("%s: review read %d events, %d decisions", p.DT, st.Day.Events, dm.Rows)
		}
		if st.Day.Reviewed != ds.Actions["review"] || st.Day.Blocked != ds.Actions["block"] {
			t.Errorf("%s: review %d reviewed, %d blocked; decisions %v", p.DT, st.Day.Reviewed, st.Day.Blocked, ds.Actions)
		}
		if st.Day.FPR == nil || *st.Day.FPR < 0 || *st.Day.FPR > 1 || st.Day.Flagged < st.Day.FlaggedFraud {
			t.Errorf("%s: day row %+v", p.DT, st.Day)
		}
	}
}

// A rule change, a policy change or a new current model makes the risk
// list due: each changes the stage's config fingerprint.
func TestConfigFingerprint(t *testing.T) {
	parse := func(thr string) *rules.Set {
		s, err := rules.Parse([]byte(`
rules:
  - name: r
    version: 1
    expr: user_failed_logins_1h >= ` + thr + `
    reason: R
    severity: high
    action: block
    entity: user
`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pol := func(days string) *blacklist.Policy {
		p, err := blacklist.ParsePolicy([]byte("admission:\n  block_severity: high\n  reviews: 2\n  review_window: 7d\nexpiry:\n  default: " + days + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := Stage{Rules: parse("3.0"), Policy: pol("30d")}
	if base.ConfigFingerprint() != (Stage{Rules: parse("3.0"), Policy: pol("30d")}).ConfigFingerprint() {
		t.Fatal("the same configuration fingerprints differently")
	}
	if base.ConfigFingerprint() == (Stage{Rules: parse("4.0"), Policy: pol("30d")}).ConfigFingerprint() {
		t.Error("a changed rule leaves the fingerprint as it was")
	}
	if base.ConfigFingerprint() == (Stage{Rules: parse("3.0"), Policy: pol("60d")}).ConfigFingerprint() {
		t.Error("a changed policy leaves the fingerprint as it was")
	}
}
