package decide

import (
	"math"
	"slices"
	"testing"

	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/model"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
)

const testRules = `
rules:
  - name: many_failed_logins
    version: 2
    expr: user_failed_logins_1h >= 3.0
    reason: FAILED_LOGINS
    severity: high
    action: block
    entity: device
  - name: scored_high
    version: 1
    expr: model_score >= 0.5
    reason: MODEL_HIGH_SCORE
    severity: medium
    action: review
    entity: user
`

func col(t *testing.T, name string) int {
	t.Helper()
	for i, d := range features.Defs {
		if d.Name == name {
			return i
		}
	}
	t.Fatalf("no feature %s", name)
	return -1
}

func event(ts int64) (*features.Event, features.Row) {
	e := &features.Event{ID: "e1", TS: ts, Type: "login_failed"}
	e.Keys[features.User], e.Keys[features.Device] = "u1", "d1"
	row := make(features.Row, len(features.Defs))
	for i := range row {
		row[i] = features.Null
	}
	return e, row
}

func TestRulesBlacklistAndLift(t *testing.T) {
	rs, err := rules.Parse([]byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := blacklist.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	bl := &blacklist.List{NextVersion: 1}
	d, err := New(rs, nil, bl, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, row := event(1_000_000)
	dec, err := d.Decide(Input{Event: e, Row: row})
	if err != nil || dec.Action != rules.Allow || len(dec.Reasons) != 0 || !math.IsNaN(dec.Score) {
		t.Fatalf("no signal: %+v, %v", dec, err)
	}
	row[col(t, "user_failed_logins_1h")] = 4
	dec, err = d.Decide(Input{Event: e, Row: row})
	if err != nil || dec.Action != rules.Block || !slices.Equal(dec.Reasons, []string{"FAILED_LOGINS"}) {
		t.Fatalf("failed logins: %+v, %v", dec, err)
	}
	flags := d.Flags(e, dec)
	if len(flags) != 1 || flags[0].Entity != features.Device || flags[0].Token != "d1" || !flags[0].Block ||
		flags[0].Source != "rule:many_failed_logins@v2" || flags[0].At != e.TS {
		t.Fatalf("flags %+v", flags)
	}
	if _, err := bl.Fold(pol, "test", flags, nil); err != nil {
		t.Fatal(err)
	}
	// A simultaneous event does not see the entry its twin admitted; a
	// later one is blocked by it, whatever its features.
	e2, row2 := event(e.TS)
	if dec, _ := d.Decide(Input{Event: e2, Row: row2}); dec.Action != rules.Allow {
		t.Errorf("simultaneous event: %+v", dec)
	}
	e3, row3 := event(e.TS + 1)
	dec, _ = d.Decide(Input{Event: e3, Row: row3})
	if dec.Action != rules.Block || !slices.Equal(dec.Reasons, []string{ReasonBlacklisted}) || len(dec.Blacklisted) != 1 {
		t.Errorf("after admission: %+v", dec)
	}
	// Lifted from its moment on.
	lift := blacklist.Lift{Entity: features.Device, Token: "d1", At: e.TS + 10, Case: "c1"}
	if _, err := bl.Fold(pol, "test", nil, []blacklist.Lift{lift}); err != nil {
		t.Fatal(err)
	}
	if dec, _ := d.Decide(Input{Event: e3, Row: row3}); dec.Action != rules.Block {
		t.Errorf("before the lift: %+v", dec)
	}
	e4, row4 := event(e.TS + 11)
	if dec, _ := d.Decide(Input{Event: e4, Row: row4}); dec.Action != rules.Allow {
		t.Errorf("after the lift: %+v", dec)
	}
}

func TestModelBinding(t *testing.T) {
	rs, err := rules.Parse([]byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"user_logins_1h", "type=purchase", "browser=Chrome", schemas.BlacklistedBefore}
	X := [][]float64{{0, 1, 2, 3, 4, 5, 6, 7}, {1, 0, 1, 0, 1, 0, 1, 1}, {0, 0, 1, 1, 0, 1, 1, 0}, {0, 0, 1, 0, 1, 1, 0, 1}}
	y := []bool{false, false, true, false, true, true, true, true}
	art, err := model.Train(names, X, y, model.PrepOptions{}, model.LogisticOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(rs, art, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, row := event(5)
	e.Type = "purchase"
	row[col(t, "user_logins_1h")] = 6
	dec, err := d.Decide(Input{Event: e, Row: row, Browser: "Chrome"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := art.ScoreRow([]float64{6, 1, 1, 0}) // no blacklist: not blacklisted
	if err != nil {
		t.Fatal(err)
	}
	if dec.Score != want {
		t.Errorf("score %v, want %v", dec.Score, want)
	}
	if (want >= 0.5) != slices.Contains(dec.Reasons, "MODEL_HIGH_SCORE") {
		t.Errorf("score %v, reasons %v", want, dec.Reasons)
	}
	art.Features = append(art.Features, "country=CN")
	if _, err := New(rs, art, nil, nil); err == nil {
		t.Error("a model input that is neither a feature nor a key column was bound")
	}
}
