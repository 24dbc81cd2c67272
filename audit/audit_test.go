package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/veil-data/veil/audit/chain"
)

var t0 = time.Date(2026, 11, 20, 9, 14, 3, 123456789, time.FixedZone("CST", 8*3600))

func entry(i int) Entry {
	return Entry{
		Time:    t0.Add(time.Duration(i) * time.Minute),
		Actor:   "alice",
		Action:  ActionReidentify,
		Field:   "user_id",
		Token:   fmt.Sprintf("r_token%d", i),
		Reason:  fmt.Sprintf("appeal #%d <urgent> & \"quoted\"", i),
		Outcome: OutcomeRevealed,
	}
}

// newKey returns a fresh HMAC-SHA256 Tink MAC, as keys.OpenAuditKey would.
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

// emptyLog returns a log with its anchor made, as veil keys init leaves
// it, and no entries.
func emptyLog(t testing.TB) Log {
	t.Helper()
	root := t.TempDir()
	l := Log{Path: filepath.Join(root, "audit", "reidentify.jsonl"), Anchor: filepath.Join(root, "keys", AnchorFile), Key: newKey(t)}
	os.MkdirAll(filepath.Dir(l.Anchor), 0o700)
	if created, err := InitAnchor(l.Anchor, l.Key); err != nil || !created {
		t.Fatalf("InitAnchor: %v, %v", created, err)
	}
	return l
}

// newLog appends n entries to a fresh log.
func newLog(t testing.TB, n int) Log {
	t.Helper()
	l := emptyLog(t)
	for i := 1; i <= n; i++ {
		if _, err := l.Append(context.Background(), entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(b), "\n")[:strings.Count(string(b), "\n")]
}

func write(t *testing.T, path string, ls []string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(ls, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAppendVerify(t *testing.T) {
	l := newLog(t, 5)
	res, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	entries, res2, err := l.Load()
	if err != nil || fmt.Sprint(res2) != fmt.Sprint(res) {
		t.Fatalf("Load: %v, %+v vs %+v", err, res2, res)
	}
	if res.Entries != 5 || len(entries) != 5 || res.Head != entries[4].MAC || res.AnchorSeq != 5 || res.Legacy != 0 || len(res.Keys) != 1 {
		t.Fatalf("Verify = %+v, %d entries", res, len(entries))
	}
	prev := genesis
	for i, e := range entries {
		want := entry(i + 1)
		if e.Seq != uint64(i+1) || e.Prev != prev || e.Reason != want.Reason || e.Token != want.Token || e.Key != res.Keys[0] ||
			e.Legacy() || !e.Time.Equal(want.Time.Truncate(time.Microsecond)) || e.Time.Location() != time.UTC {
			t.Errorf("entry %d = %+v", i+1, e)
		}
		prev = e.MAC
	}
	for _, p := range []string{l.Path, HeadPath(l.Path), l.Anchor} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, st.Mode(), err)
		}
	}
	if st, _ := os.Stat(filepath.Dir(l.Path)); st.Mode().Perm() != 0o700 {
		t.Errorf("log folder mode %04o, want 0700", st.Mode().Perm())
	}
}

