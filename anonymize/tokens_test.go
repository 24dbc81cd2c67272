package anonymize

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/veil-data/veil/anonymize/keys"
)

// newSet creates and opens a fresh key set in a temporary folder.
func newSet(tb testing.TB) *keys.Set {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "keys")
	kek, err := keys.InitKEK(filepath.Join(dir, keys.DefaultKEKFile))
	if err != nil {
		tb.Fatal(err)
	}
	if err := keys.Init(context.Background(), dir, kek); err != nil {
		tb.Fatal(err)
	}
	set, err := keys.Open(context.Background(), dir, kek)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

func newTokenizer(tb testing.TB, opts ...Option) *Tokenizer {
	tb.Helper()
	tok, err := NewTokenizer(newSet(tb), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func TestTokenFormat(t *testing.T) {
	tok := newTokenizer(t)
	ids := tok.KeyIDs()
	if len(ids) != 2 || ids[keys.TokensReversible] == 0 || ids[keys.TokensOneWay] == 0 {
		t.Fatalf("KeyIDs() = %v", ids)
	}

	r := tok.Reversible("user_id", "u123")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(r, "r_"))
	if !strings.HasPrefix(r, "r_") || err != nil {
		t.Fatalf("reversible token %q: %v", r, err)
	}
	// Tink prefix: version byte 1, then the 4-byte key id; then SIV and data.
	if raw[0] != 1 || binary.BigEndian.Uint32(raw[1:5]) != ids[keys.TokensReversible] || len(raw) != 5+16+len("u123") {
		t.Errorf("reversible token bytes %x do not carry key %d", raw, ids[keys.TokensReversible])
	}

	o := tok.OneWay("user_id", "u123")
	raw, err = base64.RawURLEncoding.DecodeString(strings.TrimPrefix(o, "o_"))
	if !strings.HasPrefix(o, "o_") || err != nil || len(raw) != 4+16 {
		t.Fatalf("one-way token %q: %x %v", o, raw, err)
	}
	if binary.BigEndian.Uint32(raw[:4]) != ids[keys.TokensOneWay] {
		t.Errorf("one-way token key id = %d, want %d", binary.BigEndian.Uint32(raw[:4]), ids[keys.TokensOneWay])
	}
}

func TestTokensDeterministicAndSeparated(t *testing.T) {
	tok := newTokenizer(t)
	w := tok.Worker()
	fresh := newTokenizer(t, WithCacheSize(0)) // other keys

	for _, v := range []string{"u1", "", "alice@example.com", "13812345678", "张三", strings.Repeat("x", 1000)} {
		r1, r2, r3 := tok.Reversible("user_id", v), tok.Reversible("user_id", v), w.Reversible("user_id", v)
		if r1 != r2 || r1 != r3 {
			t.Errorf("reversible(%q) not deterministic: %s %s %s", v, r1, r2, r3)
		}
		o1, o2 := tok.OneWay("user_id", v), w.OneWay("user_id", v)
		if o1 != o2 {
			t.Errorf("one-way(%q) not deterministic: %s %s", v, o1, o2)
		}
		// Same raw value in two fields: unrelated tokens.
		if tok.Reversible("email", v) == r1 || tok.OneWay("email", v) == o1 {
			t.Errorf("value %q gives the same token in two fields", v)
		}
		if fresh.Reversible("user_id", v) == r1 || fresh.OneWay("user_id", v) == o1 {
			t.Errorf("value %q gives the same token under two key sets", v)
		}
		got, err := tok.Reveal("user_id", r1)
		if err != nil || got != v {
			t.Errorf("Reveal(Reversible(%q)) = %q, %v", v, got, err)
		}
		if _, err := tok.Reveal("email", r1); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("Reveal in another field: err = %v, want ErrInvalidToken", err)
		}
		if _, err := fresh.Reveal("user_id", r1); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("Reveal under other keys: err = %v, want ErrInvalidToken", err)
		}
	}
	if tok.OneWay("a", "b\x01c") == tok.OneWay("a\x01b", "c") {
		t.Error("field/value boundary is ambiguous")
	}
}

func TestRevealErrors(t *testing.T) {
	tok := newTokenizer(t)
	r := tok.Reversible("user_id", "secret-user-42")
	for _, bad := range []string{"", "r_", "o_abc", "r_!!!", r[:len(r)-2], r + "AA", "x" + r} {
		v, err := tok.Reveal("user_id", bad)
		if !errors.Is(err, ErrInvalidToken) || v != "" {
			t.Errorf("Reveal(%q) = %q, %v; want ErrInvalidToken", bad, v, err)
		}
		if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error %q echoes the token", err)
		}
	}
}

func TestCacheBoundedAndCorrect(t *testing.T) {
	tok := newTokenizer(t, WithCacheSize(3))
	want := map[string]string{}
	w := tok.Worker()
	for round := 0; round < 3; round++ {
		for i := 0; i < 50; i++ {
			v := fmt.Sprint("user-", i%17)
			f := []string{"user_id", "device_id"}[i%2]
			got := w.OneWay(f, v)
			if got != tok.OneWay(f, v) {
				t.Fatalf("worker and tokenizer disagree on %s/%s", f, v)
			}
			if prev, ok := want[f+v]; ok && prev != got {
				t.Fatalf("token of %s/%s changed after a cache reset", f, v)
			}
			want[f+v] = got
		}
		if w.cache.n > 3 {
			t.Fatalf("worker cache holds %d entries, cap 3", w.cache.n)
		}
		for i := range tok.shared.shards {
			if n := len(tok.shared.shards[i].m); n > 1 {
				t.Fatalf("shared shard %d holds %d entries, cap 1", i, n)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	tok := newTokenizer(t, WithCacheSize(256))
	want := make([]string, 500)
	for i := range want {
		want[i] = tok.Reversible("user_id", fmt.Sprint("u", i))
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := tok.Worker()
			for n := 0; n < 3000; n++ {
				i := (n*7 + g) % len(want)
				v := fmt.Sprint("u", i)
				if w.Reversible("user_id", v) != want[i] || tok.Reversible("user_id", v) != want[i] {
					t.Errorf("goroutine %d: wrong token for %s", g, v)
					return
				}
				tok.OneWay("ip", v)
			}
		}()
	}
	wg.Wait()
}

func TestInvalidFieldPanics(t *testing.T) {
	tok := newTokenizer(t)
	for _, f := range []string{"", "a\x00b"} {
		if ValidField(f) == nil {
			t.Errorf("ValidField(%q) = nil", f)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("OneWay with field %q did not panic", f)
				}
			}()
			tok.OneWay(f, "v")
		}()
	}
}

func TestTokenizerRedacted(t *testing.T) {
	tok := newTokenizer(t)
	w := tok.Worker()
	raw := "alice.secret@example.com"
	tok.Reversible("email", raw)
	w.OneWay("email", raw)
	for _, v := range []any{tok, *tok, w, *w, struct{ T *Tokenizer }{tok}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, raw) || strings.Contains(out, "example") || !strings.Contains(out, "REDACTED") {
				t.Errorf("%s of %T = %q: not redacted", verb, v, out)
			}
		}
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("tok", "t", tok, "w", w)
	if strings.Contains(b.String(), raw) || !strings.Contains(b.String(), "REDACTED") {
		t.Errorf("slog output %q not redacted", b.String())
	}
}
