package ingest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gzipMembers compresses each part as its own gzip member, with the
// standard library's writer (not the reader's own package), and returns
// the file and where each member ends in it.
func gzipMembers(t testing.TB, parts ...string) ([]byte, []int) {
	t.Helper()
	var buf bytes.Buffer
	var ends []int
	for _, p := range parts {
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, buf.Len())
	}
	return buf.Bytes(), ends
}

// damage helpers: each returns a damaged copy of b, a gzip file.
func truncate(b []byte, n int) []byte { return append([]byte(nil), b[:n]...) }

// badCRC flips a bit of the CRC-32 of the member ending at end.
func badCRC(b []byte, end int) []byte {
	c := append([]byte(nil), b...)
	c[end-8] ^= 0x01
	return c
}

func TestCheckGzip(t *testing.T) {
	m2, ends := gzipMembers(t, "a\nb\n", "c\nd\n")
	midLine, midEnds := gzipMembers(t, "a\nb", "c\nd\n")
	crlf, crlfEnds := gzipMembers(t, "a\r", "\nb\r\n")
	for _, tc := range []struct {
		name       string
		file       []byte
		kind       string // "" whole
		cut, lines int64
		verified   int64
	}{
		{"whole", m2, "", 0, 0, 0},
		{"empty file", nil, "", 0, 0, 0},
		{"not gzip", []byte("{\"a\":1}\n{\"a\":2}\n"), damageNotGzip, 0, 0, 0},
		{"short not gzip", []byte("x"), damageNotGzip, 0, 0, 0},
		{"truncated in the only member", truncate(m2, ends[0]-3), damageTruncated, 0, 0, 0},
		{"truncated header", truncate(m2, 5), damageTruncated, 0, 0, 0},
		{"truncated in member 2", truncate(m2, ends[1]-3), damageTruncated, 4, 2, int64(ends[0])},
		{"truncated after member 1's header", truncate(m2, ends[0]+12), damageTruncated, 4, 2, int64(ends[0])},
		{"bad crc in member 1", badCRC(m2, ends[0]), damageChecksum, 0, 0, 0},
		{"bad crc in member 2", badCRC(m2, ends[1]), damageChecksum, 4, 2, int64(ends[0])},
		{"trailing garbage", append(append([]byte(nil), m2...), "garbage\n"...), damageTrailing, 8, 4, int64(ends[1])},
		{"trailing zero", append(append([]byte(nil), m2...), 0), damageTrailing, 8, 4, int64(ends[1])},
		{"member 1 ends mid-line", truncate(midLine, midEnds[1]-2), damageTruncated, 2, 1, int64(midEnds[0])},
		{"crlf split across members", append(append([]byte(nil), crlf...), 'x'), damageTrailing, 6, 2, int64(crlfEnds[1])},
		{"crlf split, member 2 bad", badCRC(crlf, crlfEnds[1]), damageChecksum, 2, 1, int64(crlfEnds[0])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.jsonl.gz")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := checkGzip(path, make([]byte, 3)) // tiny reads: boundaries everywhere
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tc.file)
			if got := c.sha256; got != hexString(sum[:]) {
				t.Errorf("sha256 %s", got)
			}
			if tc.kind == "" {
				if c.dmg != nil {
					t.Fatalf("damage %v", c.dmg)
				}
				return
			}
			if c.dmg == nil || c.dmg.kind != tc.kind {
				t.Fatalf("damage %v, want %s", c.dmg, tc.kind)
			}
			if c.cut != tc.cut || c.lines != tc.lines || c.dmg.verified != tc.verified {
				t.Errorf("cut %d lines %d verified %d, want %d %d %d", c.cut, c.lines, c.dmg.verified, tc.cut, tc.lines, tc.verified)
			}
		})
	}
}

// TestGzipReaderStream: read straight through (on_damaged_file: fail),
// a whole multi-member file gives all its bytes, and a damaged one ends
// in a damageError, never in a clean EOF.
func TestGzipReaderStream(t *testing.T) {
	m2, ends := gzipMembers(t, "a\nb\n", "c\nd\n")
	open := func(b []byte) *gzipReader {
		return newGzipReader(&countReader{r: bytes.NewReader(b), h: sha256.New()})
	}
	got, err := io.ReadAll(open(m2))
	if err != nil || string(got) != "a\nb\nc\nd\n" {
		t.Fatalf("%q, %v", got, err)
	}
	for _, b := range [][]byte{truncate(m2, ends[1]-1), badCRC(m2, ends[1]), append(append([]byte(nil), m2...), 'x'), []byte("plain\n")} {
		_, err := io.ReadAll(open(b))
		var de *damageError
		if !errors.As(err, &de) {
			t.Errorf("error %v, want a damageError", err)
		}
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// lineEnds counts line ends as lineReader splits them.
func lineEnds(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			n++
		case '\n':
			n++
		}
	}
	return n
}

// FuzzCheckGzip: text in up to three members, the file cut anywhere.
// What checkGzip keeps is exactly the members wholly present, up to
// their last line end; a file cut between members is indistinguishable
// from a whole one with fewer members.
func FuzzCheckGzip(f *testing.F) {
	f.Add("a\nb\r\nc\rd\n", uint16(3), uint16(6), uint16(40))
	f.Add("x\r", uint16(2), uint16(0), uint16(25))
	f.Fuzz(func(t *testing.T, text string, s1, s2, cut uint16) {
		a := int(s1) % (len(text) + 1)
		b := a + int(s2)%(len(text)-a+1)
		parts := []string{text[:a], text[a:b], text[b:]}
		file, ends := gzipMembers(t, parts...)
		n := int(cut) % (len(file) + 1)
		path := filepath.Join(t.TempDir(), "f.gz")
		if err := os.WriteFile(path, file[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := checkGzip(path, make([]byte, 7))
		if err != nil {
			t.Fatal(err)
		}
		whole := ""
		atEnd := n == 0
		for i, e := range ends {
			if e <= n {
				whole += parts[i]
			}
			atEnd = atEnd || e == n
		}
		if atEnd {
			if c.dmg != nil {
				t.Fatalf("cut at a member end: damage %v", c.dmg)
			}
			return
		}
		if c.dmg == nil {
			t.Fatalf("file cut at %d of %d: no damage", n, len(file))
		}
		keep := int64(max(strings.LastIndexByte(whole, '\n'), strings.LastIndexByte(whole, '\r')) + 1)
		if c.cut != keep || c.lines != lineEnds(whole[:keep]) {
			t.Fatalf("cut %d lines %d, want %d %d", c.cut, c.lines, keep, lineEnds(whole[:keep]))
		}
	})
}
