package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/keyset"
)

// RotateResult reports a rotation by key ids, never material.
type RotateResult struct {
	Keysets []RotatedKeyset `json:"keysets"`
}

// RotatedKeyset is one keyset's primary key before and after a rotation.
type RotatedKeyset struct {
	Name       string `json:"name"`
	OldPrimary uint32 `json:"old_primary_key_id"`
	NewPrimary uint32 `json:"new_primary_key_id"`
	Keys       int    `json:"keys"` // keys held after the rotation, all enabled
}

// Rotate adds a fresh key to tokens-reversible, tokens-oneway and the
// reidentify copy, makes it primary and keeps the old keys enabled, so
// tokens made before still re-identify (reversible) and old key ids stay
// known (one-way). The copy gets exactly the keys of the new
// tokens-reversible. The MAC keysets of the audit log, the audience
// ledger and (where it exists) the appeals log get a new primary too; their old keys stay to verify the entries
// they made. So does the report-signing keyset where it exists, and
// report-signing.pub.pem is rewritten with the new primary's public key.
//
// It reads and checks everything before writing anything: a wrong KEK, a
// missing or corrupt keyset, or a reidentify copy that lacks a key of
// tokens-reversible fails with nothing changed. Each file is then replaced
// atomically (temp file, fsync, rename): first the copy, then
// tokens-reversible, then tokens-oneway, so that a crash between renames
// leaves the copy a superset of tokens-reversible (every token stays
// re-identifiable) and a second Rotate completes it. A folder lock keeps
// two rotations from interleaving. After writing, Rotate reads the files
// back and checks the new primaries and that the copy matches.
func Rotate(ctx context.Context, dir string, kek, reidKEK KEK) (RotateResult, error) {
	if kek == nil || reidKEK == nil {
		return RotateResult{}, errors.New("keys: rotate: both the pipeline and the re-identification key-encryption keys are needed")
	}
	if kek.ID() == reidKEK.ID() {
		return RotateResult{}, fmt.Errorf("keys: rotate %s: the re-identification key-encryption key must differ from the pipeline's (both are %s)", dir, kek.ID())
	}
	if _, err := os.Stat(dir); err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: keys folder %s: %w", dir, err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return RotateResult{}, err
	}
	defer unlock()

	rev, err := readKeyset(dir, reversibleSpec, kek)
	if err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: %w", err)
	}
	one, err := readKeyset(dir, oneWaySpec, kek)
	if err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: %w", err)
	}
	reid, err := readKeyset(dir, reidentifySpec, reidKEK)
	if err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: %w", err)
	}
	aud, err := readKeyset(dir, auditSpec, reidKEK)
	if err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: %w (a keys folder made before it gets it from `veil keys init`)", err)
	}
	led, err := readKeyset(dir, ledgerSpec, kek)
	if err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: %w (a keys folder made before it gets it from `veil keys init`)", err)
	}
	// The appeals log's keyset is rotated where it exists; a folder made
	// before it gets it on the log's first use.
	app, err := readKeyset(dir, appealsSpec, kek)
	if errors.Is(err, os.ErrNotExist) {
		app = nil
	} else if err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: %w", err)
	}
	// So is the report-signing keyset; old keys stay enabled so reports
	// signed before verify with `veil report verify --keys`.
	sig, err := readKeyset(dir, reportSigningSpec, kek)
	if errors.Is(err, os.ErrNotExist) {
		sig = nil
	} else if err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: %w", err)
	}
	// A superset is the state an interrupted rotation leaves; a missing or
	// different key would make tokens unrevealable, and rotating would hide it.
	if err := sameKeys(rev, reid, false); err != nil {
		return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: re-identification keyset %s %w: restore both files from the same backup", Path(dir, Reidentify), err)
	}

	newRev, revRes, err := addPrimary(rev, reversibleSpec)
	if err != nil {
		return RotateResult{}, err
	}
	newOne, oneRes, err := addPrimary(one, oneWaySpec)
	if err != nil {
		return RotateResult{}, err
	}
	newAud, audRes, err := addPrimary(aud, auditSpec)
	if err != nil {
		return RotateResult{}, err
	}
	newLed, ledRes, err := addPrimary(led, ledgerSpec)
	if err != nil {
		return RotateResult{}, err
	}
	writes := []struct {
		spec keysetSpec
		h    *keyset.Handle
		kek  KEK
	}{
		{reidentifySpec, newRev, reidKEK}, // first: see the doc comment
		{reversibleSpec, newRev, kek},
		{oneWaySpec, newOne, kek},
		{auditSpec, newAud, reidKEK},
		{ledgerSpec, newLed, kek},
	}
	type macCheck struct {
		spec keysetSpec
		kek  KEK
		want uint32
	}
	checks := []macCheck{{auditSpec, reidKEK, audRes.NewPrimary}, {ledgerSpec, kek, ledRes.NewPrimary}}
	var appRes RotatedKeyset
	if app != nil {
		var newApp *keyset.Handle
		if newApp, appRes, err = addPrimary(app, appealsSpec); err != nil {
			return RotateResult{}, err
		}
		writes = append(writes, struct {
			spec keysetSpec
			h    *keyset.Handle
			kek  KEK
		}{appealsSpec, newApp, kek})
		checks = append(checks, macCheck{appealsSpec, kek, appRes.NewPrimary})
	}
	var sigRes RotatedKeyset
	if sig != nil {
		var newSig *keyset.Handle
		if newSig, sigRes, err = addPrimary(sig, reportSigningSpec); err != nil {
			return RotateResult{}, err
		}
		writes = append(writes, struct {
			spec keysetSpec
			h    *keyset.Handle
			kek  KEK
		}{reportSigningSpec, newSig, kek})
		checks = append(checks, macCheck{reportSigningSpec, kek, sigRes.NewPrimary})
	}
	var staged []string
	for _, w := range writes {
		path := Path(dir, w.spec.name)
		data, err := encryptKeyset(w.h, w.spec.name, w.kek)
		var tmp string
		if err == nil {
			tmp, err = stageFile(path, data)
		}
		if err != nil {
			removeAll(staged)
			return RotateResult{}, fmt.Errorf("keys: rotate: nothing changed: write keyset %q (%s) under key-encryption key %s: %w", w.spec.name, path, w.kek.ID(), err)
		}
		staged = append(staged, tmp)
	}
	if err := ctx.Err(); err != nil {
		removeAll(staged)
		return RotateResult{}, fmt.Errorf("keys: rotate %s: nothing changed: %w", dir, err)
	}
	for i, w := range writes {
		if err := os.Rename(staged[i], Path(dir, w.spec.name)); err != nil {
			removeAll(staged[i:])
			return RotateResult{}, fmt.Errorf("keys: rotate: replace keyset %q (%s) (%d of %d files replaced; run rotate again to complete): %w", w.spec.name, Path(dir, w.spec.name), i, len(writes), err)
		}
	}
	syncDir(filepath.Clean(dir))

	if err := verifyRotation(dir, kek, reidKEK, revRes.NewPrimary, oneRes.NewPrimary); err != nil {
		return RotateResult{}, err
	}
	for _, m := range checks {
		h, err := readKeyset(dir, m.spec, m.kek)
		if err != nil {
			return RotateResult{}, fmt.Errorf("keys: rotate: files replaced but the check after failed: %w", err)
		}
		if got := h.KeysetInfo().GetPrimaryKeyId(); got != m.want {
			return RotateResult{}, fmt.Errorf("keys: rotate: files replaced but the check after failed: %s has primary %d, want %d", m.spec.name, got, m.want)
		}
	}
	reidRes := revRes
	reidRes.Name = Reidentify
	reidRes.OldPrimary = reid.KeysetInfo().GetPrimaryKeyId()
	res := RotateResult{Keysets: []RotatedKeyset{revRes, oneRes, reidRes, audRes, ledRes}}
	if app != nil {
		res.Keysets = append(res.Keysets, appRes)
	}
	if sig != nil {
		res.Keysets = append(res.Keysets, sigRes)
		// The auditors' copy follows the new primary.
		if _, err := OpenReportSigner(ctx, dir, kek); err != nil {
			return RotateResult{}, fmt.Errorf("keys: rotate: files replaced but the public key was not rewritten: %w", err)
		}
	}
	return res, nil
}

