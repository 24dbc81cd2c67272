package sinks

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
)

// Fingerprinter hashes a sequence of strings unambiguously: each part is
// length-prefixed, so ("ab","c") and ("a","bc") differ.
type Fingerprinter struct{ h hash.Hash }

// NewFingerprinter returns an empty fingerprint.
func NewFingerprinter() Fingerprinter { return Fingerprinter{sha256.New()} }

// Add hashes parts in order.
func (f Fingerprinter) Add(parts ...string) {
	var n [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		f.h.Write(n[:])
		f.h.Write([]byte(p))
	}
}

// Sum is the hex SHA-256 of everything added.
func (f Fingerprinter) Sum() string { return hex.EncodeToString(f.h.Sum(nil)) }
