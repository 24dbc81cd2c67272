package ingest

import (
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// refLines is the framing rule written the slow, obvious way: a BOM at the
// start is dropped; "\r\n", "\n" and "\r" end lines; a last line without an
// end counts if it is not empty.
func refLines(s string) []string {
	s = strings.TrimPrefix(s, "\xEF\xBB\xBF")
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			fallthrough
		case '\n':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// readAll returns every line lineReader yields from r, too-long ones as
// "<too long>", and checks the numbering.
func readAll(t *testing.T, r io.Reader) []string {
	t.Helper()
	lr := newLineReader(r)
	var out []string
	for {
		text, tooLong, ok := lr.next()
		if !ok {
			break
		}
		if tooLong {
			out = append(out, "<too long>")
		} else {
			out = append(out, string(text))
		}
		if lr.no != int64(len(out)) {
			t.Fatalf("line %d numbered %d", len(out), lr.no)
		}
	}
	if lr.err != io.EOF {
		t.Fatalf("error %v", lr.err)
	}
	return out
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", maxLine+1)
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"lf", "a\nb\n", []string{"a", "b"}},
		{"no final end", "a\nb", []string{"a", "b"}},
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		{"bare cr", "a\rb\rc", []string{"a", "b", "c"}},
		{"mixed", "a\r\n\rb\n\nc\r", []string{"a", "", "b", "", "c"}},
		{"blank lines kept for numbering", "\n\n a \n", []string{"", "", " a "}},
		{"bom", "\xEF\xBB\xBF{}\n{}", []string{"{}", "{}"}},
		{"bom only", "\xEF\xBB\xBF", nil},
		{"bom not at start", "{}\n\xEF\xBB\xBF{}", []string{"{}", "\xEF\xBB\xBF{}"}},
		{"partial bom", "\xEF\xBB{}", []string{"\xEF\xBB{}"}},
		{"too long", "a\n" + long + "\nb", []string{"a", "<too long>", "b"}},
		{"too long at end", "a\n" + long, []string{"a", "<too long>"}},
		{"longest allowed", strings.Repeat("y", maxLine) + "\r\nz", []string{strings.Repeat("y", maxLine), "z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			for _, r := range []struct {
				name string
				r    io.Reader
			}{
				{"whole", strings.NewReader(tc.in)},
				{"byte by byte", iotest.OneByteReader(strings.NewReader(tc.in))},
				{"halves", iotest.HalfReader(strings.NewReader(tc.in))},
			} {
				if got := readAll(t, r.r); !slices.Equal(got, want) {
					t.Errorf("%s: got %d lines %.80q, want %d %.80q", r.name, len(got), got, len(want), want)
				}
			}
		})
	}
}

// FuzzLineReader: lineReader splits every input as refLines does, however
// the reads are cut.
func FuzzLineReader(f *testing.F) {
	for _, s := range []string{"", "a\r\nb", "\r\r\n\n", "\xEF\xBB\xBF\r\n", "x\ry\r\n", "\xEF\xBB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := refLines(s)
		if got := readAll(t, iotest.OneByteReader(strings.NewReader(s))); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
		if got := readAll(t, strings.NewReader(s)); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
	})
}

// TestLineReaderError: a read error ends the lines there, and the partial
// line before it is not returned.
func TestLineReaderError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("a\nb"), iotest.ErrReader(io.ErrUnexpectedEOF))
	lr := newLineReader(r)
	var got []string
	for {
		text, _, ok := lr.next()
		if !ok {
			break
		}
		got = append(got, string(text))
	}
	if !slices.Equal(got, []string{"a"}) || lr.err != io.ErrUnexpectedEOF {
		t.Fatalf("got %q, err %v", got, lr.err)
	}
}
