package residual

// Token grammar, after anonymize: "r_" (reversible, AES-SIV ciphertext) or
// "o_" (one-way, key id and PRF output), then unpadded base64url. The
// shortest token is a one-way token, 20 bytes or 27 characters; a
// reversible token is at least 21 bytes (28 characters) and grows with the
// value. A value of that shape carries nothing but ciphertext or PRF
// output; anything else in a token column is a value that escaped
// tokenisation.
const (
	// MinTokenBody and MaxTokenBody bound the base64url part of a token.
	MinTokenBody = 27
	MaxTokenBody = 4096
)

// b64url maps a base64url character to its value plus one, 0 for any
// other byte.
var b64url = func() (t [256]uint8) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(alphabet) {
		t[alphabet[i]] = uint8(i + 1)
	}
	return t
}()

// WellFormedToken reports whether v has the shape of an anonymize token:
// a token prefix and canonical unpadded base64url of a sensible length.
// Canonical means the unused low bits of the last character are zero, as
// an encoder writes them; random text of the right alphabet mostly is not.
func WellFormedToken(v string) bool {
	if len(v) < 2+MinTokenBody || len(v) > 2+MaxTokenBody || v[1] != '_' || (v[0] != 'r' && v[0] != 'o') {
		return false
	}
	body := v[2:]
	i := 0
	for ; i+8 <= len(body); i += 8 {
		if !b64urlWord(load8(body, i)) {
			return false
		}
	}
	for ; i < len(body); i++ {
		if b64url[body[i]] == 0 {
			return false
		}
	}
	last := b64url[body[len(body)-1]] - 1
	switch len(body) % 4 {
	case 1:
		return false // no byte count encodes to 4k+1 characters
	case 2:
		return last&0x0F == 0
	case 3:
		return last&0x03 == 0
	}
	return true
}

const lsb8, msb8 = 0x0101010101010101, 0x8080808080808080

// b64urlWord reports whether all 8 bytes of w are base64url characters,
// testing the bytes side by side (a third faster than a table per byte
// on a token column, every cell of which is checked).
func b64urlWord(w uint64) bool {
	if w&msb8 != 0 {
		return false // not ASCII
	}
	// Setting bit 5 folds A-Z onto a-z and nothing else onto a-z.
	ok := inRange(w|lsb8*0x20, 'a', 'z') | inRange(w, '0', '9') | inRange(w, '-', '-') | inRange(w, '_', '_')
	return ok == msb8
}

// inRange sets the top bit of each byte of w, all below 0x80, that lies in
// [lo, hi]: adding 0x80-lo sets it for bytes >= lo, adding 0x7f-hi for
// bytes > hi, and neither sum carries into the next byte.
func inRange(w uint64, lo, hi byte) uint64 {
	return (w + lsb8*uint64(0x80-lo)) &^ (w + lsb8*uint64(0x7f-hi)) & msb8
}
