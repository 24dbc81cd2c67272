// Package keys manages veil's Tink keysets and the key-encryption keys
// (KEKs) that protect them at rest.
//
// Layout of a keys folder (mode 0700, every file 0600):
//
//	kek.json                the pipeline's KEK (cleartext; stand-in for a KMS key)
//	tokens-reversible.json  deterministic AEAD (AES256-SIV): reversible tokens, under kek.json
//	tokens-oneway.json      PRF (HMAC-SHA256): one-way tokens, under kek.json
//	reidentify.json         a copy of tokens-reversible, under the re-identification KEK
//	audit.json              MAC (HMAC-SHA256) of the re-identification audit log, under
//	                        the re-identification KEK
//	audience-ledger.json    MAC (HMAC-SHA256) of the audience ledger, under kek.json
//	appeals.json            MAC (HMAC-SHA256) of the appeals decision log, under kek.json
//	reidentify-kek.json     the re-identification KEK (embedded default only; in
//	                        production it is not here but held by compliance)
//	audit-anchor.json       where the audit log ends (package audit; not a keyset)
//	audience-ledger-anchor.json  where the audience ledger ends (package audience)
//	appeals-anchor.json     where the appeals decision log ends (package risk/appeals)
//
// Each keyset file is a Tink encrypted keyset (JSON) encrypted under its KEK
// with the keyset name as associated data, so a file renamed to another
// keyset's name does not decrypt. Tink also stores each keyset's KeysetInfo
// (key ids, statuses, type URLs; no material) in clear beside the
// ciphertext. Key material never appears in errors, logs or formatted
// output: every type here that holds material prints a redacted summary
// under fmt (any verb) and slog.
//
// # Re-identification: a separation of custody, not of cryptography
//
// AES-SIV is symmetric: the key that makes a reversible token is the key
// that opens it. reidentify.json therefore holds the same key material as
// tokens-reversible.json; what differs is the KEK that wraps it. The
// pipeline is given only the pipeline KEK and only ever reads the two token
// keysets (Open), and its API offers encryption, not decryption
// (Deterministic has no Decrypt). The decrypt path, OpenReidentify and
// anonymize.Revealer, reads only reidentify.json, under the
// re-identification KEK. Whoever holds the pipeline KEK and the keyset
// files can still decrypt tokens by writing their own code: the separation
// limits who is handed a decrypt path and makes every sanctioned reveal go
// through an audited command; it does not make tokens cryptographically
// irreversible for the pipeline's operators. Its strength is that of the
// custody of the two KEKs, which is why in production they are two KMS
// keys with different holders.
//
// # Plugging in a KMS
//
// A KEK is anything that implements tink.AEAD and names itself with ID
// (never with material). Tink's KMS integrations already give the AEAD:
// gcpkms.NewClientWithOptions(ctx, "gcp-kms://...") from
// github.com/tink-crypto/tink-go-gcpkms, or awskms from tink-go-awskms,
// return a client whose GetAEAD(keyURI) is the KMS key as a tink.AEAD.
// Wrap it in a two-line type whose ID returns the key URI and pass it to
// Init, Open, OpenReidentify and Rotate in place of a LocalKEK; veil itself
// carries no KMS dependency. The pipeline's service account is granted the
// pipeline key only; the re-identification key's decrypt permission goes
// to compliance. Rotate decrypts the re-identification copy to check it
// before replacing it, so a rotation is done with its holder present.
//
// Rotation (Rotate) adds a key to every keyset, makes it primary and keeps
// the old keys enabled, so tokens made before it still re-identify and log
// entries made before it still verify.
package keys

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Environment variables that name KEK files when no flag does.
const (
	// EnvKEK names the pipeline KEK.
	EnvKEK = "VEIL_KEK"
	// EnvReidentifyKEK names the re-identification KEK.
	EnvReidentifyKEK = "VEIL_REID_KEK"
)

// KEK file names inside the keys folder when neither a flag nor the
// environment names one.
const (
	DefaultKEKFile           = "kek.json"
	DefaultReidentifyKEKFile = "reidentify-kek.json"
)

// KEK is a key-encryption key: the AEAD that encrypts keysets at rest.
// LocalKEK is the embedded default; production plugs a KMS-backed AEAD.
type KEK interface {
	tink.AEAD
	// ID identifies the key (never its material), for reports and errors,
	// e.g. "local:1234567890" or a KMS key URI.
	ID() string
}

