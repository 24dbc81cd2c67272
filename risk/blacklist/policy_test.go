package blacklist

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultPolicy(t *testing.T) {
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if p.BlockSeverity() != 3 || p.Reviews() != 2 || p.ReviewWindow() != 7*24*time.Hour {
		t.Errorf("admission: block %d reviews %d window %v", p.BlockSeverity(), p.Reviews(), p.ReviewWindow())
	}
	if p.Expiry("CARD_TESTING") != 90*24*time.Hour || p.Expiry("SOMETHING_ELSE") != 30*24*time.Hour {
		t.Errorf("expiry: %v %v", p.Expiry("CARD_TESTING"), p.Expiry("SOMETHING_ELSE"))
	}
}

func TestPolicyErrorsAllAtOnce(t *testing.T) {
	_, err := ParsePolicy([]byte(`
admission:
  block_severity: severe
  reviews: -1
  review_window: 7d
expiry:
  default: forever
  reasons:
    card_testing: 0d
`))
	if err == nil {
		t.Fatal("bad policy accepted")
	}
	for _, want := range []string{"block_severity", "reviews: must be >= 0", "review_window: set, but reviews is 0", "expiry.default", `"card_testing" is not a reason code`, "expiry.reasons.card_testing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestPolicyUnknownKeyRefused(t *testing.T) {
	_, err := ParsePolicy([]byte("admission:\n  block_severity: high\n  reveiws: 2\nexpiry:\n  default: 30d\n"))
	if err == nil || !strings.Contains(err.Error(), "reveiws") {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestPolicyNothingAdmits(t *testing.T) {
	_, err := ParsePolicy([]byte("admission:\n  block_severity: none\nexpiry:\n  default: 30d\n"))
	if err == nil || !strings.Contains(err.Error(), "admit nothing") {
		t.Fatalf("got %v", err)
	}
}

func TestFingerprint(t *testing.T) {
	a := mustPolicy(t, "admission:\n  block_severity: high\n  reviews: 2\n  review_window: 7d\nexpiry:\n  default: 30d\n")
	b := mustPolicy(t, "# same policy, spelt otherwise\nadmission:\n  block_severity: high\n  reviews: 2\n  review_window: 168h\nexpiry:\n  default: 720h\n")
	c := mustPolicy(t, "admission:\n  block_severity: high\n  reviews: 2\n  review_window: 7d\nexpiry:\n  default: 30d\n  reasons:\n    VELOCITY: 14d\n")
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("the same policy spelt otherwise changed the fingerprint")
	}
	if a.Fingerprint() == c.Fingerprint() {
		t.Error("a new per-reason expiry kept the fingerprint")
	}
}

func mustPolicy(t testing.TB, y string) *Policy {
	t.Helper()
	p, err := ParsePolicy([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