// TestFormat pins the line format and MAC so that a verifier in another
// language can be written from the package doc.
func TestFormat(t *testing.T) {
	l := emptyLog(t)
	e := Entry{Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Actor: "bob", Action: "reidentify",
		Field: "user_id", Token: "r_abc", Reason: "a<b", Outcome: "refused: x"}
	got, err := l.Append(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"seq":1,"time":"2026-01-02T03:04:05.000006Z","actor":"bob","action":"reidentify","field":"user_id",`+
		`"token":"r_abc","reason":"a<b","outcome":"refused: x","prev":"%s","key":%d}`, genesis, got.Key)
	if err := chain.Check(l.Key, []byte(body), got.MAC, got.Key); err != nil {
		t.Fatalf("the MAC is not over the documented body: %v", err)
	}
	if len(got.MAC) != 74 || !strings.HasPrefix(got.MAC, fmt.Sprintf("01%08x", got.Key)) {
		t.Fatalf("mac %s: want 0x01, the key id, then 32 bytes", got.MAC)
	}
	b, _ := os.ReadFile(l.Path)
	if want := strings.TrimSuffix(body, "}") + `,"mac":"` + got.MAC + "\"}\n"; string(b) != want {
		t.Fatalf("line\n%s\nwant\n%s", b, want)
	}
	h, _ := os.ReadFile(HeadPath(l.Path))
	if want := `{"seq":1,"hash":"` + got.MAC + "\"}\n"; string(h) != want {
		t.Fatalf("head %s, want %s", h, want)
	}
	a, _ := os.ReadFile(l.Anchor)
	if want := fmt.Sprintf(`{"log":"%s","seq":1,"head":"%s","key":%d,"mac":"`, ChainName, got.MAC, got.Key); !strings.HasPrefix(string(a), want) {
		t.Fatalf("anchor %s, want %s...", a, want)
	}
}

// TestAppendRepairsLaggingHead: a crash between the entry and the head,
// or between the head and the anchor, leaves them one entry behind;
// Verify reports it, Append repairs it.
func TestAppendRepairsLaggingHead(t *testing.T) {
	l := newLog(t, 2)
	h2, _ := os.ReadFile(HeadPath(l.Path))
	a2, _ := os.ReadFile(l.Anchor)
	if _, err := l.Append(context.Background(), entry(3)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(HeadPath(l.Path), h2, 0o600)
	os.WriteFile(l.Anchor, a2, 0o600)
	if _, err := l.Verify(); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Verify with a lagging head = %v", err)
	}
	if _, err := l.Append(context.Background(), entry(4)); err != nil {
		t.Fatalf("Append after an interrupted append: %v", err)
	}
	if res, err := l.Verify(); err != nil || res.Entries != 4 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	// Only the anchor behind: the head was written, the anchor not.
	a4, _ := os.ReadFile(l.Anchor)
	if _, err := l.Append(context.Background(), entry(5)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(l.Anchor, a4, 0o600)
	if _, err := l.Verify(); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Verify with a lagging anchor = %v", err)
	}
	if _, err := l.Append(context.Background(), entry(6)); err != nil {
		t.Fatalf("Append after an interrupted append: %v", err)
	}

	// The same for the very first entry, written before any head and
	// while the anchor was that of an empty chain.
	first := emptyLog(t)
	a0, _ := os.ReadFile(first.Anchor)
	if _, err := first.Append(context.Background(), entry(1)); err != nil {
		t.Fatal(err)
	}
	os.Remove(HeadPath(first.Path))
	os.WriteFile(first.Anchor, a0, 0o600)
	if _, err := first.Append(context.Background(), entry(2)); err != nil {
		t.Fatalf("Append after an interrupted first append: %v", err)
	}
	if res, err := first.Verify(); err != nil || res.Entries != 2 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
}

