package anonymize

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/veil-data/veil/anonymize/keys"
)

// newKeysDir creates both KEKs and every keyset in a temporary folder.
func newKeysDir(tb testing.TB) (dir string, kek, reid *keys.LocalKEK) {
	tb.Helper()
	dir = filepath.Join(tb.TempDir(), "keys")
	kek, err := keys.InitKEK(filepath.Join(dir, keys.DefaultKEKFile))
	if err != nil {
		tb.Fatal(err)
	}
	reid, err = keys.InitKEK(filepath.Join(dir, keys.DefaultReidentifyKEKFile))
	if err != nil {
		tb.Fatal(err)
	}
	if err := keys.Init(context.Background(), dir, kek, keys.WithReidentifyKEK(reid)); err != nil {
		tb.Fatal(err)
	}
	return dir, kek, reid
}

// newSet creates and opens a fresh key set in a temporary folder.
func newSet(tb testing.TB) *keys.Set {
	tb.Helper()
	dir, kek, _ := newKeysDir(tb)
	set, err := keys.Open(context.Background(), dir, kek)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// open opens the pipeline's Tokenizer and the Revealer of one keys folder.
func open(tb testing.TB, dir string, kek, reid keys.KEK) (*Tokenizer, *Revealer) {
	tb.Helper()
	set, err := keys.Open(context.Background(), dir, kek)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := NewTokenizer(set)
	if err != nil {
		tb.Fatal(err)
	}
	r, err := keys.OpenReidentify(context.Background(), dir, reid)
	if err != nil {
		tb.Fatal(err)
	}
	rv, err := NewRevealer(r)
	if err != nil {
		tb.Fatal(err)
	}
	return tok, rv
}

// newPair makes a fresh keys folder and opens it with open.
func newPair(tb testing.TB) (*Tokenizer, *Revealer) {
	tb.Helper()
	dir, kek, reid := newKeysDir(tb)
	return open(tb, dir, kek, reid)
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
	tok, rv := newPair(t)
	w := tok.Worker()
	fresh, freshRV := newPair(t) // other keys

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
		got, err := rv.Reveal("user_id", r1)
		if err != nil || got != v {
			t.Errorf("Reveal(Reversible(%q)) = %q, %v", v, got, err)
		}
		if _, err := rv.Reveal("email", r1); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("Reveal in another field: err = %v, want ErrInvalidToken", err)
		}
		if _, err := freshRV.Reveal("user_id", r1); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("Reveal under other keys: err = %v, want ErrInvalidToken", err)
		}
	}
	if tok.OneWay("a", "b\x01c") == tok.OneWay("a\x01b", "c") {
		t.Error("field/value boundary is ambiguous")
	}
}

func TestRevealErrors(t *testing.T) {
	tok, rv := newPair(t)
	raw := "secret-user-42"
	r := tok.Reversible("user_id", raw)
	o := tok.OneWay("user_id", raw)
	// A token of the same key id but another key: the key id check passes,
	// decryption does not.
	raw2, _ := base64.RawURLEncoding.DecodeString(r[2:])
	raw2[len(raw2)-1] ^= 1
	flipped := "r_" + base64.RawURLEncoding.EncodeToString(raw2)
	// A well-formed reversible token whose key id the keyset does not hold.
	raw3, _ := base64.RawURLEncoding.DecodeString(r[2:])
	binary.BigEndian.PutUint32(raw3[1:5], binary.BigEndian.Uint32(raw3[1:5])+1)
	unknownKey := "r_" + base64.RawURLEncoding.EncodeToString(raw3)

	tests := []struct {
		name, field, token string
		want               error
	}{
		{"one-way token", "user_id", o, ErrOneWayToken},
		{"another field", "device_id", r, ErrInvalidToken},
		{"tampered", "user_id", flipped, ErrInvalidToken},
		{"unknown key", "user_id", unknownKey, ErrInvalidToken},
		{"empty", "user_id", "", ErrInvalidToken},
		{"prefix only", "user_id", "r_", ErrInvalidToken},
		{"bad base64", "user_id", "r_!!!", ErrInvalidToken},
		{"cut short", "user_id", r[:len(r)-2], ErrInvalidToken},
		{"extended", "user_id", r + "AA", ErrInvalidToken},
		{"no prefix", "user_id", "x" + r, ErrInvalidToken},
		{"short one-way", "user_id", "o_abc", ErrOneWayToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := rv.Reveal(tt.field, tt.token)
			if !errors.Is(err, tt.want) || v != "" {
				t.Fatalf("Reveal = %q, %v; want %v", v, err, tt.want)
			}
			if len(tt.token) > 4 && strings.Contains(err.Error(), tt.token[2:]) || strings.Contains(err.Error(), raw) {
				t.Errorf("error %q echoes the token or the value", err)
			}
		})
	}
	if _, err := rv.Reveal("", r); err == nil || errors.Is(err, ErrInvalidToken) {
		t.Errorf("empty field: err = %v, want a field error", err)
	}
	if _, err := rv.Reveal("user_id", unknownKey); err == nil || !strings.Contains(err.Error(), "does not hold") {
		t.Errorf("unknown key: err = %v, want it to name the missing key", err)
	}
}

func TestRevealNeedsReidentifyKeyset(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeysDir(t)
	tok, _ := open(t, dir, kek, reid)
	tok.Reversible("user_id", "u1")
	if err := os.Remove(keys.Path(dir, keys.Reidentify)); err != nil {
		t.Fatal(err)
	}
	// tokens-reversible and both KEKs are present; no decrypt path is.
	for _, k := range []keys.KEK{reid, kek} {
		if r, err := keys.OpenReidentify(ctx, dir, k); err == nil {
			t.Fatalf("OpenReidentify without reidentify.json under %s: %v", k.ID(), r)
		}
	}
	if _, err := NewRevealer(nil); err == nil {
		t.Error("NewRevealer(nil) succeeded")
	}
}

