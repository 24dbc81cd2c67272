package keys

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/veil-data/veil/anonymize/keys/signing"
)

// TestReportSigner: Init makes the keyset; it signs plain 64-byte Ed25519
// signatures that the exported PEM alone verifies; it prints redacted.
func TestReportSigner(t *testing.T) {
	ctx := context.Background()
	dir, kek, _ := newKeys(t)
	if _, err := os.Stat(Path(dir, ReportSigning)); err != nil {
		t.Fatalf("Init did not make %s: %v", ReportSigning, err)
	}
	sg, err := OpenReportSigner(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("report body")
	sig, err := sg.Sign(msg)
	if err != nil || len(sig) != ed25519.SignatureSize {
		t.Fatalf("signature of %d bytes, %v", len(sig), err)
	}
	if !ed25519.Verify(sg.PublicKey().Key, msg, sig) {
		t.Fatal("crypto/ed25519 does not verify the keyset's signature")
	}
	pemPath := filepath.Join(dir, PublicKeyFile)
	b, err := os.ReadFile(pemPath)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(pemPath); st.Mode().Perm() != 0o644 {
		t.Errorf("public key mode %v, want 0644", st.Mode().Perm())
	}
	pubs, err := signing.ParsePEM(b)
	if err != nil || len(pubs) != 1 || pubs[0].KeyID != sg.KeyID() || !pubs[0].Key.Equal(sg.PublicKey().Key) {
		t.Fatalf("PEM: %+v, %v", pubs, err)
	}
	if k, err := signing.Verify(msg, sig, pubs); err != nil || k.KeyID != sg.KeyID() {
		t.Fatalf("verify with the PEM: %v", err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "signer", sg)
	for _, s := range []string{fmt.Sprint(sg), fmt.Sprintf("%+v", sg), fmt.Sprintf("%#v", sg), logged.String()} {
		if !strings.Contains(s, "REDACTED") || strings.Contains(s, "tink") {
			t.Errorf("signer prints %q", s)
		}
	}
}

// TestReportSignerMadeOnFirstNeed: a keys folder made before the keyset
// gets it on first use under its own KEK, never under another.
func TestReportSignerMadeOnFirstNeed(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	os.Remove(Path(dir, ReportSigning))
	if _, err := ReportPublicKeys(ctx, dir, kek); err == nil {
		t.Fatal("ReportPublicKeys made or found a keyset that is not there")
	}
	if _, err := OpenReportSigner(ctx, dir, reid); err == nil {
		t.Fatal("opened under the re-identification KEK")
	}
	if _, err := os.Stat(Path(dir, ReportSigning)); err == nil {
		t.Fatal("a keyset was made under the wrong KEK")
	}
	sg, err := OpenReportSigner(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	set, err := Open(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	again, err := set.ReportSigner(ctx)
	if err != nil || again.KeyID() != sg.KeyID() {
		t.Fatalf("Set.ReportSigner: %v, key %d want %d", err, again.KeyID(), sg.KeyID())
	}
}

// TestRotateReportSigning: a rotation adds a primary, keeps the old key
// for reports signed before, and rewrites the exported public key.
func TestRotateReportSigning(t *testing.T) {
	ctx := context.Background()
	dir, kek, reid := newKeys(t)
	old, err := OpenReportSigner(ctx, dir, kek)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("signed before the rotation")
	sig, _ := old.Sign(msg)
	before, _ := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	res, err := Rotate(ctx, dir, kek, reid)
	if err != nil {
		t.Fatal(err)
	}
	var rotated bool
	for _, k := range res.Keysets {
		rotated = rotated || k.Name == ReportSigning && k.OldPrimary == old.KeyID() && k.Keys == 2
	}
	if !rotated {
		t.Fatalf("rotation result %+v lacks %s", res, ReportSigning)
	}
	pubs, err := ReportPublicKeys(ctx, dir, kek)
	if err != nil || len(pubs) != 2 || pubs[0].KeyID == old.KeyID() {
		t.Fatalf("public keys after the rotation: %+v, %v", pubs, err)
	}
	if k, err := signing.Verify(msg, sig, pubs); err != nil || k.KeyID != old.KeyID() {
		t.Fatalf("old signature after the rotation: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	if bytes.Equal(before, after) || !bytes.Contains(after, []byte(fmt.Sprint(pubs[0].KeyID))) {
		t.Fatal("the exported public key did not follow the new primary")
	}
}
