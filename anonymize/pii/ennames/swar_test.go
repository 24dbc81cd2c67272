package ennames

import (
	"math/rand/v2"
	"testing"
)

// TestWordBytesEightAtATime checks the eight-byte paths (hashFold,
// hashASCII, asciiWordEnd, load8) against byte-by-byte reading, at every offset and
// length of random ASCII and UTF-8 text, since the model's weights are
// indexed by these hashes.
func TestWordBytesEightAtATime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZz09AM_ -'.\x7f\xc3\xa9@[`{/:"
	for n := 0; n < 300; n++ {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		text := string(b)
		for s := 0; s <= len(text); s++ {
			e := s
			for e < len(text) && asciiWord[text[e]] {
				e++
			}
			if got := asciiWordEnd(text, s); got != e {
				t.Fatalf("asciiWordEnd(%q, %d) = %d, want %d", text, s, got, e)
			}
			for e := s; e <= len(text); e++ {
				w := wordHasher{h: fnvOffset}
				ascii, upper, digit := true, 0, 0
				for _, c := range []byte(text[s:e]) {
					ascii = ascii && c < 0x80
					switch {
					case 'A' <= c && c <= 'Z':
						upper++
						c += 'a' - 'A'
					case '0' <= c && c <= '9':
						digit++
					}
					w.add(c)
				}
				if want, _, _ := hashWord(text, s, e); hashFold(text, s, e) != want {
					t.Fatalf("hashFold(%q) differs from hashWord", text[s:e])
				}
				h, u, d, ok := hashASCII(text, s, e)
				if ok != ascii || ok && (h != w.sum() || u != upper || d != digit) {
					t.Fatalf("hashASCII(%q) = %x %d %d %v, want %x %d %d %v", text[s:e], h, u, d, ok, w.sum(), upper, digit, ascii)
				}
			}
		}
	}
}