func TestTokenKeyID(t *testing.T) {
	tok := newTokenizer(t)
	ids := tok.KeyIDs()
	for _, v := range []string{"", "u1", strings.Repeat("x", 300)} {
		if id, err := TokenKeyID(tok.Reversible("user_id", v)); err != nil || id != ids[keys.TokensReversible] {
			t.Errorf("reversible(%q): key id %d, %v; want %d", v, id, err, ids[keys.TokensReversible])
		}
		if id, err := TokenKeyID(tok.OneWay("user_id", v)); err != nil || id != ids[keys.TokensOneWay] {
			t.Errorf("one-way(%q): key id %d, %v; want %d", v, id, err, ids[keys.TokensOneWay])
		}
	}
	r, o := tok.Reversible("user_id", "u1"), tok.OneWay("user_id", "u1")
	raw, _ := base64.RawURLEncoding.DecodeString(r[2:])
	raw[0] = 0 // a RAW or LEGACY start byte: not a token veil makes
	for _, bad := range []string{"", "r_", "o_", "x_AAAA", "r_!!", "o_!!", o[:len(o)-1], o + "AA", "r_AAAAAAAA",
		"r_" + base64.RawURLEncoding.EncodeToString(raw), strings.ToUpper(r[:2]) + r[2:]} {
		if id, err := TokenKeyID(bad); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("TokenKeyID(%q) = %d, %v; want ErrInvalidToken", bad, id, err)
		}
	}
}

// TestRotation: tokens made before a rotation still re-identify after it,
// every key id changes, and every identifier's tokens change.
func TestRotation(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeysDir(t)
	oldTok, _ := open(t, dir, kek, reid)
	values := []string{"", "u1", "u2", "alice@example.com", "张三", strings.Repeat("v", 200)}
	type pair struct{ r, o string }
	before := map[string]pair{}
	for _, v := range values {
		before[v] = pair{oldTok.Reversible("user_id", v), oldTok.OneWay("user_id", v)}
	}

	res, err := keys.Rotate(ctx, dir, kek, reid)
	if err != nil {
		t.Fatal(err)
	}
	newTok, rv := open(t, dir, kek, reid)
	oldIDs, newIDs := oldTok.KeyIDs(), newTok.KeyIDs()
	for name, id := range newIDs {
		if id == oldIDs[name] {
			t.Errorf("%s primary key %d unchanged by rotation", name, id)
		}
	}
	for _, k := range res.Keysets {
		if k.NewPrimary == k.OldPrimary {
			t.Errorf("rotation result %+v: primary unchanged", k)
		}
	}
	for _, v := range values {
		old := before[v]
		r, o := newTok.Reversible("user_id", v), newTok.OneWay("user_id", v)
		if r == old.r || o == old.o {
			t.Errorf("value %q: token unchanged by rotation", v)
		}
		if id, _ := TokenKeyID(r); id != newIDs[keys.TokensReversible] {
			t.Errorf("new reversible token of %q has key %d, want %d", v, id, newIDs[keys.TokensReversible])
		}
		if id, _ := TokenKeyID(old.o); id != oldIDs[keys.TokensOneWay] {
			t.Errorf("old one-way token of %q has key %d, want %d", v, id, oldIDs[keys.TokensOneWay])
		}
		for _, tk := range []string{old.r, r} {
			if got, err := rv.Reveal("user_id", tk); err != nil || got != v {
				t.Errorf("Reveal after rotation of a token of %q = %q, %v", v, got, err)
			}
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
	tok, rv := newPair(t)
	w := tok.Worker()
	raw := "alice.secret@example.com"
	if got, _ := rv.Reveal("email", tok.Reversible("email", raw)); got != raw {
		t.Fatal("round trip failed")
	}
	w.OneWay("email", raw)
	for _, v := range []any{tok, *tok, w, *w, struct{ T *Tokenizer }{tok}, rv, *rv, Revealer{}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%d"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, raw) || strings.Contains(out, "example") || !strings.Contains(out, "REDACTED") {
				t.Errorf("%s of %T = %q: not redacted", verb, v, out)
			}
		}
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("tok", "t", tok, "w", w, "rv", rv)
	if strings.Contains(b.String(), raw) || !strings.Contains(b.String(), "REDACTED") {
		t.Errorf("slog output %q not redacted", b.String())
	}
}

// FuzzReveal feeds arbitrary tokens: no panic, errors never echo the input,
// and only tokens the Tokenizer made reveal.
func FuzzReveal(f *testing.F) {
	tok, rv := newPair(f)
	for _, v := range []string{"u1", "", "张三"} {
		f.Add(tok.Reversible("user_id", v))
		f.Add(tok.OneWay("user_id", v))
	}
	f.Add("r_AQAAAAEAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, token string) {
		if id, err := TokenKeyID(token); err == nil && !strings.HasPrefix(token, ReversiblePrefix) && !strings.HasPrefix(token, OneWayPrefix) {
			t.Fatalf("TokenKeyID(%q) = %d for a string without a token prefix", token, id)
		}
		v, err := rv.Reveal("user_id", token)
		if err != nil {
			if len(token) > 8 && strings.Contains(err.Error(), token[2:]) {
				t.Fatalf("error %q echoes the token", err)
			}
			return
		}
		if tok.Reversible("user_id", v) != token {
			t.Fatalf("revealed %q from a token the Tokenizer would not make", v)
		}
	})
}
