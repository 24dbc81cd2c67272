package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// newLog appends n entries to a fresh log and returns its path.
func newLog(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit", "reidentify.jsonl")
	for i := 1; i <= n; i++ {
		if _, err := Append(context.Background(), path, entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	return path
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
	path := newLog(t, 5)
	res, err := Verify(path)
	if err != nil {
		t.Fatal(err)
	}
	entries, res2, err := Load(path)
	if err != nil || res2 != res {
		t.Fatalf("Load: %v, %+v vs %+v", err, res2, res)
	}
	if res.Entries != 5 || len(entries) != 5 || res.Head != entries[4].Hash {
		t.Fatalf("Verify = %+v, %d entries", res, len(entries))
	}
	prev := genesis
	for i, e := range entries {
		want := entry(i + 1)
		if e.Seq != uint64(i+1) || e.Prev != prev || e.Reason != want.Reason || e.Token != want.Token ||
			!e.Time.Equal(want.Time.Truncate(time.Microsecond)) || e.Time.Location() != time.UTC {
			t.Errorf("entry %d = %+v", i+1, e)
		}
		prev = e.Hash
	}
	for _, p := range []string{path, HeadPath(path)} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, st.Mode(), err)
		}
	}
	if st, _ := os.Stat(filepath.Dir(path)); st.Mode().Perm() != 0o700 {
		t.Errorf("log folder mode %04o, want 0700", st.Mode().Perm())
	}
}

// TestFormat pins the line format and hash so that a verifier in another
// language can be written from the package doc.
func TestFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	e := Entry{Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Actor: "bob", Action: "reidentify",
		Field: "user_id", Token: "r_abc", Reason: "a<b", Outcome: "refused: x"}
	got, err := Append(context.Background(), path, e)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"seq":1,"time":"2026-01-02T03:04:05.000006Z","actor":"bob","action":"reidentify","field":"user_id",` +
		`"token":"r_abc","reason":"a<b","outcome":"refused: x","prev":"` + genesis + `"}`
	sum := sha256.Sum256([]byte(genesis + body))
	hash := hex.EncodeToString(sum[:])
	if got.Hash != hash {
		t.Fatalf("hash %s, want %s", got.Hash, hash)
	}
	b, _ := os.ReadFile(path)
	if want := strings.TrimSuffix(body, "}") + `,"hash":"` + hash + "\"}\n"; string(b) != want {
		t.Fatalf("line\n%s\nwant\n%s", b, want)
	}
	h, _ := os.ReadFile(HeadPath(path))
	if want := `{"seq":1,"hash":"` + hash + "\"}\n"; string(h) != want {
		t.Fatalf("head %s, want %s", h, want)
	}
}

// rehash recomputes the hash of line (with a new prev if prev != ""),
// as a forger who knows the format would.
func rehash(t *testing.T, line, prev string, edit func(*body)) (string, string) {
	t.Helper()
	var rec record
	if err := jsonUnmarshal(line, &rec); err != nil {
		t.Fatal(err)
	}
	if prev != "" {
		rec.Prev = prev
	}
	edit(&rec.body)
	rec.Hash, _ = hashOf(rec.body)
	b, _ := marshal(rec)
	return string(b) + "\n", rec.Hash
}

func TestTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string, ls []string)
		line   int
		seq    uint64
		want   string
		// appendOK: a head one behind is what an interrupted append leaves,
		// so Append repairs it rather than refuse.
		appendOK bool
	}{
		{"edited entry", func(t *testing.T, p string, ls []string) {
			ls[2] = strings.Replace(ls[2], "appeal #3", "appeal #9", 1)
			write(t, p, ls)
		}, 3, 3, "edited", false},
		{"edited outcome", func(t *testing.T, p string, ls []string) {
			ls[1] = strings.Replace(ls[1], `"revealed"`, `"refused: no"`, 1)
			write(t, p, ls)
		}, 2, 2, "edited", false},
		{"edited entry with its hash recomputed", func(t *testing.T, p string, ls []string) {
			ls[2], _ = rehash(t, ls[2], "", func(b *body) { b.Actor = "mallory" })
			write(t, p, ls)
		}, 4, 4, "does not chain", false},
		{"chain recomputed to the end, head kept", func(t *testing.T, p string, ls []string) {
			var h string
			ls[2], h = rehash(t, ls[2], "", func(b *body) { b.Token = "r_other" })
			ls[3], h = rehash(t, ls[3], h, func(*body) {})
			ls[4], _ = rehash(t, ls[4], h, func(*body) {})
			write(t, p, ls)
		}, 0, 5, "rewritten", false},
		{"deleted middle entry", func(t *testing.T, p string, ls []string) {
			write(t, p, append(ls[:2:2], ls[3:]...))
		}, 3, 3, "found seq 4", false},
		{"deleted first entry", func(t *testing.T, p string, ls []string) {
			write(t, p, ls[1:])
		}, 1, 1, "found seq 2", false},
		{"deleted tail", func(t *testing.T, p string, ls []string) {
			write(t, p, ls[:3])
		}, 0, 4, "cut from the end", false},
		{"deleted everything", func(t *testing.T, p string, ls []string) {
			write(t, p, nil)
		}, 0, 1, "cut from the end", false},
		{"reordered", func(t *testing.T, p string, ls []string) {
			ls[1], ls[2] = ls[2], ls[1]
			write(t, p, ls)
		}, 2, 2, "found seq 3", false},
		{"duplicated entry", func(t *testing.T, p string, ls []string) {
			write(t, p, append(ls[:3:3], ls[2:]...))
		}, 4, 4, "found seq 3", false},
		{"garbage line", func(t *testing.T, p string, ls []string) {
			write(t, p, append(append(ls[:1:1], "not json at all\n"), ls[1:]...))
		}, 2, 2, "not an audit entry", false},
		{"blank line", func(t *testing.T, p string, ls []string) {
			write(t, p, append(append(ls[:4:4], "\n"), ls[4:]...))
		}, 5, 5, "not an audit entry", false},
		{"extra field", func(t *testing.T, p string, ls []string) {
			ls[0] = strings.Replace(ls[0], `{"seq"`, `{"note":"x","seq"`, 1)
			write(t, p, ls)
		}, 1, 1, "not an audit entry", false},
		{"reformatted line", func(t *testing.T, p string, ls []string) {
			ls[1] = strings.Replace(ls[1], `"actor":`, `"actor": `, 1)
			write(t, p, ls)
		}, 2, 2, "canonical", false},
		{"truncated last line", func(t *testing.T, p string, ls []string) {
			ls[4] = ls[4][:40]
			write(t, p, ls)
		}, 5, 5, "incomplete last line", false},
		{"head missing", func(t *testing.T, p string, _ []string) {
			os.Remove(HeadPath(p))
		}, 0, 0, "head file", false},
		{"head damaged", func(t *testing.T, p string, _ []string) {
			os.WriteFile(HeadPath(p), []byte("{"), 0o600)
		}, 0, 0, "head file is damaged", false},
		{"entry appended outside veil", func(t *testing.T, p string, ls []string) {
			extra, _ := rehash(t, ls[4], "", func(b *body) { b.Seq, b.Prev = 6, "" })
			extra, _ = rehash(t, extra, lastHash(t, ls[4]), func(*body) {})
			write(t, p, append(ls, extra))
		}, 0, 6, "goes on past", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := newLog(t, 5)
			tt.tamper(t, path, lines(t, path))
			before, _ := os.ReadFile(path)
			_, err := Verify(path)
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, ErrTampered) {
				t.Fatalf("Verify = %v, want a VerifyError", err)
			}
			if ve.Line != tt.line || ve.Seq != tt.seq || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Verify = %q (line %d, seq %d), want line %d, seq %d, %q", err, ve.Line, ve.Seq, tt.line, tt.seq, tt.want)
			}
			if tt.appendOK {
				return
			}
			// A log that fails verification is not appended to.
			if _, err := Append(context.Background(), path, entry(9)); err == nil {
				t.Error("Append to a tampered log succeeded")
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("refused Append changed the log")
			}
		})
	}
}

