// Package anonymize turns identifiers into tokens and quasi-identifiers into
// coarser values.
//
// Tokens: a reversible token (prefix "r_") is the Tink deterministic AEAD
// (AES256-SIV) ciphertext of the value with associated data "veil/v1/"+field;
// a one-way token (prefix "o_") is the 4-byte big-endian primary key id
// followed by the first 16 bytes of HMAC-SHA256("veil/v1/"+field+"\x00"+value).
// Both are unpadded base64url after the prefix, and both record the key that
// made them (Tink's output prefix inside the AEAD ciphertext; the explicit id
// for the PRF). A reversible token's length follows the value's (value + 21
// bytes before encoding); a one-way token's is fixed. The field takes part
// in both, so the same value in two fields gives unrelated tokens; scoping
// by merchant is a matter of the field name (e.g. "merchant/m42/user_id").
//
// TokenKeyID reads the key id a token records. The Tokenizer only makes
// tokens; revealing a reversible token is Revealer's, built from the
// separate re-identification keyset (see package keys), never from the
// pipeline's.
//
// Generalisers (AgeBand, IPPrefix, Region) are pure functions. Nothing in
// this package puts a raw value into an error or into formatted output.
package anonymize

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/veil-data/veil/anonymize/keys"
)

// Token prefixes.
const (
	ReversiblePrefix = "r_"
	OneWayPrefix     = "o_"
)

// domain is the version tag mixed into every token: a new token scheme
// changes it, so tokens of two schemes never collide.
const domain = "veil/v1/"

// oneWayBytes is the PRF output length: 128 bits keeps collisions below
// 2^-32 up to ~2^48 distinct values per field.
const oneWayBytes = 16

// DefaultCacheSize is the default bound of each cache, in memoised tokens
// (about 6 fields × 170k users). An entry costs roughly 100–150 bytes, so a
// full cache is ~150 MB.
const DefaultCacheSize = 1 << 20

// ErrInvalidToken is returned for a string that is not a well-formed token
// and, by Revealer.Reveal, for a reversible token not made for the field
// or with a key of the re-identification keyset.
var ErrInvalidToken = errors.New("anonymize: invalid token")

// Layout of a reversible token's bytes: Tink's output prefix (start byte 1,
// then the big-endian key id), then AES-SIV's 16-byte synthetic IV, then the
// value's length in ciphertext.
const (
	tinkStartByte = 0x01
	tinkPrefixLen = 5
	sivLen        = 16
)

// TokenKeyID returns the id of the key that made token: for a reversible
// token the key id in Tink's prefix, for a one-way token the explicit id
// before the PRF output. It reads the token without any key, so it proves
// nothing about authenticity; a malformed token gives ErrInvalidToken.
func TokenKeyID(token string) (uint32, error) {
	switch {
	case strings.HasPrefix(token, ReversiblePrefix):
		raw, err := base64.RawURLEncoding.DecodeString(token[len(ReversiblePrefix):])
		if err != nil || len(raw) < tinkPrefixLen+sivLen || raw[0] != tinkStartByte {
			return 0, ErrInvalidToken
		}
		return binary.BigEndian.Uint32(raw[1:tinkPrefixLen]), nil
	case strings.HasPrefix(token, OneWayPrefix):
		raw, err := base64.RawURLEncoding.DecodeString(token[len(OneWayPrefix):])
		if err != nil || len(raw) != 4+oneWayBytes {
			return 0, ErrInvalidToken
		}
		return binary.BigEndian.Uint32(raw[:4]), nil
	}
	return 0, ErrInvalidToken
}

// Tokenizer makes tokens from a key set. It is safe for concurrent use:
// its own methods share a sharded memo cache; for the hot path give each
// goroutine a Worker, whose cache is private and needs no lock.
type Tokenizer struct {
	rev       *keys.Deterministic
	one       *keys.PRF
	cacheSize int
	shared    *sharedCache
}

// Option configures a Tokenizer.
type Option func(*Tokenizer)

// WithCacheSize bounds the shared cache and each Worker's private cache to
// n memoised tokens each; a full cache is emptied and refills. Size it above
// the distinct identifiers of a partition: a cache smaller than its working
// set keeps emptying. A Tokenizer with k Workers in use holds at most
// (k+1)·n entries. n <= 0 disables memoisation.
func WithCacheSize(n int) Option {
	return func(t *Tokenizer) { t.cacheSize = max(n, 0) }
}

// NewTokenizer returns a Tokenizer over the reversible and one-way keysets
// of set.
func NewTokenizer(set *keys.Set, opts ...Option) (*Tokenizer, error) {
	if set == nil || set.Reversible() == nil || set.OneWay() == nil {
		return nil, errors.New("anonymize: key set lacks the token keysets")
	}
	t := &Tokenizer{rev: set.Reversible(), one: set.OneWay(), cacheSize: DefaultCacheSize}
	for _, o := range opts {
		o(t)
	}
	t.shared = newSharedCache(t.cacheSize)
	return t, nil
}

