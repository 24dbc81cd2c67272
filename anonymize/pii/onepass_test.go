package pii

import (
	"strings"
	"testing"
)

// TestRedactOnePass checks that one Redact, without a Learn before it,
// masks a value's partial repeats in its own text and gives the spellings
// of one SSN one placeholder.
func TestRedactOnePass(t *testing.T) {
	c := NewConversation()
	out, _ := c.Redact("我叫王小明，小明的电话13812345678，打138 1234 5678也行")
	for _, raw := range []string{"王小明", "小明", "13812345678", "138 1234 5678"} {
		if strings.Contains(out, raw) {
			t.Errorf("%q left in %q", raw, out)
		}
	}
	if n := strings.Count(out, "<PHONE_1>"); n != 2 {
		t.Errorf("the phone's two spellings got %d <PHONE_1> in %q", n, out)
	}
	a, _ := c.Redact("SSN 078-05-1120")
	b, _ := c.Redact("my ssn is 078 05 1120")
	if !strings.Contains(a, "<US_SSN_1>") || !strings.Contains(b, "<US_SSN_1>") {
		t.Errorf("one SSN, two placeholders: %q, %q", a, b)
	}
}