func lastHash(t *testing.T, line string) string {
	var rec record
	if err := jsonUnmarshal(line, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Hash
}

// TestAppendRepairsLaggingHead: a crash between the entry and the head
// leaves the head one entry behind; Verify reports it, Append repairs it.
func TestAppendRepairsLaggingHead(t *testing.T) {
	path := newLog(t, 2)
	h2, _ := os.ReadFile(HeadPath(path))
	if _, err := Append(context.Background(), path, entry(3)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(HeadPath(path), h2, 0o600)
	if _, err := Verify(path); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Verify with a lagging head = %v", err)
	}
	if _, err := Append(context.Background(), path, entry(4)); err != nil {
		t.Fatalf("Append after an interrupted append: %v", err)
	}
	if res, err := Verify(path); err != nil || res.Entries != 4 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}

	// The same for the very first entry, written before any head.
	first := filepath.Join(t.TempDir(), "log.jsonl")
	if _, err := Append(context.Background(), first, entry(1)); err != nil {
		t.Fatal(err)
	}
	os.Remove(HeadPath(first))
	if _, err := Append(context.Background(), first, entry(2)); err != nil {
		t.Fatalf("Append after an interrupted first append: %v", err)
	}
	if res, err := Verify(first); err != nil || res.Entries != 2 {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
}

func TestAppendValidation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "log.jsonl")
	for name, edit := range map[string]func(*Entry){
		"no reason":    func(e *Entry) { e.Reason = "  " },
		"no actor":     func(e *Entry) { e.Actor = "" },
		"no outcome":   func(e *Entry) { e.Outcome = "" },
		"no action":    func(e *Entry) { e.Action = "" },
		"invalid utf8": func(e *Entry) { e.Reason = "bad \xff" },
	} {
		e := entry(1)
		edit(&e)
		if _, err := Append(context.Background(), path, e); err == nil {
			t.Errorf("%s: Append succeeded", name)
		}
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Error("a refused entry created the log folder")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Append(ctx, path, entry(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Append: %v", err)
	}
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Error("cancelled Append wrote an entry")
	}
}

func TestVerifyMissingAndEmpty(t *testing.T) {
	dir := t.TempDir()
	if _, err := Verify(filepath.Join(dir, "nope.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing log: %v", err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	if res, err := Verify(empty); err != nil || res.Entries != 0 || res.Head != genesis {
		t.Errorf("empty log: %+v, %v", res, err)
	}
}

func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.jsonl")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				if _, err := Append(context.Background(), path, entry(g*100+i)); err != nil {
					t.Error(err)
					return
				}
				if _, err := Verify(path); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if res, err := Verify(path); err != nil || res.Entries != 32 {
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
}

func jsonUnmarshal(line string, v any) error {
	return json.Unmarshal([]byte(strings.TrimSuffix(line, "\n")), v)
}

// FuzzVerify feeds arbitrary bytes as a log: Verify must not panic, and
// whatever it accepts must have exactly one entry per line.
func FuzzVerify(f *testing.F) {
	dir := f.TempDir()
	seed := filepath.Join(dir, "seed.jsonl")
	for i := 1; i <= 3; i++ {
		if _, err := Append(context.Background(), seed, entry(i)); err != nil {
			f.Fatal(err)
		}
	}
	b, _ := os.ReadFile(seed)
	f.Add(b)
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"seq":1}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "log.jsonl")
		os.WriteFile(path, data, 0o600)
		res, err := Verify(path)
		if err == nil && res.Entries != strings.Count(string(data), "\n") {
			t.Fatalf("accepted %d entries from %d lines", res.Entries, strings.Count(string(data), "\n"))
		}
	})
}