// TestLegacyLog: a log of the first, unkeyed format verifies with its
// entries counted as legacy; the next append is keyed, chains to it, and
// from then on a rewrite of the unkeyed entries is caught.
func TestLegacyLog(t *testing.T) {
	l := emptyLog(t)
	os.MkdirAll(filepath.Dir(l.Path), 0o700)
	var ls []string
	h := genesis
	for i := 1; i <= 3; i++ {
		e := entry(i)
		e.Seq, e.Prev = uint64(i), h
		b := e.body()
		h, _ = hashOf(b)
		line, _ := marshal(record{body: b, Hash: h})
		ls = append(ls, string(line)+"\n")
	}
	write(t, l.Path, ls)
	writeHeadFile(t, l, 3, h)
	res, err := l.Verify()
	if err != nil || res.Entries != 3 || res.Legacy != 3 || res.Protected || res.AnchorSeq != 0 || len(res.Keys) != 0 {
		t.Fatalf("Verify of a legacy log = %+v, %v", res, err)
	}
	e, err := l.Append(context.Background(), entry(4))
	if err != nil || e.Seq != 4 || e.Prev != h || e.Legacy() {
		t.Fatalf("Append to a legacy log = %+v, %v", e, err)
	}
	res, err = l.Verify()
	if err != nil || res.Entries != 4 || res.Legacy != 3 || !res.Protected || res.AnchorSeq != 4 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	// The unkeyed entries rewritten with their hashes recomputed: the
	// keyed entry after them no longer chains.
	all := lines(t, l.Path)
	h = genesis
	for i := range 3 {
		all[i], h = unkeyed(t, strings.Replace(all[i], "alice", "mallory", 1), h)
	}
	write(t, l.Path, all)
	var ve *VerifyError
	if _, err := l.Verify(); !errors.As(err, &ve) || ve.Seq != 4 || !strings.Contains(err.Error(), "does not chain") {
		t.Fatalf("Verify of rewritten legacy entries = %v", err)
	}
}

// TestNoNewChainOverAnchor: reidentify's case. A log that is gone while
// its anchor records entries is refused, not restarted at seq 1; a new
// keys folder's anchor (seq 0) lets the first entry in.
func TestNoNewChainOverAnchor(t *testing.T) {
	l := newLog(t, 2)
	os.Remove(l.Path)
	os.Remove(HeadPath(l.Path))
	if _, err := l.Append(context.Background(), entry(3)); !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "refusing to start a new chain") {
		t.Fatalf("Append over a deleted log = %v", err)
	}
	if _, err := os.Stat(l.Path); !os.IsNotExist(err) {
		t.Fatalf("a refused append created the log: %v", err)
	}
	// Emptied rather than deleted: the same.
	os.WriteFile(l.Path, nil, 0o600)
	if _, err := l.Append(context.Background(), entry(3)); !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "wiped") {
		t.Fatalf("Append over an emptied log = %v", err)
	}
	fresh := emptyLog(t)
	if _, err := fresh.Verify(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Verify of a log not yet written = %v", err)
	}
	if e, err := fresh.Append(context.Background(), entry(1)); err != nil || e.Seq != 1 {
		t.Fatalf("first Append = %+v, %v", e, err)
	}
	// InitAnchor keeps an existing anchor.
	if created, err := InitAnchor(fresh.Anchor, fresh.Key); err != nil || created {
		t.Fatalf("InitAnchor over an anchor: %v, %v", created, err)
	}
	if res, err := fresh.Verify(); err != nil || res.Entries != 1 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
}

