package keys

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/tink-crypto/tink-go/v2/daead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Set is the pipeline's opened keysets of one keys folder (tokens-reversible
// and tokens-oneway; never reidentify). It is safe for concurrent use.
type Set struct {
	dir        string
	kekID      string
	kek        KEK // opens the report-signing keyset on demand
	reversible *Deterministic
	oneWay     *PRF
	info       []KeysetInfo
}

// KeysetInfo describes one keyset without its material.
type KeysetInfo struct {
	Name         string    `json:"name"`
	Primitive    string    `json:"primitive"` // "deterministic_aead" or "prf"
	TypeURL      string    `json:"type_url"`  // of the primary key
	PrimaryKeyID uint32    `json:"primary_key_id"`
	Keys         []KeyInfo `json:"keys"`
}

// KeyInfo describes one key of a keyset without its material.
type KeyInfo struct {
	ID               uint32 `json:"id"`
	TypeURL          string `json:"type_url"`
	Status           string `json:"status"`             // ENABLED, DISABLED, DESTROYED
	OutputPrefixType string `json:"output_prefix_type"` // TINK, RAW, ...
}

// infoOf describes h without its material.
func infoOf(name, primitive string, h *keyset.Handle) KeysetInfo {
	ki := h.KeysetInfo()
	info := KeysetInfo{Name: name, Primitive: primitive, PrimaryKeyID: ki.GetPrimaryKeyId()}
	for _, k := range ki.GetKeyInfo() {
		info.Keys = append(info.Keys, KeyInfo{
			ID:               k.GetKeyId(),
			TypeURL:          k.GetTypeUrl(),
			Status:           k.GetStatus().String(),
			OutputPrefixType: k.GetOutputPrefixType().String(),
		})
		if k.GetKeyId() == info.PrimaryKeyID {
			info.TypeURL = k.GetTypeUrl()
		}
	}
	return info
}

// redacted is the String of a primitive holding this keyset: its name and
// key ids, never material.
func (in KeysetInfo) redacted(typ string) string {
	return fmt.Sprintf("%s{keyset: %s, primary %d of %d keys, material: REDACTED}", typ, in.Name, in.PrimaryKeyID, len(in.Keys))
}

// logValue is the slog value of a primitive holding this keyset.
func (in KeysetInfo) logValue() slog.Value {
	return slog.GroupValue(slog.String("keyset", in.Name),
		slog.Uint64("primary_key_id", uint64(in.PrimaryKeyID)), slog.String("material", "REDACTED"))
}

// clone returns a deep copy, so callers cannot change a Set's record.
func (in KeysetInfo) clone() KeysetInfo {
	in.Keys = append([]KeyInfo(nil), in.Keys...)
	return in
}

func (s *Set) add(spec keysetSpec, h *keyset.Handle) error {
	info := infoOf(spec.name, spec.primitive, h)
	switch spec.primitive {
	case "deterministic_aead":
		p, err := daead.New(h)
		if err != nil {
			return fmt.Errorf("not a deterministic AEAD keyset: %w", err)
		}
		if spec.name == TokensReversible {
			s.reversible = &Deterministic{name: spec.name, primaryID: info.PrimaryKeyID, p: p}
		}
	case "prf":
		p, err := prf.NewPRFSet(h)
		if err != nil {
			return fmt.Errorf("not a PRF keyset: %w", err)
		}
		s.oneWay = &PRF{name: spec.name, set: p}
	default:
		return errors.New("unknown primitive")
	}
	s.info = append(s.info, info)
	return nil
}

// Dir returns the keys folder the set was opened from.
func (s *Set) Dir() string { return s.dir }

// KEKID returns the ID of the key-encryption key that protects the set.
func (s *Set) KEKID() string { return s.kekID }

// Reversible returns the deterministic AEAD of reversible tokens.
func (s *Set) Reversible() *Deterministic { return s.reversible }

// OneWay returns the PRF of one-way tokens.
func (s *Set) OneWay() *PRF { return s.oneWay }

// Info describes the pipeline's keysets (names, type URLs, key ids,
// statuses, output prefix types), never material; it is what reports and
// manifests record.
func (s *Set) Info() []KeysetInfo {
	out := make([]KeysetInfo, len(s.info))
	for i, in := range s.info {
		out[i] = in.clone()
	}
	return out
}

