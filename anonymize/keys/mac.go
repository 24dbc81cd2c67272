package keys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// The MAC keysets key veil's append-only logs (package audit/chain). Each
// is under the KEK of whoever appends to its log, so that appending needs
// no other key: the audit log's under the re-identification KEK, the
// audience ledger's and the appeals decision log's under the pipeline KEK.
const (
	// Audit is the MAC (HMAC-SHA256) keyset of the re-identification
	// audit log, under the re-identification KEK.
	Audit = "audit"
	// AudienceLedger is the MAC (HMAC-SHA256) keyset of the audience
	// ledger, under the pipeline KEK.
	AudienceLedger = "audience-ledger"
	// Appeals is the MAC (HMAC-SHA256) keyset of the appeals decision log
	// (package risk/appeals), under the pipeline KEK: whoever decides an
	// appeal runs the pipeline's commands and needs no re-identification
	// key, since cases are kept by token.
	Appeals = "appeals"
)

var (
	auditSpec   = keysetSpec{Audit, "mac", mac.HMACSHA256Tag256KeyTemplate, "--reid-kek / $" + EnvReidentifyKEK}
	ledgerSpec  = keysetSpec{AudienceLedger, "mac", mac.HMACSHA256Tag256KeyTemplate, "--kek / $" + EnvKEK}
	appealsSpec = keysetSpec{Appeals, "mac", mac.HMACSHA256Tag256KeyTemplate, "--kek / $" + EnvKEK}
)

// MAC is an opened MAC keyset: ComputeMAC with the primary key, VerifyMAC
// with whichever enabled key the tag names, so entries made before a
// rotation still verify. It is safe for concurrent use and prints
// redacted.
type MAC struct {
	info KeysetInfo
	p    tink.MAC
}

// ComputeMAC returns Tink's tag of data under the primary key.
func (m *MAC) ComputeMAC(data []byte) ([]byte, error) { return m.p.ComputeMAC(data) }

// VerifyMAC checks a tag made by any enabled key of the keyset.
func (m *MAC) VerifyMAC(tag, data []byte) error { return m.p.VerifyMAC(tag, data) }

// Info describes the keyset (key ids, statuses), never material.
func (m *MAC) Info() KeysetInfo { return m.info.clone() }

// String returns a summary without key material.
func (m MAC) String() string {
	return m.info.redacted("keys.MAC")
}

// GoString is String, so %#v is redacted too.
func (m MAC) GoString() string { return m.String() }

// Format prints String for every verb.
func (m MAC) Format(f fmt.State, _ rune) { io.WriteString(f, m.String()) }

// LogValue implements slog.LogValuer.
func (m MAC) LogValue() slog.Value {
	return m.info.logValue()
}

// OpenAuditKey opens audit.json in dir under the re-identification KEK.
func OpenAuditKey(ctx context.Context, dir string, reidKEK KEK) (*MAC, error) {
	return openMAC(ctx, dir, auditSpec, reidKEK)
}

// OpenLedgerKey opens audience-ledger.json in dir under the pipeline KEK.
func OpenLedgerKey(ctx context.Context, dir string, kek KEK) (*MAC, error) {
	return openMAC(ctx, dir, ledgerSpec, kek)
}

// OpenAppealsKey opens appeals.json in dir under the pipeline KEK.
func OpenAppealsKey(ctx context.Context, dir string, kek KEK) (*MAC, error) {
	return openMAC(ctx, dir, appealsSpec, kek)
}

// InitAppealsKey creates appeals.json in dir under kek unless it exists,
// and reports whether it did: the decision log's key is made on first use
// in a keys folder made before it, as `veil keys init` would.
func InitAppealsKey(ctx context.Context, dir string, kek KEK) (bool, error) {
	if kek == nil {
		return false, errors.New("keys: init appeals keyset: no key-encryption key")
	}
	if _, err := Open(ctx, dir, kek); err != nil { // the KEK is this folder's
		return false, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return false, err
	}
	defer unlock()
	created, err := initMAC(ctx, dir, appealsSpec, kek)
	if created {
		syncDir(dir)
	}
	return created, err
}

func openMAC(ctx context.Context, dir string, spec keysetSpec, kek KEK) (*MAC, error) {
	if kek == nil {
		return nil, fmt.Errorf("keys: open keyset %q: no key-encryption key", spec.name)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("keys: open keyset %q in %s: %w", spec.name, dir, err)
	}
	h, err := readKeyset(dir, spec, kek)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keys: keyset %q (%s) not found: a keys folder made before it gets it from `veil keys init` (with %s): %w", spec.name, Path(dir, spec.name), spec.kekHint, os.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	p, err := mac.New(h)
	if err != nil {
		return nil, fmt.Errorf("keys: keyset %q (%s): not a MAC keyset: %w", spec.name, Path(dir, spec.name), err)
	}
	return &MAC{info: infoOf(spec.name, spec.primitive, h), p: p}, nil
}

// InitMACKeys adds to dir whichever MAC keyset is missing: the audience
// ledger's and the appeals log's under kek, and, when reidKEK is not nil, the audit log's under
// reidKEK. Existing keysets are kept. It returns the names it created.
func InitMACKeys(ctx context.Context, dir string, kek, reidKEK KEK) ([]string, error) {
	if kek == nil {
		return nil, errors.New("keys: init MAC keysets: no key-encryption key")
	}
	if reidKEK != nil && reidKEK.ID() == kek.ID() {
		return nil, fmt.Errorf("keys: init MAC keysets in %s: the re-identification key-encryption key must differ from the pipeline's (both are %s)", dir, kek.ID())
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	todo := []struct {
		spec keysetSpec
		kek  KEK
	}{{ledgerSpec, kek}, {auditSpec, reidKEK}, {appealsSpec, kek}}
	var created []string
	for _, w := range todo {
		if w.kek == nil {
			continue
		}
		made, err := initMAC(ctx, dir, w.spec, w.kek)
		if err != nil {
			return created, err
		}
		if made {
			created = append(created, w.spec.name)
		}
	}
	syncDir(dir)
	return created, nil
}

// initMAC writes a fresh keyset of spec under kek unless its file exists.
// The caller holds the folder lock.
func initMAC(ctx context.Context, dir string, spec keysetSpec, kek KEK) (bool, error) {
	p := Path(dir, spec.name)
	if _, err := os.Lstat(p); err == nil {
		return false, nil
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("keys: init %s: %w", dir, err)
	}
	h, err := keyset.NewHandle(spec.template())
	if err != nil {
		return false, fmt.Errorf("keys: generate keyset %q: %w", spec.name, err)
	}
	data, err := encryptKeyset(h, spec.name, kek)
	if err == nil {
		err = writeNew(p, data)
	}
	if err != nil {
		return false, fmt.Errorf("keys: write keyset %q (%s) under key-encryption key %s: %w", spec.name, p, kek.ID(), err)
	}
	return true, nil
}
