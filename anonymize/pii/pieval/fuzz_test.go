package pieval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRead: whatever a labelled file holds, Read returns an error or
// records whose spans lie inside their text on character boundaries, and
// Evaluate scores them without panicking.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"presidio.json", "presidio.jsonl", "cluener.json", "presidio_offsets.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`{"text": "ab", "label": {"name": {"b": [[9223372036854775807, 9223372036854775807]]}}}`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Read(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range c.Records {
			for _, g := range r.Spans {
				if g.Start < 0 || g.Start > g.End || g.End > len(r.Text) {
					t.Fatalf("span [%d, %d) outside a text of %d bytes", g.Start, g.End, len(r.Text))
				}
				if utf8.ValidString(r.Text) && (!boundary(r.Text, g.Start) || !boundary(r.Text, g.End)) {
					t.Fatalf("span [%d, %d) off a character boundary", g.Start, g.End)
				}
			}
		}
		Evaluate(c.Records, nil, Options{Show: 2})
	})
}

func boundary(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }
