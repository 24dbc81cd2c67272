package risklist

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"

	"github.com/veil-data/veil/internal/testwarehouse"
	"github.com/veil-data/veil/risk/appeals"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/decide"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/risk/rules"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// The appeals Must-show: an appeal against a blacklisted user is decided
// "lift" in the keyed, anchored decision log; the next risk-list run
// folds the lift in, and the user passes a decision afterwards; an edited
// log is then detected and the run that would read it fails.
func TestAppealLiftsEntry(t *testing.T) {
	wd := buildWorld(t, 2, 60_000, 7)
	wd.runList(t, Stage{}, "run-a")
	day2 := wd.days[1]
	l, _, _, err := blacklist.Latest(context.Background(), wd.w, wd.mem, day2)
	if err != nil {
		t.Fatal(err)
	}
	// A user entry in force at noon of the last day.
	at := day2.Add(12 * time.Hour)
	var target blacklist.Entry
	for _, e := range l.AsOf(at.UnixMilli()) {
		if e.Entity == features.User {
			target = e
			break
		}
	}
	if target.Token == "" {
		t.Fatal("the generator's world has no blacklisted user at noon of its last day")
	}

	// The user's appeal lands in appeals_clean in the morning.
	b := array.NewRecordBuilder(wd.mem, schemas.AppealsClean.Schema)
	b.Field(0).(*array.StringBuilder).Append("ap-test-1")
	b.Field(1).(*array.StringBuilder).Append(target.Token)
	b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(day2.Add(9 * time.Hour).UnixMilli()))
	b.Field(3).(*array.StringBuilder).Append("I did not do this")
	b.Field(4).(*array.Int32Builder).Append(0)
	rec := b.NewRecordBatch()
	b.Release()
	testwarehouse.Commit(t, wd.w, wd.mem, schemas.AppealsClean, sinks.Partition{DT: day2.Format(time.DateOnly)}, "appeals", rec)
	rec.Release()

	h, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	key, err := mac.New(h)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := appeals.Files{Log: filepath.Join(wd.w.Root, appeals.LogFile), Anchor: filepath.Join(dir, appeals.AnchorFile)}
	if _, err := appeals.InitAnchor(files.Anchor, key); err != nil {
		t.Fatal(err)
	}
	log, err := appeals.Open(files, key)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := appeals.Cases(context.Background(), wd.w, wd.mem, log, at.UnixMilli())
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases %v, %v", cases, err)
	}
	if _, err := log.DecideOn(cases, "ap-test-1", appeals.Lift, "alice", "card was stolen, owner confirmed", at); err != nil {
		t.Fatal(err)
	}

	// The stage reads the log as the CLI wires it: opened and verified on
	// every run.
	lifts := func(_ context.Context, asOf int64) ([]blacklist.Lift, error) {
		lg, err := appeals.Open(files, key)
		if err != nil {
			return nil, err
		}
		return lg.LiftsChecked(asOf)
	}
	s := Stage{Lifts: lifts}
	if err := s.Run(context.Background(), testwarehouse.Job(t, wd.w, wd.mem, s, day2, "run-lift")); err != nil {
		t.Fatal(err)
	}
	l2, _, _, err := blacklist.Latest(context.Background(), wd.w, wd.mem, day2)
	if err != nil {
		t.Fatal(err)
	}
	var lifted bool
	for _, e := range l2.Entries {
		if e.Version == target.Version {
			lifted = e.LiftedAt == at.UnixMilli() && e.LiftCase == "ap-test-1"
		}
	}
	if !lifted {
		t.Errorf("entry %d was not lifted by the appeal", target.Version)
	}
	// The user passes a decision after the lift (a clean event, so only
	// the blacklist could block it), and was blocked before it.
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := decide.New(rs, nil, l2, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := make(features.Row, len(features.Defs))
	for i := range row {
		row[i] = features.Null
	}
	ev := func(ts int64) decide.Decision {
		e := &features.Event{ID: "probe", TS: ts, Type: "login"}
		e.Keys[features.User] = target.Token
		dec, err := d.Decide(decide.Input{Event: e, Row: row})
		if err != nil {
			t.Fatal(err)
		}
		return dec
	}
	if dec := ev(at.UnixMilli() - 1000); dec.Action != rules.Block {
		t.Errorf("before the lift: %v %v, want block", dec.Action, dec.Reasons)
	}
	if dec := ev(at.UnixMilli() + 1000); dec.Action != rules.Allow {
		t.Errorf("after the lift: %v %v, want allow", dec.Action, dec.Reasons)
	}

	// An edited decision log is detected: the next run fails.
	body, err := os.ReadFile(files.Log)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(body), "alice", "mallory", 1)
	if err := os.WriteFile(files.Log, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	err = s.Run(context.Background(), testwarehouse.Job(t, wd.w, wd.mem, s, day2, "run-tampered"))
	if !errors.Is(err, appeals.ErrTampered) {
		t.Errorf("a run over an edited log: %v, want %v", err, appeals.ErrTampered)
	}
}