// addPrimary returns h with a fresh enabled key of spec's template as
// primary; the other keys keep their status.
func addPrimary(h *keyset.Handle, spec keysetSpec) (*keyset.Handle, RotatedKeyset, error) {
	m := keyset.NewManagerFromHandle(h)
	id, err := m.Add(spec.template())
	if err != nil {
		return nil, RotatedKeyset{}, fmt.Errorf("keys: rotate: nothing changed: generate a key for %q: %w", spec.name, err)
	}
	if err := m.SetPrimary(id); err != nil {
		return nil, RotatedKeyset{}, fmt.Errorf("keys: rotate: nothing changed: make key %d primary in %q: %w", id, spec.name, err)
	}
	nh, err := m.Handle()
	if err != nil {
		return nil, RotatedKeyset{}, fmt.Errorf("keys: rotate: nothing changed: keyset %q: %w", spec.name, err)
	}
	return nh, RotatedKeyset{
		Name:       spec.name,
		OldPrimary: h.KeysetInfo().GetPrimaryKeyId(),
		NewPrimary: id,
		Keys:       nh.Len(),
	}, nil
}

// verifyRotation reads the rotated files back.
func verifyRotation(dir string, kek, reidKEK KEK, revID, oneID uint32) error {
	fail := func(err error) error {
		return fmt.Errorf("keys: rotate: files replaced but the check after failed: %w", err)
	}
	rev, err := readKeyset(dir, reversibleSpec, kek)
	if err != nil {
		return fail(err)
	}
	one, err := readKeyset(dir, oneWaySpec, kek)
	if err != nil {
		return fail(err)
	}
	reid, err := readKeyset(dir, reidentifySpec, reidKEK)
	if err != nil {
		return fail(err)
	}
	if got := rev.KeysetInfo().GetPrimaryKeyId(); got != revID {
		return fail(fmt.Errorf("%s has primary %d, want %d", TokensReversible, got, revID))
	}
	if got := one.KeysetInfo().GetPrimaryKeyId(); got != oneID {
		return fail(fmt.Errorf("%s has primary %d, want %d", TokensOneWay, got, oneID))
	}
	if err := sameKeys(rev, reid, true); err != nil {
		return fail(fmt.Errorf("%s %w", Reidentify, err))
	}
	return nil
}
