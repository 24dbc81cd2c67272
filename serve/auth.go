package serve

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// KeyDigest is the SHA-256 digest of a service key. The server keeps
// digests only, so its configuration holds nothing a caller could present.
type KeyDigest [sha256.Size]byte

// DigestKey returns the digest of a service key (`veil serve --hash-key`
// prints it for the key file).
func DigestKey(key string) KeyDigest { return sha256.Sum256([]byte(key)) }

// String is the digest in hex, as the key file holds it.
func (d KeyDigest) String() string { return hex.EncodeToString(d[:]) }

// id names the key in logs: a prefix of its digest.
func (d KeyDigest) id() string { return hex.EncodeToString(d[:4]) }

// ParseKeyDigests reads key digests, one hex SHA-256 a line; blank lines
// and lines starting with # are skipped. Errors name the line, not its
// content.
func ParseKeyDigests(text string) ([]KeyDigest, error) {
	var out []KeyDigest
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("serve: key digests line %d: want 64 hex digits (a SHA-256 digest)", n)
		}
		out = append(out, KeyDigest(b))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("serve: key digests: %w", err)
	}
	return out, nil
}

type callerKey struct{}

// caller is the id of the key a request presented.
func caller(ctx context.Context) string {
	id, _ := ctx.Value(callerKey{}).(string)
	return id
}

// auth admits requests that present a configured key, comparing digests
// in constant time against every key (no early exit: the time says
// nothing of which key nearly matched), and puts the key's id in the
// request's context. A refusal says only "unauthorized".
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		match := -1
		if strings.EqualFold(scheme, "Bearer") && key != "" { // the scheme is case-insensitive (RFC 9110)
			d := DigestKey(key)
			for i := range s.cfg.Keys {
				if subtle.ConstantTimeCompare(d[:], s.cfg.Keys[i][:]) == 1 {
					match = i
				}
			}
		}
		if match < 0 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="veil"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, s.cfg.Keys[match].id())))
	})
}
