package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

// blacklistWarehouse commits blacklist/dt=2026-11-01 and dt=2026-11-03:
// tok-u1 (user) blocked on the 1st, tok-u2 blocked on the 1st and lifted
// on the 3rd at noon, tok-c1 (card) blocked on the 3rd at 10:00.
func blacklistWarehouse(t *testing.T) (dir string, wh *sinks.Warehouse) {
	t.Helper()
	dir = t.TempDir()
	wh, err := sinks.Open(filepath.Join(dir, "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	pol, err := blacklist.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	d1 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	hour := int64(time.Hour / time.Millisecond)
	flag := func(e features.Entity, tok, ev string, at int64) blacklist.Flag {
		return blacklist.Flag{Entity: e, Token: tok, Reason: "CARD_TESTING", Severity: 4, Block: true, Source: "rule:card_testing@v1", EventID: ev, At: at}
	}
	var l blacklist.List
	commit := func(dt string, flags []blacklist.Flag, lifts []blacklist.Lift) {
		if _, err := l.Fold(pol, "run-"+dt, flags, lifts); err != nil {
			t.Fatal(err)
		}
		pw, err := wh.Begin(schemas.Blacklist, sinks.Partition{DT: dt}, "risk", "run-"+dt)
		if err != nil {
			t.Fatal(err)
		}
		defer pw.Abort()
		if err := l.Write(context.Background(), pw, memory.DefaultAllocator); err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Commit(sinks.CommitInfo{}); err != nil {
			t.Fatal(err)
		}
	}
	commit("2026-11-01", []blacklist.Flag{flag(features.User, "tok-u1", "e1", d1+hour), flag(features.User, "tok-u2", "e2", d1+2*hour)}, nil)
	commit("2026-11-03", []blacklist.Flag{flag(features.Card, "tok-c1", "e3", d1+2*24*hour+10*hour)},
		[]blacklist.Lift{{Entity: features.User, Token: "tok-u2", At: d1 + 2*24*hour + 12*hour, Case: "appeal-7"}})
	return dir, wh
}

func showArgs(dir string, more ...string) []string {
	return append([]string{"blacklist", "show", "--warehouse", filepath.Join(dir, "warehouse"),
		"--landing", filepath.Join(dir, "landing"), "--keys", filepath.Join(dir, "keys")}, more...)
}

func TestBlacklistShowAsOf(t *testing.T) {
	dir, _ := blacklistWarehouse(t)
	for _, c := range []struct {
		asOf        string
		want, never []string
	}{
		{"2026-10-31", []string{"no blacklist partition on or before 2026-10-31", "0 entries in force"}, []string{"tok-"}},
		{"2026-11-01T00:59:59Z", []string{"0 entries"}, []string{"tok-u1"}},
		{"2026-11-01T01:00:00Z", []string{"1 entry in force", "tok-u1", "critical", "rule:card_testing@v1", "run-2026-11-01"}, []string{"tok-u2"}},
		{"2026-11-02", []string{"from blacklist/dt=2026-11-01 (list version 2)", "version 2\n", "tok-u1", "tok-u2"}, []string{"tok-c1"}},
		{"2026-11-03T11:00:00Z", []string{"from blacklist/dt=2026-11-03 (list version 4)", ": version 3\n", "tok-u1", "tok-u2", "tok-c1"}, nil},
		{"2026-11-03", []string{": version 4\n", "tok-u1", "tok-c1"}, []string{"tok-u2"}},
	} {
		code, out, errs := run(t, showArgs(dir, "--as-of", c.asOf)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.asOf, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("--as-of %s: output lacks %q:\n%s", c.asOf, w, out)
			}
		}
		for _, n := range c.never {
			if strings.Contains(out, n) {
				t.Errorf("--as-of %s: output has %q:\n%s", c.asOf, n, out)
			}
		}
	}
}

func TestBlacklistShowJSONEntityHistory(t *testing.T) {
	dir, _ := blacklistWarehouse(t)
	code, out, errs := run(t, showArgs(dir, "--as-of", "2026-11-03", "--entity", "user", "--json", "--history")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Partition string `json:"partition"`
		Version   int64  `json:"version"`
		Entries   []struct {
			Version int64  `json:"version"`
			Token   string `json:"token"`
			Added   string `json:"added_at"`
		} `json:"entries"`
		History []blacklist.Change `json:"history"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Partition != "blacklist/dt=2026-11-03" || got.Version != 4 || len(got.Entries) != 1 || got.Entries[0].Token != "tok-u1" || got.Entries[0].Added != "2026-11-01T01:00:00Z" {
		t.Errorf("json: %+v", got)
	}
	// user changes only: two adds and the lift, not the card's add.
	if len(got.History) != 3 || got.History[2].Kind != "lift" || got.History[2].Case != "appeal-7" || got.History[2].Ended != 1 {
		t.Errorf("history: %+v", got.History)
	}
	code, out, _ = run(t, showArgs(dir, "--as-of", "2026-11-03", "--history")...)
	if code != 0 || !strings.Contains(out, "appeal appeal-7, ended 1 entry") || !strings.Contains(out, "history: 4 change(s)") {
		t.Errorf("text history:\n%s", out)
	}
}

func TestBlacklistShowBadFlags(t *testing.T) {
	dir, _ := blacklistWarehouse(t)
	for _, args := range [][]string{{"--as-of", "yesterday"}, {"--entity", "ip24"}, {"--entity", "merchant"}} {
		if code, _, errs := run(t, showArgs(dir, args...)...); code == 0 || !strings.Contains(errs, args[0]) {
			t.Errorf("%v: exit %d, %s", args, code, errs)
		}
	}
}

// TestBlacklistAsOfFoldsLaterLifts: a lift decided after the newest
// partition is folded in up to the moment asked, not beyond it.
func TestBlacklistAsOfFoldsLaterLifts(t *testing.T) {
	_, wh := blacklistWarehouse(t)
	pol, _ := blacklist.DefaultPolicy()
	lift := blacklist.Lift{Entity: features.User, Token: "tok-u1", At: time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC).UnixMilli(), Case: "appeal-9"}
	for _, c := range []struct {
		at     time.Time
		listed bool
		folded int
	}{
		{time.Date(2026, 11, 5, 8, 59, 0, 0, time.UTC), true, 0},
		{time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC), false, 1},
	} {
		v, err := blacklistAsOf(context.Background(), wh, memory.DefaultAllocator, pol, c.at, []blacklist.Lift{lift})
		if err != nil {
			t.Fatal(err)
		}
		_, listed := v.list.Lookup(features.User, "tok-u1", c.at.UnixMilli())
		if listed != c.listed || v.lifts.LiftsApplied != c.folded || v.part.DT != "2026-11-03" {
			t.Errorf("at %s: listed %v, lifts folded %d, partition %s", c.at, listed, v.lifts.LiftsApplied, v.part.DT)
		}
	}
}

func TestParseAsOf(t *testing.T) {
	now := time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                          now,
		"2026-11-20":                time.Date(2026, 11, 20, 23, 59, 59, int(999*time.Millisecond), time.UTC),
		"2026-11-20T08:00:00+08:00": time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := parseAsOf(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
}
