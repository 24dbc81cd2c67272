package residual

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func needlesOf(vals ...string) *Needles {
	n := NewNeedles(0)
	for _, v := range vals {
		n.Add(v)
	}
	return n
}

func TestNeedlesAddHas(t *testing.T) {
	n := needlesOf("u00012345", "u00012345", "M", "100", "CN", "13812345678", "张三")
	if n.Len() != 3 {
		t.Fatalf("Len = %d, want 3 (short values ignored, duplicates once)", n.Len())
	}
	for v, want := range map[string]bool{"u00012345": true, "13812345678": true, "张三": true, "M": false, "100": false, "u0001234": false, "u000123456": false} {
		if got := n.Has(v); got != want {
			t.Errorf("Has(%q) = %v", v, got)
		}
	}
	six := NewNeedles(6)
	six.Add("12345")
	six.Add("123456")
	if six.Len() != 1 || six.MinLen() != 6 || six.Contains("a12345b") || !six.Contains("a123456b") {
		t.Fatal("min length not applied")
	}
	var zero Needles
	zero.Add("abcd")
	if !zero.Has("abcd") || !zero.Contains("xabcdx") || zero.MinLen() != DefaultMinLen {
		t.Fatal("zero value is not a usable set")
	}
}

func TestNeedlesGrowAndMerge(t *testing.T) {
	a, b := NewNeedles(0), NewNeedles(0)
	for i := range 5000 {
		a.Add(fmt.Sprintf("u%08d", i))
		b.Add(fmt.Sprintf("u%08d", i+2500))
	}
	if !a.Contains("x u00000042 y") {
		t.Fatal("needle not found before merge")
	}
	a.Merge(b)
	if a.Len() != 7500 {
		t.Fatalf("merged Len = %d", a.Len())
	}
	for _, i := range []int{0, 2499, 2500, 4999, 7499} {
		v := fmt.Sprintf("u%08d", i)
		if !a.Has(v) || !a.Contains("<"+v+">") {
			t.Fatalf("needle %d lost", i)
		}
	}
	// Adding after a search rebuilds the index.
	a.Add("wxid_abcdefg")
	if !a.Contains("ping wxid_abcdefg") {
		t.Fatal("needle added after a search not found")
	}
}

func TestContains(t *testing.T) {
	n := needlesOf("543462", "13812345678", "alice.smith@example.com", "浙江省杭州市西湖区文三路100号", "192.168.1.0", "dev-0a1b2c3d4e5f", "u00012345")
	cases := []struct {
		text string
		want bool
	}{
		{"543462", true},
		{"1543462", false}, // another number
		{"5434621", false},
		{"id543462", true},
		{"543462-1", true},
		{"user 543462, item 1543462", true},
		{"call 13812345678 now", true},
		{"订单号2013812345678", false},
		{"电话13812345678", true},
		{"mail alice.smith@example.com.", true},
		{"alice.smith@example.co", false},
		{"寄到浙江省杭州市西湖区文三路100号3幢", true},
		{"浙江省杭州市西湖区文三路1000号", false},
		{"192.168.1.0/24", true}, // exempt only by class, not here
		{"dev-0a1b2c3d4e5", false},
		{"DEV dev-0a1b2c3d4e5f", true},
		{"u0001234", false},
		{"", false},
		{"abc", false},
	}
	for _, c := range cases {
		if got := n.Contains(c.text); got != c.want {
			t.Errorf("Contains(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if got := n.Count("543462 and 543462 and u00012345"); got != 3 {
		t.Errorf("Count = %d, want 3", got)
	}
}

// naiveCount is the obvious implementation Count must agree with.
func naiveCount(needles []string, minLen int, text string) int {
	seen := map[string]bool{}
	c := 0
	for _, v := range needles {
		if len(v) < minLen || seen[v] {
			continue
		}
		seen[v] = true
		for off := 0; ; {
			i := strings.Index(text[off:], v)
			if i < 0 {
				break
			}
			if bounded(text, off+i, off+i+len(v)) {
				c++
			}
			off += i + 1
		}
	}
	return c
}

// randText draws from a small alphabet, so needles recur, with digits for
// the run rule and a multi-byte character for the continuation skip.
func randText(r *rand.Rand, n int) string {
	alphabet := []string{"a", "b", "1", "2", "-", "中", "é"}
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestCountMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		minLen := DefaultMinLen + round%3
		var vals []string
		for range 1 + r.IntN(40) {
			vals = append(vals, randText(r, 2+r.IntN(12)))
		}
		n := NewNeedles(minLen)
		for _, v := range vals {
			n.Add(v)
		}
		for range 20 {
			text := randText(r, r.IntN(60))
			want := naiveCount(vals, minLen, text)
			if got := n.Count(text); got != want {
				t.Fatalf("round %d: Count = %d, naive %d (min %d)", round, got, want, minLen)
			}
			if got := n.Contains(text); got != (want > 0) {
				t.Fatalf("round %d: Contains = %v, naive count %d", round, got, want)
			}
		}
	}
}

func FuzzContains(f *testing.F) {
	f.Add("543462\x00u0001\x00ab中cd", "x1543462 u0001 ab中cdx")
	f.Add("\x80\x81\x82\x83\x84\x85\x86\x87\x88", "a\x80\x81\x82\x83\x84\x85\x86\x87\x88")
	f.Fuzz(func(t *testing.T, needles, text string) {
		if len(needles) > 4096 || len(text) > 4096 {
			return // the naive count is quadratic
		}
		vals := strings.Split(needles, "\x00")
		n := needlesOf(vals...)
		if got, want := n.Count(text), naiveCount(vals, DefaultMinLen, text); got != want {
			t.Fatalf("Count = %d, naive %d", got, want)
		}
	})
}
