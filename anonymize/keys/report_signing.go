package keys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/signature"
	tinked "github.com/tink-crypto/tink-go/v2/signature/ed25519"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/veil-data/veil/anonymize/keys/signing"
)

// ReportSigning is the Ed25519 keyset that signs the compliance reports,
// under the pipeline KEK: the report stage runs with that KEK and no
// other. Its keys have no output prefix, so a signature is the plain
// 64-byte Ed25519 signature any tool checks with the public key alone.
const ReportSigning = "report-signing"

// PublicKeyFile is where the report-signing primary's public key is kept
// for auditors, as PEM, beside the keysets.
const PublicKeyFile = "report-signing.pub.pem"

var reportSigningSpec = keysetSpec{ReportSigning, "signature", signature.ED25519KeyWithoutPrefixTemplate, "--kek / $" + EnvKEK}

// ReportSigner is the opened report-signing keyset: it signs with the
// primary key and lists every key's public half. It implements
// signing.Signer, is safe for concurrent use and prints redacted.
type ReportSigner struct {
	info    KeysetInfo
	s       tink.Signer
	primary signing.PublicKey
	public  []signing.PublicKey
}

var _ signing.Signer = (*ReportSigner)(nil)

// Sign returns the raw Ed25519 signature of data by the primary key.
func (r *ReportSigner) Sign(data []byte) ([]byte, error) { return r.s.Sign(data) }

// KeyID returns the primary key's id.
func (r *ReportSigner) KeyID() uint32 { return r.info.PrimaryKeyID }

// PublicKey returns the primary key's public half.
func (r *ReportSigner) PublicKey() signing.PublicKey { return r.primary }

// PublicKeys returns the public half of every enabled key, primary first,
// so reports signed before a rotation still verify.
func (r *ReportSigner) PublicKeys() []signing.PublicKey {
	return append([]signing.PublicKey(nil), r.public...)
}

// Info describes the keyset (key ids, statuses), never material.
func (r *ReportSigner) Info() KeysetInfo { return r.info.clone() }

// String returns a summary without key material.
func (r ReportSigner) String() string {
	return r.info.redacted("keys.ReportSigner")
}

// GoString is String, so %#v is redacted too.
func (r ReportSigner) GoString() string { return r.String() }

// Format prints String for every verb.
func (r ReportSigner) Format(f fmt.State, _ rune) { io.WriteString(f, r.String()) }

// LogValue implements slog.LogValuer.
func (r ReportSigner) LogValue() slog.Value {
	return r.info.logValue()
}

// OpenReportSigner opens report-signing.json in dir under the pipeline
// KEK, creating it first if the folder was made before it (the way the
// appeals log's keyset is made on first use), and keeps
// report-signing.pub.pem in dir equal to the primary's public key. The
// KEK must be the one of the folder's token keysets.
func OpenReportSigner(ctx context.Context, dir string, kek KEK) (*ReportSigner, error) {
	if kek == nil {
		return nil, fmt.Errorf("keys: open keyset %q: no key-encryption key", ReportSigning)
	}
	if _, err := os.Lstat(Path(dir, ReportSigning)); errors.Is(err, os.ErrNotExist) {
		if _, err := Open(ctx, dir, kek); err != nil { // the KEK is this folder's
			return nil, err
		}
		unlock, err := lockDir(dir)
		if err != nil {
			return nil, err
		}
		_, err = initMAC(ctx, dir, reportSigningSpec, kek) // writes any spec's fresh keyset
		syncDir(dir)
		unlock()
		if err != nil {
			return nil, err
		}
	}
	r, err := ReadReportSigner(ctx, dir, kek)
	if err != nil {
		return nil, err
	}
	if err := r.writePublicKey(filepath.Join(dir, PublicKeyFile)); err != nil {
		return nil, err
	}
	return r, nil
}

// ReadReportSigner reads report-signing.json in dir under kek without
// creating it or writing the public key file: for commands that only look
// (`veil keys info`, `veil report verify --keys`).
func ReadReportSigner(ctx context.Context, dir string, kek KEK) (*ReportSigner, error) {
	if kek == nil {
		return nil, fmt.Errorf("keys: open keyset %q: no key-encryption key", ReportSigning)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("keys: open keyset %q in %s: %w", ReportSigning, dir, err)
	}
	h, err := readKeyset(dir, reportSigningSpec, kek)
	if err != nil {
		return nil, err
	}
	r, err := newReportSigner(h)
	if err != nil {
		return nil, fmt.Errorf("keys: keyset %q (%s): %w", ReportSigning, Path(dir, ReportSigning), err)
	}
	return r, nil
}

func newReportSigner(h *keyset.Handle) (*ReportSigner, error) {
	s, err := signature.NewSigner(h)
	if err != nil {
		return nil, fmt.Errorf("not a signature keyset: %w", err)
	}
	r := &ReportSigner{info: infoOf(ReportSigning, reportSigningSpec.primitive, h), s: s}
	pub, err := h.Public()
	if err != nil {
		return nil, fmt.Errorf("public keyset: %w", err)
	}
	for i := range pub.Len() {
		e, err := pub.Entry(i)
		if err != nil {
			return nil, fmt.Errorf("public keyset: %w", err)
		}
		if e.KeyStatus() != keyset.Enabled {
			continue
		}
		k, ok := e.Key().(*tinked.PublicKey)
		if !ok {
			return nil, fmt.Errorf("key %d is %T, not an Ed25519 key", e.KeyID(), e.Key())
		}
		if len(k.OutputPrefix()) != 0 {
			return nil, fmt.Errorf("key %d has a Tink output prefix: its signatures would not be plain Ed25519", e.KeyID())
		}
		pk := signing.PublicKey{KeyID: e.KeyID(), Key: k.KeyBytes()}
		if e.IsPrimary() {
			r.primary = pk
			r.public = append([]signing.PublicKey{pk}, r.public...)
		} else {
			r.public = append(r.public, pk)
		}
	}
	return r, nil
}

// writePublicKey rewrites path with the primary's PEM when it differs (a
// new keyset, or a rotation since).
func (r *ReportSigner) writePublicKey(path string) error {
	b, err := signing.EncodePEM(r.primary)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(path); err == nil && string(old) == string(b) {
		return nil
	}
	if err := replaceFile(path, b); err != nil {
		return fmt.Errorf("keys: write public key %s: %w", path, err)
	}
	return os.Chmod(path, 0o644) // public: auditors read it
}

// ReportSigner opens the report-signing keyset of the Set's folder under
// the Set's KEK (see OpenReportSigner).
func (s *Set) ReportSigner(ctx context.Context) (*ReportSigner, error) {
	return OpenReportSigner(ctx, s.dir, s.kek)
}

// ReportPublicKeys reads the public half of every enabled report-signing
// key in dir under kek, primary first, without creating anything: what
// `veil report verify --keys` checks against, so reports signed before a
// rotation still verify.
func ReportPublicKeys(ctx context.Context, dir string, kek KEK) ([]signing.PublicKey, error) {
	r, err := ReadReportSigner(ctx, dir, kek)
	if err != nil {
		return nil, err
	}
	return r.PublicKeys(), nil
}