// TestRotatedKey: entries made under an older key of the keyset verify
// after a rotation, and new ones carry the new key id.
func TestRotatedKey(t *testing.T) {
	h, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := mac.New(h)
	l := emptyLog(t)
	os.Remove(l.Anchor)
	l.Key = m1
	InitAnchor(l.Anchor, m1)
	e1, err := l.Append(context.Background(), entry(1))
	if err != nil {
		t.Fatal(err)
	}
	mgr := keyset.NewManagerFromHandle(h)
	id, err := mgr.Add(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	mgr.SetPrimary(id)
	h2, _ := mgr.Handle()
	l.Key, _ = mac.New(h2)
	e2, err := l.Append(context.Background(), entry(2))
	if err != nil || e2.Key != id || e1.Key == id {
		t.Fatalf("Append after rotation: %+v, %v", e2, err)
	}
	if res, err := l.Verify(); err != nil || len(res.Keys) != 2 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	// Without the old key, the old entry fails.
	l.Key = newKey(t)
	if _, err := l.Verify(); !errors.Is(err, ErrTampered) {
		t.Fatalf("Verify under another keyset = %v", err)
	}
}

func TestAppendValidation(t *testing.T) {
	l := emptyLog(t)
	l.Path = filepath.Join(filepath.Dir(l.Path), "sub", "log.jsonl")
	for name, edit := range map[string]func(*Entry){
		"no reason":    func(e *Entry) { e.Reason = "  " },
		"no actor":     func(e *Entry) { e.Actor = "" },
		"no outcome":   func(e *Entry) { e.Outcome = "" },
		"no action":    func(e *Entry) { e.Action = "" },
		"invalid utf8": func(e *Entry) { e.Reason = "bad \xff" },
	} {
		e := entry(1)
		edit(&e)
		if _, err := l.Append(context.Background(), e); err == nil {
			t.Errorf("%s: Append succeeded", name)
		}
	}
	if _, err := os.Stat(filepath.Dir(l.Path)); !os.IsNotExist(err) {
		t.Error("a refused entry created the log folder")
	}
	for name, bad := range map[string]Log{"no key": {Path: l.Path, Anchor: l.Anchor}, "no anchor": {Path: l.Path, Key: l.Key}} {
		if _, err := bad.Append(context.Background(), entry(1)); err == nil {
			t.Errorf("%s: Append succeeded", name)
		}
		if _, err := bad.Verify(); err == nil {
			t.Errorf("%s: Verify succeeded", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Append(ctx, entry(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Append: %v", err)
	}
	if b, _ := os.ReadFile(l.Path); len(b) != 0 {
		t.Error("cancelled Append wrote an entry")
	}
}

func TestVerifyEmpty(t *testing.T) {
	l := emptyLog(t)
	os.MkdirAll(filepath.Dir(l.Path), 0o700)
	os.WriteFile(l.Path, nil, 0o600)
	if res, err := l.Verify(); err != nil || res.Entries != 0 || res.Head != genesis {
		t.Errorf("empty log: %+v, %v", res, err)
	}
}

func TestConcurrentAppends(t *testing.T) {
	l := emptyLog(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				if _, err := l.Append(context.Background(), entry(g*100+i)); err != nil {
					t.Error(err)
					return
				}
				if _, err := l.Verify(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if res, err := l.Verify(); err != nil || res.Entries != 32 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
}

func TestResolvePath(t *testing.T) {
	t.Setenv(EnvLog, "")
	if got, want := ResolvePath("", "demo/keys"), filepath.Join("demo", "audit", "reidentify.jsonl"); got != want {
		t.Errorf("default = %q, want %q", got, want)
	}
	if got, want := ResolvePath("", "/srv/veil/keys/"), "/srv/veil/audit/reidentify.jsonl"; got != want {
		t.Errorf("default = %q, want %q", got, want)
	}
	t.Setenv(EnvLog, "/env/log.jsonl")
	if got := ResolvePath("", "demo/keys"); got != "/env/log.jsonl" {
		t.Errorf("env = %q", got)
	}
	if got := ResolvePath("/flag.jsonl", "demo/keys"); got != "/flag.jsonl" {
		t.Errorf("flag = %q", got)
	}
	if got, want := AnchorPath("demo/keys"), filepath.Join("demo", "keys", AnchorFile); got != want {
		t.Errorf("anchor = %q, want %q", got, want)
	}
}

func jsonUnmarshal(line string, v any) error {
	return json.Unmarshal([]byte(strings.TrimSuffix(line, "\n")), v)
}

// FuzzVerify feeds arbitrary bytes as a log: Verify must not panic, and
// whatever it accepts must have exactly one entry per line.
func FuzzVerify(f *testing.F) {
	seed := newLog(f, 3)
	b, _ := os.ReadFile(seed.Path)
	f.Add(b)
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"seq":1}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := emptyLog(t)
		os.MkdirAll(filepath.Dir(l.Path), 0o700)
		os.WriteFile(l.Path, data, 0o600)
		res, err := l.Verify()
		if err == nil && res.Entries != strings.Count(string(data), "\n") {
			t.Fatalf("accepted %d entries from %d lines", res.Entries, strings.Count(string(data), "\n"))
		}
	})
}