// String returns a summary without key material.
func (s Set) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keys.Set{dir: %s, kek: %s", s.dir, s.kekID)
	for _, in := range s.info {
		fmt.Fprintf(&b, ", %s: primary %d of %d keys", in.Name, in.PrimaryKeyID, len(in.Keys))
	}
	b.WriteString(", material: REDACTED}")
	return b.String()
}

// GoString is String, so %#v is redacted too.
func (s Set) GoString() string { return s.String() }

// Format prints String for every verb, so no verb reaches the fields.
func (s Set) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// LogValue implements slog.LogValuer: key ids, never material.
func (s Set) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("dir", s.dir), slog.String("kek", s.kekID)}
	for _, in := range s.info {
		attrs = append(attrs, slog.Uint64(in.Name+".primary_key_id", uint64(in.PrimaryKeyID)))
	}
	attrs = append(attrs, slog.String("material", "REDACTED"))
	return slog.GroupValue(attrs...)
}

// Deterministic is the reversible-token keyset of a Set: it encrypts and,
// on purpose, offers no decryption (see the package doc; the decrypt path
// is Reidentifier). It is safe for concurrent use and prints redacted.
type Deterministic struct {
	name      string
	primaryID uint32
	p         tink.DeterministicAEAD
}

// EncryptDeterministically encrypts with the primary key. The ciphertext
// starts with Tink's 5-byte prefix naming the key that made it.
func (d *Deterministic) EncryptDeterministically(plaintext, associatedData []byte) ([]byte, error) {
	return d.p.EncryptDeterministically(plaintext, associatedData)
}

// Name returns the keyset name.
func (d *Deterministic) Name() string { return d.name }

// PrimaryKeyID returns the id of the key that encrypts.
func (d *Deterministic) PrimaryKeyID() uint32 { return d.primaryID }

// String returns a summary without key material.
func (d Deterministic) String() string {
	return fmt.Sprintf("keys.Deterministic{keyset: %s, primary: %d, material: REDACTED}", d.name, d.primaryID)
}

// GoString is String, so %#v is redacted too.
func (d Deterministic) GoString() string { return d.String() }

// Format prints String for every verb.
func (d Deterministic) Format(f fmt.State, _ rune) { io.WriteString(f, d.String()) }

// LogValue implements slog.LogValuer.
func (d Deterministic) LogValue() slog.Value {
	return slog.GroupValue(slog.String("keyset", d.name),
		slog.Uint64("primary_key_id", uint64(d.primaryID)), slog.String("material", "REDACTED"))
}

// PRF is the pseudo-random function family of a Set. It is safe for
// concurrent use and prints redacted.
type PRF struct {
	name string
	set  *prf.Set
}

// ComputePrimaryPRF computes the primary key's PRF of input, truncated to
// outputLength bytes (at most 32 for HMAC-SHA256).
func (p *PRF) ComputePrimaryPRF(input []byte, outputLength uint32) ([]byte, error) {
	return p.set.ComputePrimaryPRF(input, outputLength)
}

// Name returns the keyset name.
func (p *PRF) Name() string { return p.name }

// PrimaryKeyID returns the id of the primary key.
func (p *PRF) PrimaryKeyID() uint32 { return p.set.PrimaryID }

// String returns a summary without key material.
func (p PRF) String() string {
	var id uint32
	if p.set != nil {
		id = p.set.PrimaryID
	}
	return fmt.Sprintf("keys.PRF{keyset: %s, primary: %d, material: REDACTED}", p.name, id)
}

// GoString is String, so %#v is redacted too.
func (p PRF) GoString() string { return p.String() }

// Format prints String for every verb.
func (p PRF) Format(f fmt.State, _ rune) { io.WriteString(f, p.String()) }

// LogValue implements slog.LogValuer.
func (p PRF) LogValue() slog.Value {
	var id uint32
	if p.set != nil {
		id = p.set.PrimaryID
	}
	return slog.GroupValue(slog.String("keyset", p.name),
		slog.Uint64("primary_key_id", uint64(id)), slog.String("material", "REDACTED"))
}