// ResolveKEKPath returns the KEK file to use: the flag value if set, else
// $VEIL_KEK if set, else <keysDir>/kek.json.
func ResolveKEKPath(flag, keysDir string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv(EnvKEK); env != "" {
		return env
	}
	return filepath.Join(keysDir, DefaultKEKFile)
}

// ResolveReidentifyKEKPath returns the re-identification KEK file to use:
// the flag value if set, else $VEIL_REID_KEK if set, else
// <keysDir>/reidentify-kek.json.
func ResolveReidentifyKEKPath(flag, keysDir string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv(EnvReidentifyKEK); env != "" {
		return env
	}
	return filepath.Join(keysDir, DefaultReidentifyKEKFile)
}

// LocalKEK is a KEK held in a local file as a cleartext Tink AES256-GCM
// keyset. It stands in for a KMS key: whoever can read the file can decrypt
// every keyset, so the file must be mode 0600 and kept apart from backups
// of the keysets.
type LocalKEK struct {
	path  string
	keyID uint32
	aead  tink.AEAD
}

// InitKEK creates a new local KEK at path (mode 0600, parent folders 0700)
// and returns it. It refuses to overwrite an existing file.
func InitKEK(path string) (*LocalKEK, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("keys: create folder for key-encryption key %s: %w", path, err)
	}
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keys: generate key-encryption key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("keys: key-encryption key %s already exists: refusing to overwrite it (every keyset encrypted under it would become unreadable)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: create key-encryption key %s: %w", path, err)
	}
	werr := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(f))
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path) // we created it; do not leave a half-written key behind
		return nil, fmt.Errorf("keys: write key-encryption key %s: %w", path, werr)
	}
	syncDir(filepath.Dir(path))
	return newLocalKEK(path, h)
}

// LoadKEK reads the local KEK at path. A file that group or others may read
// or write is refused.
func LoadKEK(path string) (*LocalKEK, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keys: key-encryption key %s not found: create one with `veil keys init`, or point --kek / $%s (pipeline) or --reid-kek / $%s (re-identification) at the right file", path, EnvKEK, EnvReidentifyKEK)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: open key-encryption key %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keys: stat key-encryption key %s: %w", path, err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("keys: key-encryption key %s is accessible to group or others (mode %04o): run chmod 600 on it, and rotate the keys if others may have read it", path, perm)
	}
	// insecurecleartextkeyset.Read reports a generic error without echoing
	// the file, so nothing of the material reaches the message.
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(f))
	if err != nil {
		return nil, fmt.Errorf("keys: read key-encryption key %s: corrupt file (not a Tink JSON keyset): restore it from backup", path)
	}
	return newLocalKEK(path, h)
}

func newLocalKEK(path string, h *keyset.Handle) (*LocalKEK, error) {
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("keys: key-encryption key %s is not an AEAD keyset: %w", path, err)
	}
	return &LocalKEK{path: path, keyID: h.KeysetInfo().GetPrimaryKeyId(), aead: a}, nil
}

// Encrypt implements tink.AEAD.
func (k *LocalKEK) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	return k.aead.Encrypt(plaintext, associatedData)
}

// Decrypt implements tink.AEAD.
func (k *LocalKEK) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	return k.aead.Decrypt(ciphertext, associatedData)
}

// ID returns "local:<primary key id>".
func (k *LocalKEK) ID() string { return fmt.Sprintf("local:%d", k.keyID) }

// Path returns the file the KEK was loaded from.
func (k *LocalKEK) Path() string { return k.path }

// String returns a summary without key material.
func (k LocalKEK) String() string {
	return fmt.Sprintf("keys.LocalKEK{id: local:%d, path: %s, material: REDACTED}", k.keyID, k.path)
}

// GoString is String, so %#v is redacted too.
func (k LocalKEK) GoString() string { return k.String() }

// Format prints String for every verb, so no verb reaches the fields.
func (k LocalKEK) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// LogValue implements slog.LogValuer.
func (k LocalKEK) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", fmt.Sprintf("local:%d", k.keyID)),
		slog.String("path", k.path),
		slog.String("material", "REDACTED"))
}

// syncDir makes a new directory entry durable; errors are ignored because
// some file systems cannot sync directories.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
