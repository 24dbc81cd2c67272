package tagging

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestDefaultSpec(t *testing.T) {
	s := DefaultSpec()
	want := map[string]string{
		"age_band": "string", "country": "string", "region": "string", "interests": "list(string)",
		"discount_sensitivity": "string", "price_tier": "string", "rfm_segment": "string",
		"lifecycle": "string", "membership": "string", "loyalty": "string",
	}
	got := map[string]string{}
	for _, tag := range s.Tags() {
		got[tag.Name] = tag.Type()
		if len(tag.Uses()) == 0 {
			t.Errorf("tag %s reads no aggregate", tag.Name)
		}
	}
	for n, typ := range want {
		if got[n] != typ {
			t.Errorf("tag %s: type %q, want %q", n, got[n], typ)
		}
	}
	if len(s.Merchant) != 2 || s.Merchant[0].Name != "membership" {
		t.Errorf("merchant tags: %v", s.Merchant)
	}
	rfm := s.Consumer[slices.IndexFunc(s.Consumer, func(t *Tag) bool { return t.Name == "rfm_segment" })]
	if u := strings.Join(rfm.Uses(), ","); u != "purchases,spend_units,purchase_days,last_purchase_days" {
		t.Errorf("rfm_segment uses %s", u)
	}
	if s.Consumer[0].direct == nil || rfm.direct != nil {
		t.Error("age_band should be copied directly and rfm_segment evaluated")
	}
	if s.Fingerprint() == "" || s.Fingerprint() != DefaultSpec().Fingerprint() {
		t.Error("fingerprint not stable")
	}
}

func TestSpecReportsEveryProblem(t *testing.T) {
	b, err := os.ReadFile("../testdata/tags/bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseSpec(b, "bad.yaml")
	if err == nil {
		t.Fatal("bad tag file accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"window_days: 90 is outside [1, 64]",
		"affinity_weights.teleport: not an event type",
		"affinity_weights.purchase: -1 is outside",
		"tag age_band: defined twice",
		"tag Bad-Name: name must match",
		"tag typo: ", "undeclared reference to 'purchasez'",
		"tag wrong_type: ", "no matching overload",
		"tag map_valued: type map(string, int) is not string",
		"tag loyalty: ", // merchant.* in consumer scope
		`tag scoped: scope "galaxy"`,
		"tag as_of: name is reserved",
		"tag empty: expr is empty",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if !strings.Contains(msg, "bad.yaml") {
		t.Error("error does not name the file")
	}
}

func TestSpecUnknownKey(t *testing.T) {
	_, err := ParseSpec([]byte("version: 1\nwindow_days: 30\ntop_interests: 3\ntagz: []\n"), "x.yaml")
	if err == nil || !strings.Contains(err.Error(), "tagz") {
		t.Fatalf("unknown key: %v", err)
	}
}
