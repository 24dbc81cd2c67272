package keys

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/daead"
	"github.com/tink-crypto/tink-go/v2/keyset"
)

func TestOpenDoesNotReadReidentify(t *testing.T) {
	dir, kek, _ := newKeys(t)
	if err := os.Remove(Path(dir, Reidentify)); err != nil {
		t.Fatal(err)
	}
	set, err := Open(context.Background(), dir, kek)
	if err != nil {
		t.Fatalf("Open without reidentify.json: %v", err)
	}
	for _, in := range set.Info() {
		if in.Name == Reidentify {
			t.Fatal("the pipeline's Set describes the re-identification keyset")
		}
	}
}

func TestOpenReidentifyErrors(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	material := append(kekMaterial(t, kek.Path()), kekMaterial(t, reid.Path())...)
	other, err := InitKEK(filepath.Join(t.TempDir(), "other.json"))
	if err != nil {
		t.Fatal(err)
	}

	// reidentify.json missing while tokens-reversible and both KEKs are at
	// hand: the decrypt path must not fall back to the pipeline's keyset.
	missing := t.TempDir()
	copyDir(t, dir, missing)
	os.Remove(Path(missing, Reidentify))
	corrupt := t.TempDir()
	copyDir(t, dir, corrupt)
	os.WriteFile(Path(corrupt, Reidentify), []byte(`{"encryptedKeyset": 1`), 0o600)

	tests := []struct {
		name, dir string
		kek       KEK
		want      []string
	}{
		{"pipeline KEK", dir, kek, []string{`keyset "reidentify"`, "wrong key-encryption key", kek.ID(), "--reid-kek", EnvReidentifyKEK}},
		{"other KEK", dir, other, []string{`keyset "reidentify"`, "wrong key-encryption key", other.ID()}},
		{"missing keyset", missing, reid, []string{Path(missing, Reidentify), "not found", "--reid-kek"}},
		{"corrupt keyset", corrupt, reid, []string{Path(corrupt, Reidentify), "corrupt file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenReidentify(ctx, tt.dir, tt.kek)
			if err == nil {
				t.Fatalf("OpenReidentify succeeded: %v", r)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			assertNoMaterial(t, err.Error(), material)
		})
	}
	if _, err := OpenReidentify(ctx, missing, reid); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing keyset: err = %v, want os.ErrNotExist", err)
	}
}

func TestInitRefusesOneKEKForBoth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	kek, err := InitKEK(filepath.Join(dir, DefaultKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	err = Init(context.Background(), dir, kek, WithReidentifyKEK(kek))
	if err == nil || !strings.Contains(err.Error(), "must differ") {
		t.Fatalf("Init with one KEK for both: err = %v", err)
	}
	if _, err := os.Stat(Path(dir, TokensReversible)); !os.IsNotExist(err) {
		t.Error("refused Init wrote a keyset")
	}
}

func TestInitReidentify(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "keys")
	kek, err := InitKEK(filepath.Join(dir, DefaultKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	reid, err := InitKEK(filepath.Join(dir, DefaultReidentifyKEKFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := Init(ctx, dir, kek); err != nil { // pipeline keysets only
		t.Fatal(err)
	}
	if _, err := os.Stat(Path(dir, Reidentify)); !os.IsNotExist(err) {
		t.Fatal("Init without WithReidentifyKEK wrote reidentify.json")
	}
	if err := InitReidentify(ctx, dir, kek, kek); err == nil {
		t.Fatal("InitReidentify with one KEK for both succeeded")
	}
	if err := InitReidentify(ctx, dir, kek, reid); err != nil {
		t.Fatal(err)
	}
	checkCopy(t, dir, kek, reid)
	before, _ := os.ReadFile(Path(dir, Reidentify))
	if err := InitReidentify(ctx, dir, kek, reid); err != nil {
		t.Fatalf("second InitReidentify: %v", err)
	}
	if after, _ := os.ReadFile(Path(dir, Reidentify)); string(after) != string(before) {
		t.Error("second InitReidentify rewrote a matching copy")
	}

	// The first layout: an independent, unused AES-SIV key under the
	// pipeline KEK. It is replaced by the copy.
	h, err := keyset.NewHandle(daead.AESSIVKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	data, err := encryptKeyset(h, Reidentify, kek)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(Path(dir, Reidentify), data, 0o600)
	if err := InitReidentify(ctx, dir, kek, reid); err != nil {
		t.Fatalf("upgrade of the first layout: %v", err)
	}
	checkCopy(t, dir, kek, reid)

	// A file under a KEK it does not know is never overwritten.
	other, err := InitKEK(filepath.Join(t.TempDir(), "other.json"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ = encryptKeyset(h, Reidentify, other)
	os.WriteFile(Path(dir, Reidentify), data, 0o600)
	if err := InitReidentify(ctx, dir, kek, reid); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Fatalf("unknown file: err = %v", err)
	}
	if after, _ := os.ReadFile(Path(dir, Reidentify)); string(after) != string(data) {
		t.Error("refused InitReidentify changed the file")
	}
}

// checkCopy fails unless reidentify.json holds exactly tokens-reversible.
func checkCopy(t *testing.T, dir string, kek, reid KEK) {
	t.Helper()
	rev, err := readKeyset(dir, reversibleSpec, kek)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := readKeyset(dir, reidentifySpec, reid)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameKeys(rev, cp, true); err != nil {
		t.Fatalf("reidentify copy %v", err)
	}
}

// TestMACKeysets: Init makes the audit keyset under the re-identification
// KEK and the ledger's under the pipeline KEK; each opens only under its
// own; InitMACKeys adds them to a folder made before them; Rotate needs
// them.
func TestMACKeysets(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	if _, err := OpenAuditKey(ctx, dir, reid); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLedgerKey(ctx, dir, kek); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenAuditKey(ctx, dir, kek); err == nil || !strings.Contains(err.Error(), "wrong key-encryption key") {
		t.Errorf("audit keyset under the pipeline KEK: %v", err)
	}
	if _, err := OpenLedgerKey(ctx, dir, reid); err == nil {
		t.Error("ledger keyset opened under the re-identification KEK")
	}

	// A keys folder of the layout before the MAC keysets.
	os.Remove(Path(dir, Audit))
	os.Remove(Path(dir, AudienceLedger))
	if _, err := OpenAuditKey(ctx, dir, reid); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "veil keys init") {
		t.Errorf("missing audit keyset: %v", err)
	}
	if _, err := Rotate(ctx, dir, kek, reid); err == nil || !strings.Contains(err.Error(), "nothing changed") {
		t.Errorf("Rotate without the MAC keysets: %v", err)
	}
	created, err := InitMACKeys(ctx, dir, kek, nil)
	if err != nil || len(created) != 1 || created[0] != AudienceLedger {
		t.Fatalf("InitMACKeys without the re-identification KEK = %v, %v", created, err)
	}
	if created, err = InitMACKeys(ctx, dir, kek, reid); err != nil || len(created) != 1 || created[0] != Audit {
		t.Fatalf("InitMACKeys = %v, %v", created, err)
	}
	if created, err = InitMACKeys(ctx, dir, kek, reid); err != nil || len(created) != 0 {
		t.Fatalf("InitMACKeys again = %v, %v", created, err)
	}
	if _, err := InitMACKeys(ctx, dir, kek, kek); err == nil {
		t.Error("InitMACKeys with one KEK for both")
	}
	if _, err := Rotate(ctx, dir, kek, reid); err != nil {
		t.Fatal(err)
	}
}
