package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

// secrets returns every key value of every keyset in dir (and of the KEK),
// raw, as hex and as base64.
func secrets(t *testing.T, dir string, kek, reid *LocalKEK) []string {
	t.Helper()
	var out []string
	add := func(h *keyset.Handle) {
		for _, k := range insecurecleartextkeyset.KeysetMaterial(h).GetKey() {
			v := k.GetKeyData().GetValue()
			out = append(out, string(v), hex.EncodeToString(v),
				base64.StdEncoding.EncodeToString(v), base64.RawURLEncoding.EncodeToString(v))
		}
	}
	for _, s := range []keysetSpec{reversibleSpec, oneWaySpec, reidentifySpec, auditSpec, ledgerSpec} {
		k := kek
		if s.name == Reidentify || s.name == Audit {
			k = reid
		}
		f, err := os.Open(Path(dir, s.name))
		if err != nil {
			t.Fatal(err)
		}
		h, err := keyset.ReadWithAssociatedData(keyset.NewJSONReader(f), k, []byte(s.name))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		add(h)
	}
	for _, k := range []*LocalKEK{kek, reid} {
		f, err := os.Open(k.Path())
		if err != nil {
			t.Fatal(err)
		}
		h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(f))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		add(h)
	}
	return out
}

func TestRedactedFormatting(t *testing.T) {
	dir, kek, reid := newKeys(t)
	set, err := Open(context.Background(), dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenReidentify(context.Background(), dir, reid)
	if err != nil {
		t.Fatal(err)
	}
	secret := secrets(t, dir, kek, reid)
	am, err := OpenAuditKey(context.Background(), dir, reid)
	if err != nil {
		t.Fatal(err)
	}

	values := []struct {
		name string
		v    any
		want string // substring every rendering must contain
	}{
		{"*Set", set, "keys.Set{"},
		{"Set", *set, "keys.Set{"},
		{"*LocalKEK", kek, "keys.LocalKEK{"},
		{"LocalKEK", *kek, "keys.LocalKEK{"},
		{"*Deterministic", set.Reversible(), "keys.Deterministic{"},
		{"Deterministic", *set.Reversible(), "keys.Deterministic{"},
		{"*PRF", set.OneWay(), "keys.PRF{"},
		{"PRF", *set.OneWay(), "keys.PRF{"},
		{"*Reidentifier", r, "keys.Reidentifier{"},
		{"Reidentifier", *r, "keys.Reidentifier{"},
		{"*MAC", am, "keys.MAC{"},
		{"MAC", *am, "keys.MAC{"},
		{"in a struct", struct{ S *Set }{set}, "keys.Set{"},
		{"in a slice", []any{set, kek}, "keys.LocalKEK{"},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"}
	for _, tt := range values {
		t.Run(tt.name, func(t *testing.T) {
			for _, verb := range verbs {
				out := fmt.Sprintf(verb, tt.v)
				if !strings.Contains(out, "REDACTED") {
					t.Errorf("%s: %q is not a redacted summary", verb, out)
				}
				checkClean(t, verb, out, secret)
			}
			if s := fmt.Sprint(tt.v); !strings.Contains(s, tt.want) {
				t.Errorf("Sprint = %q, want it to contain %q", s, tt.want)
			}
		})
	}

	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("keys", "set", set, "kek", kek, "rev", set.Reversible(), "prf", set.OneWay(), "reid", r, "reidkek", reid, "audit", am)
	}
	out := buf.String()
	checkClean(t, "slog", out, secret)
	for _, w := range []string{"REDACTED", TokensOneWay + ".primary_key_id", Reidentify + ".primary_key_id", kek.ID(), reid.ID()} {
		if !strings.Contains(out, w) {
			t.Errorf("slog output %q does not contain %q", out, w)
		}
	}
}

func checkClean(t *testing.T, what, out string, secret []string) {
	t.Helper()
	for _, s := range secret {
		if strings.Contains(out, s) {
			t.Fatalf("%s output contains key material: %q", what, out)
		}
	}
	// No verb may fall through to printing struct fields.
	if strings.Contains(out, "key:[") || strings.Contains(out, "PRFs") || strings.Contains(out, "aead:") {
		t.Fatalf("%s output shows internal fields: %q", what, out)
	}
}
