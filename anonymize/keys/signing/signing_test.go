package signing

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

func key(seed byte, id uint32) (ed25519.PrivateKey, PublicKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv, PublicKey{KeyID: id, Key: priv.Public().(ed25519.PublicKey)}
}

func TestPEMRoundTrip(t *testing.T) {
	_, a := key(1, 7)
	_, b := key(2, 0)
	pa, err := EncodePEM(a)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := EncodePEM(b)
	got, err := ParsePEM(append(pa, pb...))
	if err != nil || len(got) != 2 {
		t.Fatalf("ParsePEM: %+v, %v", got, err)
	}
	if got[0].KeyID != 7 || !got[0].Key.Equal(a.Key) || got[1].KeyID != 0 || !got[1].Key.Equal(b.Key) {
		t.Fatalf("keys %+v", got)
	}
	if got[0].Name() != "key id 7" || got[1].Name() != "key "+b.Fingerprint() {
		t.Errorf("names %q %q", got[0].Name(), got[1].Name())
	}
	if _, err := ParsePEM([]byte("not a key")); err == nil {
		t.Error("ParsePEM accepted text without a block")
	}
}

func TestVerify(t *testing.T) {
	privA, a := key(1, 1)
	_, b := key(2, 2)
	msg := []byte("report")
	sig := ed25519.Sign(privA, msg)
	if k, err := Verify(msg, sig, []PublicKey{b, a}); err != nil || k.KeyID != 1 {
		t.Fatalf("Verify = %+v, %v", k, err)
	}
	for name, c := range map[string]struct {
		msg, sig []byte
		keys     []PublicKey
	}{
		"changed byte": {[]byte("reporT"), sig, []PublicKey{a}},
		"other key":    {msg, sig, []PublicKey{b}},
		"short sig":    {msg, sig[:63], []PublicKey{a}},
	} {
		if _, err := Verify(c.msg, c.sig, c.keys); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadSignature", name, err)
		}
	}
	if _, err := Verify(msg, sig, nil); err == nil {
		t.Error("Verify without keys passed")
	}
}
