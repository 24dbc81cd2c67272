// Package chain is what veil's two append-only logs, the re-identification
// audit log (package audit) and the audience ledger (package audience),
// share to be keyed and anchored: a MAC over each entry under a Tink MAC
// keyset, and an anchor file, kept apart from the log, that records where
// the log ended.
//
// # Why a MAC, and whose key
//
// A hash chain alone proves nothing to someone who can write the log: they
// edit an entry and recompute every hash after it. Each entry therefore
// carries a MAC (HMAC-SHA256, a Tink MAC keyset) over its canonical form,
// which includes the MAC of the entry before: without the key, no entry can
// be changed, added or re-chained. A MAC rather than a signature because
// the verifier is the custodian of the log, who holds the key anyway, and
// because a MAC keyset fits the keysets veil already has (encrypted under a
// KEK, rotated by `veil keys rotate`, old keys kept to verify old entries).
// Each log's key is encrypted under the KEK of whoever appends to it: the
// audit key under the re-identification KEK (the person who re-identifies
// must not need the pipeline KEK, which opens the token keysets), the
// ledger key under the pipeline KEK (the audience commands already hold it).
//
// A tag is Tink's: 0x01, the 4-byte big-endian key id, then
// HMAC-SHA256(key, data), 37 bytes, written as 74 lower-case hex digits.
// A verifier in another language needs only that and the key.
//
// # Why an anchor
//
// A MAC does not stop someone deleting entries from the end, or the whole
// log: what is left still verifies. The anchor file (Anchor) records the
// seq and MAC of the last entry, is replaced on every append, and lives
// beside the keys rather than beside the log; it carries a MAC of its own,
// so it cannot be rewritten to an earlier entry without the key (only
// replaced by an older copy of itself). What it cannot catch, someone who
// holds the key or can restore old copies of both files, the copies shipped
// to write-once storage and the counts in the daily reports catch.
package chain

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// MAC is what a chain needs of its key; tink.MAC satisfies it. ComputeMAC
// uses the primary key; VerifyMAC finds the key by the tag's prefix, so
// entries made before a rotation still verify.
type MAC interface {
	ComputeMAC(data []byte) ([]byte, error)
	VerifyMAC(mac, data []byte) error
}

// Genesis is the prev of a chain's first entry, and the head of an empty
// chain.
var Genesis = strings.Repeat("0", 64)

// TagLen is the length of a tag in hex digits.
const TagLen = 2 * (5 + 32)

// ErrBadMAC is returned by Check when a tag does not verify.
var ErrBadMAC = errors.New("MAC does not verify under the key")

// Sign returns the hex tag of data under m's primary key and the id of
// that key.
func Sign(m MAC, data []byte) (tag string, keyID uint32, err error) {
	b, err := m.ComputeMAC(data)
	if err != nil {
		return "", 0, fmt.Errorf("chain: compute MAC: %w", err)
	}
	tag = hex.EncodeToString(b)
	id, ok := KeyID(tag)
	if !ok {
		return "", 0, errors.New("chain: the key is not an HMAC-SHA256 key with a Tink prefix")
	}
	return tag, id, nil
}

// PrimaryKeyID returns the id of m's primary key, the key Sign uses. The
// key id is part of what an entry's MAC covers, so it is known first.
func PrimaryKeyID(m MAC) (uint32, error) {
	_, id, err := Sign(m, []byte("veil-chain-key-id\n"))
	return id, err
}

// KeyID returns the key id a well-formed tag names.
func KeyID(tag string) (uint32, bool) {
	if len(tag) != TagLen || strings.ToLower(tag) != tag {
		return 0, false
	}
	b, err := hex.DecodeString(tag)
	if err != nil || b[0] != 0x01 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[1:5]), true
}

// Check verifies that tag is the MAC of data under key keyID of m. Its
// errors say which, never what the key is.
func Check(m MAC, data []byte, tag string, keyID uint32) error {
	id, ok := KeyID(tag)
	if !ok {
		return fmt.Errorf("%w: not a well-formed tag", ErrBadMAC)
	}
	if id != keyID {
		return fmt.Errorf("%w: the tag names key %d, the entry key %d", ErrBadMAC, id, keyID)
	}
	b, _ := hex.DecodeString(tag)
	if err := m.VerifyMAC(b, data); err != nil {
		return fmt.Errorf("%w (key %d)", ErrBadMAC, keyID)
	}
	return nil
}
