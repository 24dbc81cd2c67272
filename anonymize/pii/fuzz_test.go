package pii

import (
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"",
	"我的手机号13812345678，邮箱 a.b@c.com",
	"+86 138 1234 5678 / (415) 555-0142 x12 / 0490 75 40 81",
	"card 4111 1111 1111 1111 4111-1111-1111-1111 378282246310005",
	"身份证44011320141005001x 110101199003074258",
	"2024-01-15 13812345678 4111111111111111 12.345.678",
	"13812345678@qq.com13912345678",
	"１３８１２３４５６７８ ＋８６",
	"(+86)139-1234-5678x1234567 +1 (0)8 1 2 3 4 5 6 7 8 9",
	"[电话x] [身份证号x] [数字x]-[数字x]5",
	"a@b@c.com..@@--..",
	"\xef\xbc\x91\xef\xbc",
}

// FuzzRedact: Redact never panics, finds nothing in its own output, counts
// what it replaced, and Find's spans are ordered, disjoint and in bounds.
func FuzzRedact(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		spans := Find(text)
		end := 0
		for _, s := range spans {
			if s.Start < end || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("Find(%q): bad span %+v after %d", text, s, end)
			}
			end = s.End
		}
		out, n := NewConversation().Redact(text)
		if n.Total() != len(spans) {
			t.Fatalf("Redact(%q) counted %d, Find found %d", text, n.Total(), len(spans))
		}
		if left := Find(out); left != nil {
			t.Fatalf("Redact(%q) = %q still has %v", text, out, left)
		}
		if len(spans) == 0 && out != text {
			t.Fatalf("Redact(%q) changed text without personal data: %q", text, out)
		}
		if len(spans) > 0 && !strings.Contains(out, "<"+string(spans[0].Type)+"_") {
			t.Fatalf("Redact(%q) = %q lacks a %s placeholder", text, out, spans[0].Type)
		}
	})
}
