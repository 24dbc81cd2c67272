// Package signing is the contract between what signs veil's reports and
// what checks them. A report file F is signed as a whole, byte for byte,
// and its signature is kept beside it as F.sig: the plain 64-byte Ed25519
// signature (RFC 8032) with no prefix or encoding, so that any Ed25519
// tool checks it with only the public key (for example
// `openssl pkeyutl -verify -pubin -inkey report-signing.pub.pem -rawin -in F -sigfile F.sig`).
//
// The package holds no private key: a Signer is made by whoever holds the
// keyset (anonymize/keys); verifying needs only PublicKeys, read from PEM
// (SubjectPublicKeyInfo) or from the keyset.
package signing

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// Ext is the suffix of a signature file: F's signature is F + Ext.
const Ext = ".sig"

// Algorithm names the signature scheme in reports.
const Algorithm = "Ed25519"

// Signer signs a report file's bytes.
//
// Rules: Sign returns the raw 64-byte Ed25519 signature of exactly data
// (nothing added, nothing hashed first), made by the key KeyID names; it
// never logs or returns key material, in its result or its errors, and is
// safe for concurrent use. PublicKey is the key that verifies what Sign
// makes.
type Signer interface {
	Sign(data []byte) ([]byte, error)
	KeyID() uint32
	PublicKey() PublicKey
}

// PublicKey is one Ed25519 verification key and the Tink key id it has in
// the report-signing keyset (0 when unknown, as from a PEM file without
// veil's comment line).
type PublicKey struct {
	KeyID uint32
	Key   ed25519.PublicKey
}

// Fingerprint is "sha256:" and the hex SHA-256 of the key's DER
// SubjectPublicKeyInfo, what `openssl pkey -pubin -outform DER | sha256sum`
// prints.
func (k PublicKey) Fingerprint() string {
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return "sha256:?"
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Name is how messages name the key: its key id when known, else its
// fingerprint.
func (k PublicKey) Name() string {
	if k.KeyID != 0 {
		return "key id " + strconv.FormatUint(uint64(k.KeyID), 10)
	}
	return "key " + k.Fingerprint()
}

// ErrBadSignature is returned when no given key verifies a signature.
var ErrBadSignature = errors.New("signature does not verify")

// Verify checks sig over data against each key and returns the key that
// verifies it. A signature of the wrong length is ErrBadSignature too.
func Verify(data, sig []byte, keys []PublicKey) (PublicKey, error) {
	if len(keys) == 0 {
		return PublicKey{}, errors.New("no public key to verify with")
	}
	if len(sig) != ed25519.SignatureSize {
		return PublicKey{}, fmt.Errorf("%w: %d bytes, an Ed25519 signature has %d", ErrBadSignature, len(sig), ed25519.SignatureSize)
	}
	for _, k := range keys {
		if len(k.Key) == ed25519.PublicKeySize && ed25519.Verify(k.Key, data, sig) {
			return k, nil
		}
	}
	if len(keys) == 1 {
		return PublicKey{}, fmt.Errorf("%w with %s: the file or its signature was changed, or another key signed it", ErrBadSignature, keys[0].Name())
	}
	return PublicKey{}, fmt.Errorf("%w with any of the %d keys: the file or its signature was changed, or another key signed it", ErrBadSignature, len(keys))
}

// pemComment is the line EncodePEM writes before the block. PEM readers
// (OpenSSL, Go's encoding/pem) skip text before "-----BEGIN".
var pemComment = regexp.MustCompile(`(?m)^# veil report-signing public key, key id ([0-9]+)\b`)

// EncodePEM returns k as a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo),
// after one comment line naming its key id.
func EncodePEM(k PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# veil report-signing public key, key id %d (%s); verify F with F%s:\n", k.KeyID, Algorithm, Ext)
	fmt.Fprintf(&b, "#   openssl pkeyutl -verify -pubin -inkey THIS_FILE -rawin -in F -sigfile F%s\n", Ext)
	if err := pem.Encode(&b, &pem.Block{Type: "PUBLIC KEY", Bytes: der}); err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return b.Bytes(), nil
}

// ParsePEM reads every Ed25519 "PUBLIC KEY" block of b; the key id comes
// from veil's comment line before a block, if there is one.
func ParsePEM(b []byte) ([]PublicKey, error) {
	var out []PublicKey
	rest := b
	for {
		start := len(b) - len(rest)
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "PUBLIC KEY" {
			continue
		}
		pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		ed, ok := pub.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key: %T is not an Ed25519 key", pub)
		}
		k := PublicKey{Key: ed}
		// The comment is the last one before this block's end.
		head := b[start : len(b)-len(rest)]
		if m := pemComment.FindAllSubmatch(head, -1); len(m) > 0 {
			id, _ := strconv.ParseUint(string(m[len(m)-1][1]), 10, 32)
			k.KeyID = uint32(id)
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM \"PUBLIC KEY\" block found")
	}
	return out, nil
}
