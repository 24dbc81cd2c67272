package reporting

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"

	"github.com/veil-data/veil/audit"
	"github.com/veil-data/veil/audit/chain"
)

// TestReidentificationsRecordsAnchor: the report records what the audit
// anchor says, or that it is missing or damaged, without failing.
func TestReidentificationsRecordsAnchor(t *testing.T) {
	if r := reidentifications(""); r != nil {
		t.Errorf("no anchor configured: %+v", r)
	}
	path := filepath.Join(t.TempDir(), audit.AnchorFile)
	if r := reidentifications(path); r == nil || r.Anchor != AnchorMissing {
		t.Errorf("missing anchor: %+v", r)
	}
	h, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mac.New(h)
	head, _, _ := chain.Sign(m, []byte("entry 3"))
	if err := chain.WriteAnchor(path, audit.ChainName, m, 3, head); err != nil {
		t.Fatal(err)
	}
	if r := reidentifications(path); r == nil || *r != (Reidentifications{Anchor: AnchorPresent, Entries: 3, Head: head}) {
		t.Errorf("anchor: %+v", r)
	}
	if err := chain.WriteAnchor(path, "audience-ledger", m, 3, head); err != nil {
		t.Fatal(err)
	}
	if r := reidentifications(path); r == nil || r.Anchor != AnchorDamaged {
		t.Errorf("another log's anchor: %+v", r)
	}
	os.WriteFile(path, []byte("{"), 0o600)
	if r := reidentifications(path); r == nil || r.Anchor != AnchorDamaged {
		t.Errorf("damaged anchor: %+v", r)
	}
}