// ValidField reports whether name can be used as a token field: non-empty
// and without NUL, which separates field from value in the PRF input.
// Token methods panic on an invalid field; validate configuration with this.
func ValidField(name string) error {
	if name == "" || strings.IndexByte(name, 0) >= 0 {
		return errors.New("anonymize: token field name must be non-empty and contain no NUL byte")
	}
	return nil
}

// Reversible returns the reversible token of value in field. It panics if
// field is invalid (see ValidField).
func (t *Tokenizer) Reversible(field, value string) string {
	return t.shared.get(t, kindReversible, field, value)
}

// OneWay returns the one-way token of value in field. It panics if field is
// invalid (see ValidField).
func (t *Tokenizer) OneWay(field, value string) string {
	return t.shared.get(t, kindOneWay, field, value)
}

// KeyIDs returns the primary key id of each keyset the Tokenizer uses, by
// keyset name, for manifests and reports.
func (t *Tokenizer) KeyIDs() map[string]uint32 {
	return map[string]uint32{
		t.rev.Name(): t.rev.PrimaryKeyID(),
		t.one.Name(): t.one.PrimaryKeyID(),
	}
}

// Worker returns a view of t for one goroutine, with its own cache: its
// methods need no lock and must not be called concurrently.
func (t *Tokenizer) Worker() *Worker {
	return &Worker{t: t, cache: newLocalCache(t.cacheSize)}
}

// make computes a token; buf is scratch space, returned for reuse.
func (t *Tokenizer) make(k kind, f *fieldKeys, value string, buf []byte) (string, []byte) {
	if k == kindReversible {
		return t.makeReversible(f, value), buf
	}
	return t.makeOneWay(f, value, buf)
}

func (t *Tokenizer) makeReversible(f *fieldKeys, value string) string {
	ct, err := t.rev.EncryptDeterministically([]byte(value), f.ad)
	if err != nil {
		// AES-SIV fails only for inputs near 2^63 bytes: a broken invariant.
		panic("anonymize: reversible token: " + err.Error())
	}
	return encode(ReversiblePrefix, ct)
}

func (t *Tokenizer) makeOneWay(f *fieldKeys, value string, buf []byte) (string, []byte) {
	buf = append(append(buf[:0], f.prfPrefix...), value...)
	out, err := t.one.ComputePrimaryPRF(buf, oneWayBytes)
	if err != nil {
		panic("anonymize: one-way token: " + err.Error())
	}
	var tok [4 + oneWayBytes]byte
	binary.BigEndian.PutUint32(tok[:4], t.one.PrimaryKeyID())
	copy(tok[4:], out)
	return encode(OneWayPrefix, tok[:]), buf
}

func encode(prefix string, b []byte) string {
	out := make([]byte, len(prefix)+base64.RawURLEncoding.EncodedLen(len(b)))
	copy(out, prefix)
	base64.RawURLEncoding.Encode(out[len(prefix):], b)
	return string(out)
}

// fieldKeys holds the per-field inputs of token functions, computed once.
type fieldKeys struct {
	ad        []byte // DAEAD associated data: "veil/v1/"+field
	prfPrefix []byte // PRF input prefix: "veil/v1/"+field+"\x00"
}

func newFieldKeys(field string) *fieldKeys {
	mustValidField(field)
	ad := []byte(domain + field)
	return &fieldKeys{ad: ad, prfPrefix: append(ad[:len(ad):len(ad)], 0)}
}

func mustValidField(field string) {
	if err := ValidField(field); err != nil {
		panic(err)
	}
}

// String returns a summary without key material or cached values.
func (t Tokenizer) String() string {
	return fmt.Sprintf("anonymize.Tokenizer{%s: primary %d, %s: primary %d, cache: %d, material: REDACTED}",
		t.rev.Name(), t.rev.PrimaryKeyID(), t.one.Name(), t.one.PrimaryKeyID(), t.cacheSize)
}

// GoString is String, so %#v is redacted too.
func (t Tokenizer) GoString() string { return t.String() }

// Format prints String for every verb, so no verb reaches the fields.
func (t Tokenizer) Format(f fmt.State, _ rune) { io.WriteString(f, t.String()) }

// LogValue implements slog.LogValuer.
func (t Tokenizer) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Uint64(t.rev.Name()+".primary_key_id", uint64(t.rev.PrimaryKeyID())),
		slog.Uint64(t.one.Name()+".primary_key_id", uint64(t.one.PrimaryKeyID())),
		slog.String("material", "REDACTED"))
}
