package keys

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRotate(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	before, err := Open(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := before.Reversible().EncryptDeterministically([]byte("u1"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	oldIDs := map[string]uint32{}
	for _, in := range before.Info() {
		oldIDs[in.Name] = in.PrimaryKeyID
	}
	oldIDs[Reidentify] = oldIDs[TokensReversible]
	auditKey, err := OpenAuditKey(ctx, dir, reid)
	if err != nil {
		t.Fatal(err)
	}
	ledgerKey, err := OpenLedgerKey(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	appealsKey, err := OpenAppealsKey(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	oldIDs[Audit], oldIDs[AudienceLedger] = auditKey.Info().PrimaryKeyID, ledgerKey.Info().PrimaryKeyID
	oldIDs[Appeals] = appealsKey.Info().PrimaryKeyID
	signer, err := OpenReportSigner(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	oldIDs[ReportSigning] = signer.KeyID()
	tag, err := auditKey.ComputeMAC([]byte("entry"))
	if err != nil {
		t.Fatal(err)
	}

	for round := 1; round <= 2; round++ {
		res, err := Rotate(ctx, dir, kek, reid)
		if err != nil {
			t.Fatalf("rotation %d: %v", round, err)
		}
		if len(res.Keysets) != 7 {
			t.Fatalf("result %+v, want 7 keysets", res)
		}
		for _, k := range res.Keysets {
			if k.OldPrimary != oldIDs[k.Name] || k.NewPrimary == k.OldPrimary || k.Keys != round+1 {
				t.Errorf("rotation %d: %+v, old primary want %d", round, k, oldIDs[k.Name])
			}
			oldIDs[k.Name] = k.NewPrimary
		}
		if res.Keysets[0].NewPrimary != res.Keysets[2].NewPrimary {
			t.Errorf("copy's new primary %d differs from tokens-reversible's %d", res.Keysets[2].NewPrimary, res.Keysets[0].NewPrimary)
		}
		checkCopy(t, dir, kek, reid)
	}

	after, err := Open(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range after.Info() {
		if in.PrimaryKeyID != oldIDs[in.Name] || len(in.Keys) != 3 {
			t.Errorf("%s: primary %d of %d keys, want %d of 3", in.Name, in.PrimaryKeyID, len(in.Keys), oldIDs[in.Name])
		}
		for _, k := range in.Keys {
			if k.Status != "ENABLED" {
				t.Errorf("%s key %d is %s after rotation, want ENABLED", in.Name, k.ID, k.Status)
			}
		}
	}
	r, err := OpenReidentify(ctx, dir, reid)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := r.DecryptDeterministically(ct, []byte("ad")); err != nil || string(pt) != "u1" {
		t.Fatalf("ciphertext from before the rotations = %q, %v", pt, err)
	}
	// A MAC made before the rotations still verifies.
	auditKey, err = OpenAuditKey(ctx, dir, reid)
	if err != nil || auditKey.Info().PrimaryKeyID != oldIDs[Audit] || len(auditKey.Info().Keys) != 3 {
		t.Fatalf("audit keyset after rotations: %v, %v", auditKey, err)
	}
	if err := auditKey.VerifyMAC(tag, []byte("entry")); err != nil {
		t.Fatalf("MAC from before the rotations: %v", err)
	}
	ct2, _ := after.Reversible().EncryptDeterministically([]byte("u1"), []byte("ad"))
	if string(ct2) == string(ct) {
		t.Error("the same value encrypts the same after rotation")
	}
	for _, f := range []string{TokensReversible, TokensOneWay, Reidentify, Audit, AudienceLedger, Appeals} {
		if st, err := os.Stat(Path(dir, f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s after rotation: %v %v", f, st.Mode(), err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("rotation left temporary files: %v", left)
	}
}

func TestRotateFailsCleanly(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	material := append(kekMaterial(t, kek.Path()), kekMaterial(t, reid.Path())...)
	other, err := InitKEK(filepath.Join(t.TempDir(), "other.json"))
	if err != nil {
		t.Fatal(err)
	}
	otherDir, otherKEK, otherReid := newKeys(t)

	variant := func(edit func(d string)) string {
		d := t.TempDir()
		copyDir(t, dir, d)
		edit(d)
		return d
	}
	noReid := variant(func(d string) { os.Remove(Path(d, Reidentify)) })
	noOneWay := variant(func(d string) { os.Remove(Path(d, TokensOneWay)) })
	// A copy from another folder, re-wrapped under this folder's reid KEK:
	// it opens, but lacks this folder's keys.
	foreign := variant(func(d string) {
		h, err := readKeyset(otherDir, reidentifySpec, otherReid)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := encryptKeyset(h, Reidentify, reid)
		os.WriteFile(Path(d, Reidentify), data, 0o600)
	})
	_ = otherKEK

	tests := []struct {
		name      string
		dir       string
		kek, reid KEK
		want      string
	}{
		{"wrong KEK", dir, other, reid, "wrong key-encryption key"},
		{"wrong reid KEK", dir, kek, other, `keyset "reidentify"`},
		{"reid KEK given as pipeline KEK", dir, reid, reid, "must differ"},
		{"missing reidentify", noReid, kek, reid, "not found"},
		{"missing one-way", noOneWay, kek, reid, "not found"},
		{"copy lacks keys", foreign, kek, reid, "lacks key"},
		{"missing folder", filepath.Join(dir, "nope"), kek, reid, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, tt.dir)
			_, err := Rotate(ctx, tt.dir, tt.kek, tt.reid)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			assertNoMaterial(t, err.Error(), material)
			if after := snapshot(t, tt.dir); after != before {
				t.Errorf("failed rotation changed the folder:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestRotateCompletesInterrupted: a crash after the copy was replaced but
// before tokens-reversible was leaves the copy a superset; the next Rotate
// accepts it and leaves an exact copy.
func TestRotateCompletesInterrupted(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	ahead := t.TempDir()
	copyDir(t, dir, ahead)
	if _, err := Rotate(ctx, ahead, kek, reid); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(Path(ahead, Reidentify))
	os.WriteFile(Path(dir, Reidentify), b, 0o600)

	if _, err := Rotate(ctx, dir, kek, reid); err != nil {
		t.Fatalf("rotation after an interrupted one: %v", err)
	}
	checkCopy(t, dir, kek, reid)
}

// snapshot returns the folder's file names and content hashes, for
// comparison (hashes, so a failure prints no key material).
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return "absent"
	}
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range ents {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s:%x;", e.Name(), sha256.Sum256(data))
	}
	return b.String()
}
