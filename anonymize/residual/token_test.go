package residual

import (
	"encoding/base64"
	"strings"
	"testing"
)

// referenceToken is WellFormedToken by the standard library's strict
// decoder, which also rejects non-zero trailing bits.
func referenceToken(v string) bool {
	body, ok := strings.CutPrefix(v, "r_")
	if !ok {
		body, ok = strings.CutPrefix(v, "o_")
	}
	if !ok || len(body) < MinTokenBody || len(body) > MaxTokenBody || strings.ContainsAny(body, "\r\n") {
		return false // the decoder skips newlines
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(body)
	return err == nil
}

func FuzzWellFormedToken(f *testing.F) {
	for _, s := range []string{"r_" + strings.Repeat("A", 27), "o_AAAAAAAAAAAAAAAAAAAAAAAAAAA", "r_" + strings.Repeat("_-zZ09", 6), "r_" + strings.Repeat("A", 29) + "B", "u00012345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := WellFormedToken(v), referenceToken(v); got != want {
			t.Fatalf("WellFormedToken(%q) = %v, reference %v", v, got, want)
		}
	})
}

// TestB64urlWord compares the word test with the table for every byte at
// every position.
func TestB64urlWord(t *testing.T) {
	for pos := range 8 {
		for c := range 256 {
			b := []byte("AzAz09-_")
			b[pos] = byte(c)
			want := b64url[byte(c)] != 0
			if got := b64urlWord(load8(string(b), 0)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, pos, got, want)
			}
		}
	}
}
