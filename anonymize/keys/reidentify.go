package keys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"github.com/tink-crypto/tink-go/v2/daead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Reidentifier is the opened re-identification keyset: the only decrypt
// path for reversible tokens. It is built only from reidentify.json under
// the re-identification KEK. It is safe for concurrent use and prints
// redacted.
type Reidentifier struct {
	dir   string
	kekID string
	info  KeysetInfo
	p     tink.DeterministicAEAD
}

// OpenReidentify reads and decrypts reidentify.json in dir under reidKEK. It
// reads no other keyset, so it fails when that file is missing even if
// tokens-reversible.json and the pipeline KEK are at hand.
func OpenReidentify(ctx context.Context, dir string, reidKEK KEK) (*Reidentifier, error) {
	if reidKEK == nil {
		return nil, errors.New("keys: open re-identification keyset: no re-identification key-encryption key")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("keys: open re-identification keyset in %s: %w", dir, err)
	}
	h, err := readKeyset(dir, reidentifySpec, reidKEK)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keys: re-identification keyset %s not found: it is created by `veil keys init --reid-kek FILE`: %w", Path(dir, Reidentify), os.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	p, err := daead.New(h)
	if err != nil {
		return nil, fmt.Errorf("keys: keyset %q (%s): not a deterministic AEAD keyset: %w", Reidentify, Path(dir, Reidentify), err)
	}
	return &Reidentifier{
		dir:   dir,
		kekID: reidKEK.ID(),
		info:  infoOf(Reidentify, reidentifySpec.primitive, h),
		p:     p,
	}, nil
}

// DecryptDeterministically decrypts a ciphertext made by tokens-reversible
// with the key named by its Tink prefix, so tokens made before a rotation
// still decrypt while their key is enabled.
func (r *Reidentifier) DecryptDeterministically(ciphertext, associatedData []byte) ([]byte, error) {
	return r.p.DecryptDeterministically(ciphertext, associatedData)
}

// HasKey reports whether the keyset holds an enabled key with id.
func (r *Reidentifier) HasKey(id uint32) bool {
	return slices.ContainsFunc(r.info.Keys, func(k KeyInfo) bool { return k.ID == id && k.Status == "ENABLED" })
}

// Info describes the keyset (key ids, statuses, type URLs), never material.
func (r *Reidentifier) Info() KeysetInfo { return r.info.clone() }

// Dir returns the keys folder the keyset was opened from.
func (r *Reidentifier) Dir() string { return r.dir }

// KEKID returns the ID of the re-identification KEK.
func (r *Reidentifier) KEKID() string { return r.kekID }

// String returns a summary without key material.
func (r Reidentifier) String() string {
	return fmt.Sprintf("keys.Reidentifier{dir: %s, kek: %s, primary %d of %d keys, material: REDACTED}",
		r.dir, r.kekID, r.info.PrimaryKeyID, len(r.info.Keys))
}

// GoString is String, so %#v is redacted too.
func (r Reidentifier) GoString() string { return r.String() }

// Format prints String for every verb, so no verb reaches the fields.
func (r Reidentifier) Format(f fmt.State, _ rune) { io.WriteString(f, r.String()) }

// LogValue implements slog.LogValuer: key ids, never material.
func (r Reidentifier) LogValue() slog.Value {
	return slog.GroupValue(slog.String("dir", r.dir), slog.String("kek", r.kekID),
		slog.Uint64(Reidentify+".primary_key_id", uint64(r.info.PrimaryKeyID)),
		slog.String("material", "REDACTED"))
}

// InitReidentify writes reidentify.json in dir: the keys of
// tokens-reversible (read under kek) encrypted under reidKEK. It is for a
// keys folder made without WithReidentifyKEK, and for folders of the first
// layout, whose reidentify.json held an unused, independent key under the
// pipeline KEK: that file is replaced. A copy already under reidKEK that
// matches tokens-reversible is left alone; any other existing file is
// refused.
func InitReidentify(ctx context.Context, dir string, kek, reidKEK KEK) error {
	if kek == nil || reidKEK == nil {
		return errors.New("keys: init re-identification keyset: both key-encryption keys are needed")
	}
	if kek.ID() == reidKEK.ID() {
		return fmt.Errorf("keys: init re-identification keyset in %s: the re-identification key-encryption key must differ from the pipeline's (both are %s)", dir, kek.ID())
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	rev, err := readKeyset(dir, reversibleSpec, kek)
	if err != nil {
		return err
	}
	path := Path(dir, Reidentify)
	if _, err := os.Lstat(path); err == nil {
		if cur, err := readKeyset(dir, reidentifySpec, reidKEK); err == nil {
			if err := sameKeys(rev, cur, true); err != nil {
				return fmt.Errorf("keys: re-identification keyset %s exists but %w: refusing to overwrite it", path, err)
			}
			return nil
		}
		if _, err := readKeyset(dir, reidentifySpec, kek); err != nil {
			return fmt.Errorf("keys: re-identification keyset %s exists and opens under neither key-encryption key (%s, %s): refusing to overwrite it; check --reid-kek / $%s", path, reidKEK.ID(), kek.ID(), EnvReidentifyKEK)
		}
		// First layout: an unused key under the pipeline KEK; replace it.
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("keys: init re-identification keyset in %s: %w", dir, err)
	}
	data, err := encryptKeyset(rev, Reidentify, reidKEK)
	if err == nil {
		err = replaceFile(path, data)
	}
	if err != nil {
		return fmt.Errorf("keys: write keyset %q (%s) under key-encryption key %s: %w", Reidentify, path, reidKEK.ID(), err)
	}
	return nil
}

// NeedsReidentifyCopy reports whether dir lacks a usable reidentify.json:
// there is none, or it is of the first layout (it opens under the pipeline
// KEK kek), which InitReidentify replaces. A copy under some other KEK does
// not need one: its KEK is held elsewhere.
func NeedsReidentifyCopy(dir string, kek KEK) (bool, error) {
	_, err := os.Lstat(Path(dir, Reidentify))
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("keys: re-identification keyset %s: %w", Path(dir, Reidentify), err)
	}
	_, err = readKeyset(dir, reidentifySpec, kek)
	return err == nil, nil
}

// sameKeys checks that every key of want is in got with the same status and
// material. With exact, got must hold nothing else and the same primary.
// Messages carry key ids only.
func sameKeys(want, got *keyset.Handle, exact bool) error {
	byID := make(map[uint32]*keyset.Entry, got.Len())
	for i := range got.Len() {
		e, err := got.Entry(i)
		if err != nil {
			return fmt.Errorf("has an unreadable key: %w", err)
		}
		byID[e.KeyID()] = e
	}
	for i := range want.Len() {
		w, err := want.Entry(i)
		if err != nil {
			return fmt.Errorf("has an unreadable key: %w", err)
		}
		g, ok := byID[w.KeyID()]
		if !ok {
			return fmt.Errorf("lacks key %d of %s", w.KeyID(), TokensReversible)
		}
		if g.KeyStatus() != w.KeyStatus() || !g.Key().Equal(w.Key()) {
			return fmt.Errorf("holds a different key %d than %s", w.KeyID(), TokensReversible)
		}
	}
	if exact {
		if got.Len() != want.Len() {
			return fmt.Errorf("holds %d keys where %s holds %d", got.Len(), TokensReversible, want.Len())
		}
		if gp, wp := got.KeysetInfo().GetPrimaryKeyId(), want.KeysetInfo().GetPrimaryKeyId(); gp != wp {
			return fmt.Errorf("has primary key %d where %s has %d", gp, TokensReversible, wp)
		}
	}
	return nil
}
