package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/daead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
)

// Keyset names; each is stored as <dir>/<name>.json and used as the
// associated data of its encryption under the KEK.
const (
	// TokensReversible is the deterministic AEAD (AES256-SIV) keyset of
	// reversible tokens.
	TokensReversible = "tokens-reversible"
	// TokensOneWay is the PRF (HMAC-SHA256) keyset of one-way tokens.
	TokensOneWay = "tokens-oneway"
	// Reidentify is an AES256-SIV keyset reserved for the audited
	// re-identification path (blacklist enforcement, appeals), which a later
	// change builds. It is created by Init now so that the on-disk layout is
	// stable and no existing keys folder ever has to gain a file; Open
	// decrypts and checks it but exposes no primitive for it yet.
	Reidentify = "reidentify"
)

type keysetSpec struct {
	name      string
	primitive string
	template  func() *tinkpb.KeyTemplate
}

var specs = []keysetSpec{
	{TokensReversible, "deterministic_aead", daead.AESSIVKeyTemplate},
	{TokensOneWay, "prf", prf.HMACSHA256PRFKeyTemplate},
	{Reidentify, "deterministic_aead", daead.AESSIVKeyTemplate},
}

// Path returns the file of the named keyset in dir.
func Path(dir, name string) string { return filepath.Join(dir, name+".json") }

// Init creates dir (mode 0700) and in it every keyset, each freshly generated
// and encrypted under kek (files 0600). It refuses to overwrite: if any
// keyset file exists it writes nothing; if it fails part-way it removes the
// files it created.
func Init(ctx context.Context, dir string, kek KEK) error {
	if kek == nil {
		return errors.New("keys: init: no key-encryption key")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keys: create keys folder %s: %w", dir, err)
	}
	for _, s := range specs {
		p := Path(dir, s.name)
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("keys: keyset %q (%s) already exists: refusing to overwrite it (tokens made with it could no longer be matched or revealed); use a new keys folder or rotate instead", s.name, p)
		}
	}
	var created []string
	for _, s := range specs {
		if err := ctx.Err(); err != nil {
			removeAll(created)
			return fmt.Errorf("keys: init %s: %w", dir, err)
		}
		p := Path(dir, s.name)
		if err := writeKeyset(p, s, kek); err != nil {
			removeAll(created)
			return err
		}
		created = append(created, p)
	}
	syncDir(dir)
	return nil
}

func writeKeyset(path string, s keysetSpec, kek KEK) error {
	h, err := keyset.NewHandle(s.template())
	if err != nil {
		return fmt.Errorf("keys: generate keyset %q: %w", s.name, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("keys: keyset %q (%s) already exists: refusing to overwrite it", s.name, path)
	}
	if err != nil {
		return fmt.Errorf("keys: create keyset %q (%s): %w", s.name, path, err)
	}
	werr := h.WriteWithAssociatedData(keyset.NewJSONWriter(f), kek, []byte(s.name))
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return fmt.Errorf("keys: write keyset %q (%s) under key-encryption key %s: %w", s.name, path, kek.ID(), werr)
	}
	return nil
}

func removeAll(paths []string) {
	for _, p := range paths {
		os.Remove(p)
	}
}

// Open reads and decrypts every keyset in dir under kek. Errors name the
// keyset and its file and say what to do; they never carry key material.
func Open(ctx context.Context, dir string, kek KEK) (*Set, error) {
	if kek == nil {
		return nil, errors.New("keys: open: no key-encryption key")
	}
	s := &Set{dir: dir, kekID: kek.ID()}
	for _, spec := range specs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("keys: open %s: %w", dir, err)
		}
		h, err := readKeyset(Path(dir, spec.name), spec.name, kek)
		if err != nil {
			return nil, err
		}
		if err := s.add(spec, h); err != nil {
			return nil, fmt.Errorf("keys: keyset %q (%s): %w", spec.name, Path(dir, spec.name), err)
		}
	}
	return s, nil
}

func readKeyset(path, name string, kek KEK) (*keyset.Handle, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keys: keyset %q (%s) not found: create the keysets with `veil keys init`, or point at the keys folder that holds them", name, path)
	}
	if err != nil {
		return nil, fmt.Errorf("keys: open keyset %q (%s): %w", name, path, err)
	}
	defer f.Close()
	r := &encryptedReader{r: keyset.NewJSONReader(f)}
	h, err := keyset.ReadWithAssociatedData(r, kek, []byte(name))
	if r.malformed {
		return nil, fmt.Errorf("keys: read keyset %q (%s): corrupt file (not a Tink encrypted keyset in JSON): restore it from backup", name, path)
	}
	if err != nil {
		// Tink's decryption errors are fixed texts without plaintext.
		return nil, fmt.Errorf("keys: decrypt keyset %q (%s): wrong key-encryption key (%s) or corrupt file: check --kek / $%s, or restore the file from backup: %w", name, path, kek.ID(), EnvKEK, err)
	}
	return h, nil
}

// encryptedReader reads only encrypted keysets, and hides the JSON parser's
// message, which may quote the file: a cleartext keyset put in the wrong
// place must not reach an error.
type encryptedReader struct {
	r         *keyset.JSONReader
	malformed bool
}

func (e *encryptedReader) Read() (*tinkpb.Keyset, error) {
	e.malformed = true
	return nil, errors.New("keys: cleartext keyset refused")
}

func (e *encryptedReader) ReadEncrypted() (*tinkpb.EncryptedKeyset, error) {
	ks, err := e.r.ReadEncrypted()
	if err != nil {
		e.malformed = true
		return nil, errors.New("keys: malformed encrypted keyset")
	}
	return ks, nil
}
