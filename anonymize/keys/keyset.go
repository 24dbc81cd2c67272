package keys

import (
	"bytes"
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
// associated data of its encryption under its KEK.
const (
	// TokensReversible is the deterministic AEAD (AES256-SIV) keyset of
	// reversible tokens, under the pipeline KEK.
	TokensReversible = "tokens-reversible"
	// TokensOneWay is the PRF (HMAC-SHA256) keyset of one-way tokens, under
	// the pipeline KEK.
	TokensOneWay = "tokens-oneway"
	// Reidentify is the copy of TokensReversible under the
	// re-identification KEK: the only keyset the decrypt path reads.
	Reidentify = "reidentify"
)

type keysetSpec struct {
	name      string
	primitive string
	template  func() *tinkpb.KeyTemplate
	kekHint   string // where the KEK that opens it comes from, for errors
}

var (
	reversibleSpec = keysetSpec{TokensReversible, "deterministic_aead", daead.AESSIVKeyTemplate, "--kek / $" + EnvKEK}
	oneWaySpec     = keysetSpec{TokensOneWay, "prf", prf.HMACSHA256PRFKeyTemplate, "--kek / $" + EnvKEK}
	reidentifySpec = keysetSpec{Reidentify, "deterministic_aead", daead.AESSIVKeyTemplate, "--reid-kek / $" + EnvReidentifyKEK}
)

// pipelineSpecs are the keysets Open reads, under the pipeline KEK.
var pipelineSpecs = []keysetSpec{reversibleSpec, oneWaySpec}

// Path returns the file of the named keyset in dir.
func Path(dir, name string) string { return filepath.Join(dir, name+".json") }

// InitOption configures Init.
type InitOption func(*initOptions)

type initOptions struct{ reidKEK KEK }

// WithReidentifyKEK makes Init also write reidentify.json, the copy of
// tokens-reversible under reidKEK. Without it Init writes only the
// pipeline's keysets; InitReidentify adds the copy later.
func WithReidentifyKEK(reidKEK KEK) InitOption {
	return func(o *initOptions) { o.reidKEK = reidKEK }
}

// Init creates dir (mode 0700) and in it fresh token keysets and the
// audience ledger's and appeals log's MAC keysets and the report-signing
// keyset encrypted under kek (files 0600), and with
// WithReidentifyKEK the re-identification copy and the audit log's MAC
// keyset under it.
// It refuses to overwrite: if any keyset file exists it writes nothing; if
// it fails part-way it removes the files it created.
func Init(ctx context.Context, dir string, kek KEK, opts ...InitOption) error {
	var o initOptions
	for _, opt := range opts {
		opt(&o)
	}
	if kek == nil {
		return errors.New("keys: init: no key-encryption key")
	}
	if o.reidKEK != nil && o.reidKEK.ID() == kek.ID() {
		return fmt.Errorf("keys: init %s: the re-identification key-encryption key must differ from the pipeline's (both are %s)", dir, kek.ID())
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keys: create keys folder %s: %w", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	names := []string{TokensReversible, TokensOneWay, Reidentify, Audit, AudienceLedger, Appeals, ReportSigning}
	for _, name := range names {
		p := Path(dir, name)
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("keys: keyset %q (%s) already exists: refusing to overwrite it (tokens made with it could no longer be matched or revealed); use a new keys folder or rotate instead", name, p)
		}
	}

	handles := make(map[string]*keyset.Handle)
	for _, s := range append(pipelineSpecs, auditSpec, ledgerSpec, appealsSpec, reportSigningSpec) {
		h, err := keyset.NewHandle(s.template())
		if err != nil {
			return fmt.Errorf("keys: generate keyset %q: %w", s.name, err)
		}
		handles[s.name] = h
	}
	type file struct {
		spec keysetSpec
		h    *keyset.Handle
		kek  KEK
	}
	files := []file{{reversibleSpec, handles[TokensReversible], kek}, {oneWaySpec, handles[TokensOneWay], kek}, {ledgerSpec, handles[AudienceLedger], kek}, {appealsSpec, handles[Appeals], kek}, {reportSigningSpec, handles[ReportSigning], kek}}
	if o.reidKEK != nil {
		// The same handle: the copy must open every token the pipeline makes.
		files = append(files, file{reidentifySpec, handles[TokensReversible], o.reidKEK}, file{auditSpec, handles[Audit], o.reidKEK})
	}
	var created []string
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			removeAll(created)
			return fmt.Errorf("keys: init %s: %w", dir, err)
		}
		p := Path(dir, f.spec.name)
		data, err := encryptKeyset(f.h, f.spec.name, f.kek)
		if err == nil {
			err = writeNew(p, data)
		}
		if err != nil {
			removeAll(created)
			return fmt.Errorf("keys: write keyset %q (%s) under key-encryption key %s: %w", f.spec.name, p, f.kek.ID(), err)
		}
		created = append(created, p)
	}
	syncDir(dir)
	return nil
}

// encryptKeyset returns the Tink JSON encrypted keyset of h under kek, with
// the keyset name as associated data.
func encryptKeyset(h *keyset.Handle, name string, kek KEK) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewJSONWriter(&buf), kek, []byte(name)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeNew creates path (0600) with data and syncs it; it fails if path
// exists.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists: refusing to overwrite it", path)
	}
	if err != nil {
		return err
	}
	return fill(f, data) // we created it; on failure it is removed, not left half-written
}

// stageFile writes data to a new temporary file (0600) beside path and
// syncs it, so that a rename can later replace path atomically.
func stageFile(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	if err := fill(f, data); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// fill writes data to the new file f, syncs and closes it; on any failure
// it removes the file.
func fill(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// replaceFile replaces path with data atomically: temp file, fsync, rename,
// directory sync.
func replaceFile(path string, data []byte) error {
	tmp, err := stageFile(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

func removeAll(paths []string) {
	for _, p := range paths {
		os.Remove(p)
	}
}

// Open reads and decrypts the pipeline's keysets (tokens-reversible and
// tokens-oneway) in dir under kek. It never reads reidentify.json. Errors
// name the keyset and its file and say what to do; they never carry key
// material.
func Open(ctx context.Context, dir string, kek KEK) (*Set, error) {
	if kek == nil {
		return nil, errors.New("keys: open: no key-encryption key")
	}
	s := &Set{dir: dir, kekID: kek.ID(), kek: kek}
	for _, spec := range pipelineSpecs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("keys: open %s: %w", dir, err)
		}
		h, err := readKeyset(dir, spec, kek)
		if err != nil {
			return nil, err
		}
		if err := s.add(spec, h); err != nil {
			return nil, fmt.Errorf("keys: keyset %q (%s): %w", spec.name, Path(dir, spec.name), err)
		}
	}
	return s, nil
}

func readKeyset(dir string, spec keysetSpec, kek KEK) (*keyset.Handle, error) {
	path, name := Path(dir, spec.name), spec.name
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keys: keyset %q (%s) not found: create the keysets with `veil keys init`, or point at the keys folder that holds them: %w", name, path, os.ErrNotExist)
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
		return nil, fmt.Errorf("keys: decrypt keyset %q (%s): wrong key-encryption key (%s) or corrupt file: check %s, or restore the file from backup: %w", name, path, kek.ID(), spec.kekHint, err)
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
