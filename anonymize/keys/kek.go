// Package keys manages veil's Tink keysets and the key-encryption key (KEK)
// that protects them at rest.
//
// Layout of a keys folder (mode 0700, every file 0600):
//
//	kek.json                the embedded default KEK (cleartext; stand-in for a KMS key)
//	tokens-reversible.json  deterministic AEAD (AES256-SIV): reversible tokens
//	tokens-oneway.json      PRF (HMAC-SHA256): one-way tokens
//	reidentify.json         AES256-SIV, reserved for the audited re-identification path
//
// Each keyset file is a Tink encrypted keyset (JSON) encrypted under the KEK
// with the keyset name as associated data, so a file renamed to another
// keyset's name does not decrypt. Key material never appears in errors,
// logs or formatted output: every type here that holds material prints a
// redacted summary under fmt (any verb) and slog.
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

// EnvKEK is the environment variable that names the KEK file when no flag does.
const EnvKEK = "VEIL_KEK"

// DefaultKEKFile is the KEK file name inside the keys folder when neither the
// flag nor EnvKEK names one.
const DefaultKEKFile = "kek.json"

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
		return nil, fmt.Errorf("keys: key-encryption key %s not found: create one with `veil keys init`, or point --kek or $%s at the right file", path, EnvKEK)
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
