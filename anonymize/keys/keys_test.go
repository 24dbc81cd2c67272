package keys

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newKeys makes both KEKs and every keyset in a fresh folder.
func newKeys(t *testing.T) (dir string, kek, reid *LocalKEK) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "keys")
	kek, err := InitKEK(filepath.Join(dir, DefaultKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	reid, err = InitKEK(filepath.Join(dir, DefaultReidentifyKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := Init(context.Background(), dir, kek, WithReidentifyKEK(reid)); err != nil {
		t.Fatal(err)
	}
	return dir, kek, reid
}

// kekMaterial returns the base64 key values stored in a cleartext KEK file,
// to check that no output carries them.
func kekMaterial(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ks struct {
		Key []struct {
			KeyData struct {
				Value string `json:"value"`
			} `json:"keyData"`
		} `json:"key"`
	}
	if err := json.Unmarshal(b, &ks); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range ks.Key {
		if k.KeyData.Value == "" {
			t.Fatal("KEK file has no key value")
		}
		out = append(out, k.KeyData.Value)
	}
	return out
}

func TestInitOpen(t *testing.T) {
	dir, kek, reid := newKeys(t)
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("keys folder mode = %04o, want 0700", st.Mode().Perm())
	}
	for _, name := range []string{TokensReversible, TokensOneWay, Reidentify, "kek", "reidentify-kek"} {
		st, err := os.Stat(Path(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %04o, want 0600", name, st.Mode().Perm())
		}
	}

	set, err := Open(context.Background(), dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	info := set.Info()
	if len(info) != 2 {
		t.Fatalf("Info() has %d keysets, want 2 (the pipeline's only)", len(info))
	}
	want := map[string]string{
		TokensReversible: "type.googleapis.com/google.crypto.tink.AesSivKey",
		TokensOneWay:     "type.googleapis.com/google.crypto.tink.HmacPrfKey",
		Reidentify:       "type.googleapis.com/google.crypto.tink.AesSivKey",
	}
	r, err := OpenReidentify(context.Background(), dir, reid)
	if err != nil {
		t.Fatal(err)
	}
	if r.KEKID() != reid.ID() || r.KEKID() == set.KEKID() {
		t.Errorf("re-identification KEK %q, pipeline KEK %q", r.KEKID(), set.KEKID())
	}
	for _, in := range append(info, r.Info()) {
		if in.TypeURL != want[in.Name] {
			t.Errorf("%s type URL = %q, want %q", in.Name, in.TypeURL, want[in.Name])
		}
		if len(in.Keys) != 1 || in.Keys[0].ID != in.PrimaryKeyID || in.Keys[0].Status != "ENABLED" {
			t.Errorf("%s keys = %+v, want one enabled primary key", in.Name, in.Keys)
		}
	}
	if got := set.Reversible().PrimaryKeyID(); got != info[0].PrimaryKeyID {
		t.Errorf("Reversible().PrimaryKeyID() = %d, want %d", got, info[0].PrimaryKeyID)
	}
	if set.KEKID() != kek.ID() || !strings.HasPrefix(kek.ID(), "local:") {
		t.Errorf("KEKID() = %q, kek.ID() = %q", set.KEKID(), kek.ID())
	}

	// The keysets work: what the pipeline encrypts the copy decrypts, and
	// the PRF computes.
	if r.Info().PrimaryKeyID != info[0].PrimaryKeyID || !r.HasKey(info[0].PrimaryKeyID) {
		t.Errorf("re-identification primary %d, tokens-reversible primary %d", r.Info().PrimaryKeyID, info[0].PrimaryKeyID)
	}
	ct, err := set.Reversible().EncryptDeterministically([]byte("x"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	pt, err := r.DecryptDeterministically(ct, []byte("ad"))
	if err != nil || string(pt) != "x" {
		t.Fatalf("round trip = %q, %v", pt, err)
	}
	if out, err := set.OneWay().ComputePrimaryPRF([]byte("x"), 16); err != nil || len(out) != 16 {
		t.Fatalf("PRF = %x, %v", out, err)
	}

	// A KEK loaded from the file opens the same set.
	kek2, err := LoadKEK(kek.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), dir, kek2); err != nil {
		t.Fatal(err)
	}
}

func TestRefuseOverwrite(t *testing.T) {
	dir, kek, _ := newKeys(t)
	before, _ := os.ReadFile(Path(dir, TokensOneWay))
	err := Init(context.Background(), dir, kek)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Init: err = %v, want already exists", err)
	}
	after, _ := os.ReadFile(Path(dir, TokensOneWay))
	if string(before) != string(after) {
		t.Error("second Init changed a keyset file")
	}
	if _, err := InitKEK(kek.Path()); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second InitKEK: err = %v, want already exists", err)
	}

	// One keyset left over: Init writes nothing.
	dir2 := t.TempDir()
	if err := os.WriteFile(Path(dir2, Reidentify), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Init(context.Background(), dir2, kek); err == nil {
		t.Fatal("Init over a leftover keyset succeeded")
	}
	if _, err := os.Stat(Path(dir2, TokensReversible)); !os.IsNotExist(err) {
		t.Errorf("Init wrote %s despite refusing", TokensReversible)
	}
}

func TestOpenErrors(t *testing.T) {
	dir, kek, _ := newKeys(t)
	material := kekMaterial(t, kek.Path())
	other, err := InitKEK(filepath.Join(t.TempDir(), "other.json"))
	if err != nil {
		t.Fatal(err)
	}
	material = append(material, kekMaterial(t, other.Path())...)

	corrupt := t.TempDir()
	copyDir(t, dir, corrupt)
	if err := os.WriteFile(Path(corrupt, TokensOneWay), []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	swapped := t.TempDir()
	copyDir(t, dir, swapped)
	b, _ := os.ReadFile(Path(dir, TokensReversible))
	if err := os.WriteFile(Path(swapped, TokensOneWay), b, 0o600); err != nil {
		t.Fatal(err)
	}
	// The cleartext KEK copied over a keyset, then cut short: the parser's
	// message would quote it.
	leaked := t.TempDir()
	copyDir(t, dir, leaked)
	kb, _ := os.ReadFile(kek.Path())
	if err := os.WriteFile(Path(leaked, TokensReversible), kb[:len(kb)-30], 0o600); err != nil {
		t.Fatal(err)
	}
	missing := t.TempDir()
	copyDir(t, dir, missing)
	os.Remove(Path(missing, TokensReversible))

	tests := []struct {
		name, dir string
		kek       KEK
		want      []string
	}{
		{"wrong KEK", dir, other, []string{`keyset "tokens-reversible"`, Path(dir, TokensReversible), "wrong key-encryption key", other.ID()}},
		{"corrupt keyset", corrupt, kek, []string{`keyset "tokens-oneway"`, Path(corrupt, TokensOneWay), "corrupt file"}},
		{"cleartext key in place of a keyset", leaked, kek, []string{`keyset "tokens-reversible"`, Path(leaked, TokensReversible), "corrupt file"}},
		{"keyset under another name", swapped, kek, []string{`keyset "tokens-oneway"`, Path(swapped, TokensOneWay), "corrupt file"}},
		{"missing keyset", missing, kek, []string{`keyset "tokens-reversible"`, Path(missing, TokensReversible), "not found", "veil keys init"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(context.Background(), tt.dir, tt.kek)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			assertNoMaterial(t, err.Error(), material)
		})
	}
}

func TestLoadKEKErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "kek.json")
	k, err := InitKEK(good)
	if err != nil {
		t.Fatal(err)
	}
	material := kekMaterial(t, good)

	open := filepath.Join(dir, "open.json")
	b, _ := os.ReadFile(good)
	if err := os.WriteFile(open, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	// A truncated copy keeps part of the material in the file: the error must
	// not echo it.
	truncated := filepath.Join(dir, "truncated.json")
	if err := os.WriteFile(truncated, b[:len(b)-40], 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path string
		want       []string
	}{
		{"world readable", open, []string{open, "group or others", "0644", "chmod 600"}},
		{"missing", filepath.Join(dir, "nope.json"), []string{"nope.json", "not found", EnvKEK}},
		{"corrupt", truncated, []string{truncated, "corrupt file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadKEK(tt.path)
			if err == nil {
				t.Fatal("LoadKEK succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			assertNoMaterial(t, err.Error(), material)
		})
	}
	if _, err := LoadKEK(good); err != nil {
		t.Fatal(err)
	}
	_ = k
}

func TestResolveKEKPath(t *testing.T) {
	t.Setenv(EnvKEK, "")
	if got := ResolveKEKPath("", "/k"); got != filepath.Join("/k", "kek.json") {
		t.Errorf("default = %q", got)
	}
	t.Setenv(EnvKEK, "/env/kek.json")
	if got := ResolveKEKPath("", "/k"); got != "/env/kek.json" {
		t.Errorf("env = %q", got)
	}
	if got := ResolveKEKPath("/flag/kek.json", "/k"); got != "/flag/kek.json" {
		t.Errorf("flag = %q", got)
	}
}

func TestContextCancelled(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	kek, err := InitKEK(filepath.Join(dir, DefaultKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Init(ctx, dir, kek); err == nil {
		t.Fatal("Init with a cancelled context succeeded")
	}
	if _, err := os.Stat(Path(dir, TokensReversible)); !os.IsNotExist(err) {
		t.Error("cancelled Init left a keyset behind")
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// assertNoMaterial fails if s contains any of the base64 key values or a
// long piece of one.
func assertNoMaterial(t *testing.T, s string, material []string) {
	t.Helper()
	for _, m := range material {
		for i := 0; i+12 <= len(m); i += 4 {
			if strings.Contains(s, m[i:i+12]) {
				t.Fatalf("output %q contains key material", s)
			}
		}
	}
}
