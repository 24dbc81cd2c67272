package chain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/tink"
)

func newKey(t *testing.T) tink.MAC {
	t.Helper()
	h, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mac.New(h)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSignCheck(t *testing.T) {
	k, other := newKey(t), newKey(t)
	tag, id, err := Sign(k, []byte("entry"))
	if err != nil || len(tag) != TagLen {
		t.Fatalf("Sign = %q, %v", tag, err)
	}
	if got, ok := KeyID(tag); !ok || got != id {
		t.Fatalf("KeyID = %d, %v; want %d", got, ok, id)
	}
	if pid, err := PrimaryKeyID(k); err != nil || pid != id {
		t.Fatalf("PrimaryKeyID = %d, %v", pid, err)
	}
	if err := Check(k, []byte("entry"), tag, id); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]func() error{
		"other data":   func() error { return Check(k, []byte("entrY"), tag, id) },
		"other key":    func() error { return Check(other, []byte("entry"), tag, id) },
		"other key id": func() error { return Check(k, []byte("entry"), tag, id+1) },
		"upper case":   func() error { return Check(k, []byte("entry"), strings.ToUpper(tag), id) },
		"short":        func() error { return Check(k, []byte("entry"), tag[:70], id) },
	} {
		if err := c(); !errors.Is(err, ErrBadMAC) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAnchorFile(t *testing.T) {
	k := newKey(t)
	path := filepath.Join(t.TempDir(), "anchor.json")
	if _, ok, err := ReadAnchor(path, "log", k); ok || err != nil {
		t.Fatalf("missing anchor: %v, %v", ok, err)
	}
	if created, err := InitAnchor(path, "log", k); !created || err != nil {
		t.Fatalf("InitAnchor = %v, %v", created, err)
	}
	a, ok, err := ReadAnchor(path, "log", k)
	if !ok || err != nil || a.Seq != 0 || a.Head != Genesis {
		t.Fatalf("ReadAnchor = %+v, %v, %v", a, ok, err)
	}
	head, _, _ := Sign(k, []byte("entry 7"))
	if err := WriteAnchor(path, "log", k, 7, head); err != nil {
		t.Fatal(err)
	}
	if created, err := InitAnchor(path, "log", k); created || err != nil {
		t.Fatalf("InitAnchor over an anchor = %v, %v", created, err)
	}
	if a, _, err = ReadAnchor(path, "log", k); err != nil || a.Seq != 7 || a.Head != head {
		t.Fatalf("ReadAnchor = %+v, %v", a, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("anchor mode %04o", st.Mode().Perm())
	}
	var m *Mismatch
	if _, _, err := ReadAnchor(path, "other-log", k); !errors.As(err, &m) {
		t.Errorf("another log's anchor: %v", err)
	}
	if _, _, err := ReadAnchor(path, "log", newKey(t)); !errors.As(err, &m) || !strings.Contains(err.Error(), "MAC") {
		t.Errorf("anchor under another key: %v", err)
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(b), `"seq":7`, `"seq":6`, 1)), 0o600)
	if _, _, err := ReadAnchor(path, "log", k); !errors.As(err, &m) {
		t.Errorf("edited anchor: %v", err)
	}
	if p, ok, err := PeekAnchor(path); !ok || err != nil || p.Seq != 6 {
		t.Errorf("PeekAnchor reads without checking: %+v, %v", p, err)
	}
	os.WriteFile(path, []byte("{"), 0o600)
	if _, _, err := PeekAnchor(path); !errors.As(err, &m) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged anchor: %v", err)
	}
}

func TestCompare(t *testing.T) {
	h := func(s string) string { return strings.Repeat(s, TagLen/len(s)) }
	tests := []struct {
		name           string
		a              Anchor
		last, keyed    uint64
		headAt         string
		found, lag     bool
		mismatchSeq    uint64
		mismatchReason string
	}{
		{"empty chain", Anchor{Head: Genesis}, 0, 0, Genesis, true, false, 0, ""},
		{"legacy prefix only", Anchor{Head: Genesis}, 3, 0, Genesis, true, false, 0, ""},
		{"in step", Anchor{Seq: 5, Head: h("ab")}, 5, 5, h("ab"), true, false, 0, ""},
		{"first keyed entry not anchored yet", Anchor{Head: Genesis}, 4, 1, Genesis, true, true, 0, ""},
		{"one behind", Anchor{Seq: 4, Head: h("ab")}, 5, 5, h("ab"), true, true, 0, ""},
		{"wiped", Anchor{Seq: 5, Head: h("ab")}, 0, 0, "", false, false, 1, "wiped"},
		{"cut", Anchor{Seq: 5, Head: h("ab")}, 3, 3, "", false, false, 4, "cut from the end"},
		{"rewritten", Anchor{Seq: 5, Head: h("ab")}, 5, 5, h("cd"), true, false, 5, "rewritten"},
		{"downgraded to unkeyed", Anchor{Seq: 5, Head: h("ab")}, 5, 0, Genesis[:64], true, false, 5, "rewritten"},
		{"added past", Anchor{Seq: 3, Head: h("ab")}, 5, 5, h("ab"), true, false, 4, "goes on past"},
		{"keyed entries past an empty anchor", Anchor{Head: Genesis}, 5, 2, Genesis, true, false, 4, "goes on past"},
	}
	for _, tt := range tests {
		lag, m := tt.a.Compare(tt.last, tt.keyed, tt.headAt, tt.found)
		switch {
		case tt.mismatchReason == "" && m != nil:
			t.Errorf("%s: mismatch %q", tt.name, m.Reason)
		case tt.mismatchReason != "" && (m == nil || m.Seq != tt.mismatchSeq || !strings.Contains(m.Reason, tt.mismatchReason)):
			t.Errorf("%s: %+v, want seq %d %q", tt.name, m, tt.mismatchSeq, tt.mismatchReason)
		case lag != tt.lag:
			t.Errorf("%s: lag %v", tt.name, lag)
		}
	}
}
