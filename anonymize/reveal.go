package anonymize

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/veil-data/veil/anonymize/keys"
)

// ErrOneWayToken is returned by Revealer.Reveal for a one-way ("o_") token:
// a PRF output has no inverse, whoever holds the key.
var ErrOneWayToken = errors.New("anonymize: one-way tokens cannot be re-identified")

// Revealer turns reversible tokens back into values. It is built only from
// the re-identification keyset (keys.OpenReidentify), so only a holder of
// the re-identification KEK has one; callers record each use in the audit
// log (package audit) before showing the value. It is safe for concurrent
// use and prints redacted.
type Revealer struct {
	r *keys.Reidentifier
}

// NewRevealer returns a Revealer over the re-identification keyset r.
func NewRevealer(r *keys.Reidentifier) (*Revealer, error) {
	if r == nil {
		return nil, errors.New("anonymize: no re-identification keyset")
	}
	return &Revealer{r: r}, nil
}

// Reveal returns the value of a reversible token made for field. It fails
// with ErrOneWayToken for a one-way token, with ValidField's error for an
// invalid field name, and with ErrInvalidToken for a malformed token, one
// made for another field, or one whose key the re-identification keyset
// does not hold. Errors never carry the token or the value.
func (v *Revealer) Reveal(field, token string) (string, error) {
	if err := ValidField(field); err != nil {
		return "", err
	}
	if strings.HasPrefix(token, OneWayPrefix) {
		return "", ErrOneWayToken
	}
	id, err := TokenKeyID(token)
	if err != nil || !strings.HasPrefix(token, ReversiblePrefix) {
		return "", ErrInvalidToken
	}
	if !v.r.HasKey(id) {
		// Key ids are not secret: they are in every manifest and report.
		return "", fmt.Errorf("%w: made with key %d, which the re-identification keyset does not hold", ErrInvalidToken, id)
	}
	ct, err := base64.RawURLEncoding.DecodeString(token[len(ReversiblePrefix):])
	if err != nil {
		return "", ErrInvalidToken
	}
	pt, err := v.r.DecryptDeterministically(ct, []byte(domain+field))
	if err != nil {
		// Tink's error says only that decryption failed; keep ours fixed.
		return "", fmt.Errorf("%w: not a token of field %q", ErrInvalidToken, field)
	}
	return string(pt), nil
}

// String returns a summary without key material.
func (v Revealer) String() string {
	if v.r == nil {
		return "anonymize.Revealer{material: REDACTED}"
	}
	return "anonymize.Revealer{" + v.r.String() + "}"
}

// GoString is String, so %#v is redacted too.
func (v Revealer) GoString() string { return v.String() }

// Format prints String for every verb, so no verb reaches the fields.
func (v Revealer) Format(f fmt.State, _ rune) { io.WriteString(f, v.String()) }

// LogValue implements slog.LogValuer.
func (v Revealer) LogValue() slog.Value {
	if v.r == nil {
		return slog.StringValue("REDACTED")
	}
	return v.r.LogValue()
}
