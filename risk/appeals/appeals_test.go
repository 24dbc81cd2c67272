package appeals

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
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func newKey(t testing.TB) tink.MAC {
	t.Helper()
	h, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mac.New(h)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newLog makes an anchored, empty log in a temporary folder.
func newLog(t testing.TB) (Files, tink.MAC) {
	t.Helper()
	dir := t.TempDir()
	files := Files{Log: filepath.Join(dir, "warehouse", LogFile), Anchor: filepath.Join(dir, AnchorFile)}
	key := newKey(t)
	if made, err := InitAnchor(files.Anchor, key); err != nil || !made {
		t.Fatal(made, err)
	}
	return files, key
}

func open(t *testing.T, files Files, key tink.MAC) *Log {
	t.Helper()
	l, err := Open(files, key)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var testCases = []Case{
	{ID: "ap-1", UserToken: "r_one", OpenedAt: t0.Add(-48 * time.Hour).UnixMilli()},
	{ID: "ap-2", UserToken: "r_two", OpenedAt: t0.Add(-24 * time.Hour).UnixMilli()},
	{ID: "ap-3", UserToken: "r_three", OpenedAt: t0.Add(-time.Hour).UnixMilli()},
}

// decideAll records three decisions: lift, uphold, lift.
func decideAll(t *testing.T, l *Log) {
	t.Helper()
	for i, d := range []string{Lift, Uphold, Lift} {
		if _, err := l.DecideOn(testCases, testCases[i].ID, d, "alice", "reviewed", t0.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDecideAndLifts: decisions are appended, verify after a reopen, and
// lifts come out as blacklist lifts of the appellant's token from the
// moment of the decision; unknown cases, second decisions and bad
// decisions are refused.
func TestDecideAndLifts(t *testing.T) {
	files, key := newLog(t)
	l := open(t, files, key)
	if err := l.Verify(); err != nil {
		t.Fatalf("empty log: %v", err)
	}
	decideAll(t, l)
	if _, err := l.DecideOn(testCases, "ap-9", Lift, "alice", "why", t0); err == nil || !strings.Contains(err.Error(), "no case") {
		t.Errorf("unknown case: %v", err)
	}
	if _, err := l.DecideOn(testCases, "ap-1", Uphold, "bob", "changed my mind", t0.Add(5*time.Hour)); err == nil || !strings.Contains(err.Error(), "decided already") {
		t.Errorf("second decision: %v", err)
	}
	if _, err := l.Decide(testCases[0], "maybe", "bob", "why", t0); err == nil {
		t.Error("unknown decision accepted")
	}
	if _, err := l.Decide(testCases[0], Lift, "bob", "", t0); err == nil {
		t.Error("decision without a reason accepted")
	}

	l = open(t, files, key)
	if err := l.Verify(); err != nil {
		t.Fatal(err)
	}
	es, _ := l.Entries()
	if len(es) != 3 || es[1].Decision != Uphold || es[2].By != "alice" || es[2].Seq != 3 {
		t.Fatalf("entries %+v", es)
	}
	lifts := l.Lifts(t0.Add(2*time.Hour + time.Millisecond).UnixMilli())
	if len(lifts) != 2 || lifts[0].Case != "ap-1" || lifts[0].Token != "r_one" || lifts[0].Entity != features.User ||
		lifts[0].At != t0.UnixMilli() || lifts[1].Case != "ap-3" {
		t.Errorf("lifts %+v", lifts)
	}
	if lifts := l.Lifts(t0.Add(2 * time.Hour).UnixMilli()); len(lifts) != 1 {
		t.Errorf("lifts before the second lift was made: %+v", lifts)
	}
	if lifts := l.Lifts(t0.UnixMilli()); len(lifts) != 0 {
		t.Errorf("lifts at the moment of the first: %+v", lifts)
	}
	// Another key does not verify the log.
	if err := open(t, files, newKey(t)).Verify(); !errors.Is(err, ErrTampered) {
		t.Errorf("another key: %v", err)
	}
}

// TestTamperDetected: an edited entry, a deleted last entry, a truncated
// or wiped log, an old anchor and a missing anchor all fail verification,
// naming the entry where they can; a tampered log takes no decision and
// yields no lifts.
func TestTamperDetected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, files Files, oldAnchor []byte)
		line   int
		seq    uint64
		want   string
	}{
		{"edited reason", func(t *testing.T, f Files, _ []byte) {
			rewrite(t, f.Log, func(s string) string { return strings.Replace(s, `"reason":"reviewed"`, `"reason":"reviewed!"`, 1) })
		}, 1, 1, "MAC does not verify"},
		{"edited decision", func(t *testing.T, f Files, _ []byte) {
			rewrite(t, f.Log, func(s string) string { return strings.Replace(s, `"decision":"uphold"`, `"decision":"lift"`, 1) })
		}, 2, 2, "MAC does not verify"},
		{"deleted last entry", func(t *testing.T, f Files, _ []byte) {
			rewrite(t, f.Log, func(s string) string {
				lines := strings.SplitAfter(s, "\n")
				return strings.Join(lines[:2], "")
			})
		}, 0, 3, "cut from the end"},
		{"deleted middle entry", func(t *testing.T, f Files, _ []byte) {
			rewrite(t, f.Log, func(s string) string {
				lines := strings.SplitAfter(s, "\n")
				return lines[0] + lines[2]
			})
		}, 2, 2, "out of sequence"},
		{"truncated mid-line", func(t *testing.T, f Files, _ []byte) {
			rewrite(t, f.Log, func(s string) string { return s[:len(s)-40] })
		}, 3, 3, "incomplete"},
		{"last newline cut", func(t *testing.T, f Files, _ []byte) {
			rewrite(t, f.Log, func(s string) string { return s[:len(s)-1] })
		}, 3, 3, "incomplete"},
		{"wiped log", func(t *testing.T, f Files, _ []byte) { os.Remove(f.Log) }, 0, 1, "log is empty"},
		{"old anchor", func(t *testing.T, f Files, old []byte) { os.WriteFile(f.Anchor, old, 0o600) }, 0, 2, "added outside veil"},
		{"edited anchor", func(t *testing.T, f Files, _ []byte) {
			rewrite(t, f.Anchor, func(s string) string { return strings.Replace(s, `"seq":3`, `"seq":2`, 1) })
		}, 0, 0, "anchor"},
		{"missing anchor", func(t *testing.T, f Files, _ []byte) { os.Remove(f.Anchor) }, 0, 0, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, key := newLog(t)
			old, err := os.ReadFile(files.Anchor) // the anchor of the empty log
			if err != nil {
				t.Fatal(err)
			}
			l := open(t, files, key)
			if _, err := l.Decide(testCases[0], Lift, "alice", "reviewed", t0); err != nil {
				t.Fatal(err)
			}
			if old, err = os.ReadFile(files.Anchor); err != nil { // the anchor after one entry
				t.Fatal(err)
			}
			for i, d := range []string{Uphold, Lift} {
				if _, err := l.Decide(testCases[i+1], d, "alice", "reviewed", t0.Add(time.Duration(i+1)*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			tc.tamper(t, files, old)

			l = open(t, files, key)
			var ve *VerifyError
			if err := l.Verify(); !errors.As(err, &ve) || !errors.Is(err, ErrTampered) {
				t.Fatalf("verify: %v", err)
			}
			if ve.Line != tc.line || ve.Seq != tc.seq || !strings.Contains(ve.Reason, tc.want) {
				t.Errorf("verify: %v (line %d seq %d), want line %d seq %d %q", ve, ve.Line, ve.Seq, tc.line, tc.seq, tc.want)
			}
			if _, err := l.Decide(Case{ID: "ap-4", UserToken: "r_four"}, Lift, "mallory", "x", t0.Add(9*time.Hour)); !errors.Is(err, ErrTampered) {
				t.Errorf("decide on a tampered log: %v", err)
			}
			if lifts, err := l.LiftsChecked(t0.Add(24 * time.Hour).UnixMilli()); err == nil || len(lifts) != 0 || len(l.Lifts(t0.Add(24*time.Hour).UnixMilli())) != 0 {
				t.Errorf("lifts from a tampered log: %v %v", lifts, err)
			}
			if _, err := Cases(context.Background(), nil, memory.DefaultAllocator, l, t0.UnixMilli()); !errors.Is(err, ErrTampered) {
				t.Errorf("cases from a tampered log: %v", err)
			}
		})
	}
}

// TestTamperAfterOpen: an edit made after Open is caught by Decide, which
// verifies again under its lock.
func TestTamperAfterOpen(t *testing.T) {
	files, key := newLog(t)
	l := open(t, files, key)
	decideAll(t, l)
	rewrite(t, files.Log, func(s string) string { return strings.Replace(s, `"by":"alice"`, `"by":"bob"`, 1) })
	if _, err := l.Decide(Case{ID: "ap-4", UserToken: "r_four"}, Lift, "alice", "x", t0.Add(9*time.Hour)); !errors.Is(err, ErrTampered) {
		t.Fatalf("decide after an edit: %v", err)
	}
}

// TestAnchorLag: an append interrupted between its entry and its anchor
// leaves the anchor one entry behind; that verifies, and the next
// decision moves the anchor on.
func TestAnchorLag(t *testing.T) {
	files, key := newLog(t)
	l := open(t, files, key)
	if _, err := l.Decide(testCases[0], Lift, "alice", "r", t0); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(files.Anchor)
	if _, err := l.Decide(testCases[1], Uphold, "alice", "r", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(files.Anchor, old, 0o600)
	l = open(t, files, key)
	if err := l.Verify(); err != nil {
		t.Fatalf("anchor one behind: %v", err)
	}
	if _, err := l.Decide(testCases[2], Lift, "alice", "r", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := open(t, files, key).Verify(); err != nil {
		t.Fatal(err)
	}
}

func rewrite(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCases: cases come from every appeals_clean partition up to asOf,
// the first filing of an appeal_id wins, decisions made before asOf are
// joined, and open cases past the limit are overdue.
func TestCases(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	wh, err := sinks.Open(filepath.Join(t.TempDir(), "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	writeDay(t, wh, mem, "2026-11-18", []Case{{ID: "ap-1", UserToken: "r_one", OpenedAt: t0.Add(-48 * time.Hour).UnixMilli(), Statement: "hacked"}})
	writeDay(t, wh, mem, "2026-11-19", []Case{
		{ID: "ap-2", UserToken: "r_two", OpenedAt: t0.Add(-24 * time.Hour).UnixMilli(), Statement: "not me"},
		{ID: "ap-1", UserToken: "r_one", OpenedAt: t0.Add(-23 * time.Hour).UnixMilli(), Statement: "again"},
	})
	writeDay(t, wh, mem, "2026-11-21", []Case{{ID: "ap-5", UserToken: "r_five", OpenedAt: t0.Add(24 * time.Hour).UnixMilli(), Statement: "later"}})

	files, key := newLog(t)
	l := open(t, files, key)
	cases, err := Cases(context.Background(), wh, mem, l, t0.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].ID != "ap-1" || cases[0].Statement != "hacked" || cases[1].ID != "ap-2" || !cases[1].Open() {
		t.Fatalf("cases %+v", cases)
	}
	if _, err := l.DecideOn(cases, "ap-1", Lift, "alice", "confirmed hijack", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DecideOn(cases, "ap-5", Lift, "alice", "not filed yet", t0.Add(time.Minute)); err == nil {
		t.Error("a decision on a case filed after asOf")
	}
	later := t0.Add(time.Hour).UnixMilli()
	cases, err = Cases(context.Background(), wh, mem, l, later)
	if err != nil {
		t.Fatal(err)
	}
	if c := cases[0]; c.Decision != Lift || c.DecidedBy != "alice" || c.Reason != "confirmed hijack" || c.DecidedAt != t0.Add(time.Minute).UnixMilli() {
		t.Errorf("decided case %+v", c)
	}
	if o := Overdue(cases, later, 1); len(o) != 1 || o[0].ID != "ap-2" {
		t.Errorf("overdue after 1 day: %+v", o)
	}
	if o := Overdue(cases, later, 2); len(o) != 0 {
		t.Errorf("overdue after 2 days: %+v", o)
	}
	if s := Summarize(cases, later, 1); s.Cases != 2 || s.Open != 1 || s.Lifted != 1 || s.Upheld != 0 || len(s.Overdue) != 1 || s.Overdue[0] != "ap-2" {
		t.Errorf("summary %+v", s)
	}
	// As of before the decision, the case is open again.
	cases, _ = Cases(context.Background(), wh, mem, l, t0.UnixMilli())
	if !cases[0].Open() {
		t.Errorf("case decided in the future: %+v", cases[0])
	}
}

func writeDay(t *testing.T, wh *sinks.Warehouse, mem memory.Allocator, dt string, cases []Case) {
	t.Helper()
	pw, err := wh.Begin(schemas.AppealsClean, sinks.Partition{DT: dt}, "appeals", "test-run")
	if err != nil {
		t.Fatal(err)
	}
	w, err := pw.Parquet(mem)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, schemas.AppealsClean.Schema)
	defer b.Release()
	for _, c := range cases {
		b.Field(0).(*array.StringBuilder).Append(c.ID)
		b.Field(1).(*array.StringBuilder).Append(c.UserToken)
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(c.OpenedAt))
		b.Field(3).(*array.StringBuilder).Append(c.Statement)
		b.Field(4).(*array.Int32Builder).Append(0)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Commit(sinks.CommitInfo{}); err != nil {
		t.Fatal(err)
	}
}

func TestRedactReason(t *testing.T) {
	out, n := RedactReason("called the user on +86 138 1234 5678, confirmed the hijack")
	if n != 1 || strings.Contains(out, "138") || !strings.Contains(out, "confirmed the hijack") {
		t.Errorf("%q, %d", out, n)
	}
}
