package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"

	"github.com/veil-data/veil/anonymize/keys"
	"github.com/veil-data/veil/ingest"
	"github.com/veil-data/veil/reporting"
	"github.com/veil-data/veil/schemas"
	"github.com/veil-data/veil/sinks"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// TestDemoEndToEnd runs the whole pipeline on a small demo and checks what
// the README promises: every dataset committed, records accounted for, the
// leak check passed, and no raw value in any log line.
func TestDemoEndToEnd(t *testing.T) {
	dir := t.TempDir()
	code, out, logs := run(t, "demo", "--dir", dir, "--events", "20000", "--log-level", "debug")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, logs)
	}
	for _, want := range []string{"events_clean", "chats_clean", "optouts_clean", "optout_registry", "consumer_tags", "risk_features", "quarantine", "registry: ", "leak check: PASSED"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	wh, err := sinks.Open(filepath.Join(dir, "warehouse"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range schemas.Datasets {
		parts, err := wh.Partitions(ds)
		if err != nil || len(parts) == 0 {
			t.Errorf("%s: %d partitions, %v", ds.Name, len(parts), err)
		}
	}
	start, _ := time.Parse(time.DateOnly, defaultStart)
	for d := 0; d < 2; d++ {
		raw, err := ingest.RawValues(context.Background(), filepath.Join(dir, "landing"), start.AddDate(0, 0, d), nil)
		if err != nil {
			t.Fatal(err)
		}
		for v := range raw {
			if strings.Contains(logs, v) || strings.Contains(out, v) {
				t.Fatalf("a raw value of length %d appears in the demo's output or logs", len(v))
			}
		}
	}

	// No key material either: not the KEKs' (cleartext files) nor the
	// token keysets' (decrypted here), in any encoding, in logs, stdout, or
	// any file of the warehouse.
	secrets := keyMaterial(t, filepath.Join(dir, "keys"))
	whFiles := readTree(t, filepath.Join(dir, "warehouse"))
	for _, sec := range secrets {
		for _, enc := range []string{base64.StdEncoding.EncodeToString(sec), base64.RawURLEncoding.EncodeToString(sec), hex.EncodeToString(sec)} {
			if strings.Contains(logs, enc) || strings.Contains(out, enc) {
				t.Fatal("key material appears in the demo's output or logs")
			}
		}
		for name, b := range whFiles {
			if bytes.Contains(b, sec) || bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString(sec))) {
				t.Fatalf("key material appears in %s", name)
			}
		}
	}

	// Each day's report records where the audit log's anchor stood.
	rep, _, err := reporting.Latest(wh, start)
	if err != nil || rep.Reidentifications == nil || rep.Reidentifications.Anchor != reporting.AnchorPresent {
		t.Errorf("report's record of the audit anchor: %+v, %v", rep, err)
	}
	// ... and its clusters note: users per cluster and how many flagged.
	if rep != nil && (rep.Clusters == nil || rep.Clusters.Users == 0 || len(rep.Clusters.Largest) == 0 || !strings.Contains(out, "DBSCAN clusters")) {
		t.Errorf("report's clusters note: %+v", rep.Clusters)
	}

	// A second demo over the same directory regenerates the same bytes and
	// commits the same rows.
	before, err := wh.Manifest(schemas.EventsClean, sinks.Partition{DT: defaultStart})
	if err != nil {
		t.Fatal(err)
	}
	if code, out, logs := run(t, "demo", "--dir", dir, "--events", "20000"); code != 0 {
		t.Fatalf("second demo exit %d\n%s\n%s", code, out, logs)
	}
	after, err := wh.Manifest(schemas.EventsClean, sinks.Partition{DT: defaultStart})
	if err != nil {
		t.Fatal(err)
	}
	if before.Fingerprint() != after.Fingerprint() || before.RunID == after.RunID {
		t.Fatalf("re-run: fingerprint %s -> %s, run %s -> %s", before.Fingerprint(), after.Fingerprint(), before.RunID, after.RunID)
	}
}

func TestKeysErrorsAreClear(t *testing.T) {
	dir := t.TempDir()
	keysDir := filepath.Join(dir, "keys")
	if code, _, e := run(t, "keys", "info", "--dir", keysDir); code == 0 || !strings.Contains(e, "keys init") {
		t.Fatalf("missing KEK: exit %d, %q", code, e)
	}
	if code, _, e := run(t, "keys", "init", "--dir", keysDir); code != 0 {
		t.Fatalf("init: %s", e)
	}
	code, out, _ := run(t, "keys", "info", "--dir", keysDir)
	if code != 0 || !strings.Contains(out, "tokens-reversible") || !strings.Contains(out, "tokens-oneway") {
		t.Fatalf("info: %d %q", code, out)
	}
	kek, err := os.ReadFile(filepath.Join(keysDir, "kek.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, string(kek)) {
		t.Fatal("info printed the KEK")
	}
	other := filepath.Join(dir, "other", "kek.json")
	if code, _, e := run(t, "keys", "init", "--dir", filepath.Join(dir, "other")); code != 0 {
		t.Fatalf("second init: %s", e)
	}
	code, _, e := run(t, "keys", "info", "--dir", keysDir, "--kek", other)
	if code == 0 || !strings.Contains(e, "key-encryption key") {
		t.Fatalf("wrong KEK: exit %d, %q", code, e)
	}
}

func TestOnceNeedsCommittedInputs(t *testing.T) {
	dir := t.TempDir()
	code, _, e := run(t, "once", "--stage", "tags", "--date", "2026-11-19",
		"--landing", filepath.Join(dir, "l"), "--warehouse", filepath.Join(dir, "w"), "--keys", filepath.Join(dir, "k"))
	if code == 0 || !strings.Contains(e, "not committed") {
		t.Fatalf("exit %d, %q", code, e)
	}
	if code, _, e := run(t, "once", "--stage", "nope", "--date", "2026-11-19", "--warehouse", filepath.Join(dir, "w")); code == 0 || !strings.Contains(e, "unknown stage") {
		t.Fatalf("unknown stage: exit %d, %q", code, e)
	}
}

func TestRunCheckConfig(t *testing.T) {
	if code, out, e := run(t, "run", "--config", "../../../configs/veil.yaml", "--check"); code != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("shipped config: exit %d %q %q", code, out, e)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("landing: l\nschedules:\n  ingest: \"61 * * * *\"\n"), 0o644)
	code, _, e := run(t, "run", "--config", bad, "--check")
	if code == 0 || !strings.Contains(e, "schedules.ingest") || !strings.Contains(e, "warehouse: path is required") {
		t.Fatalf("bad config: exit %d, %q", code, e)
	}
}

// keyMaterial returns the secret bytes of every key in a keys folder: the
// raw key values inside each key's data, as Tink holds them.
func keyMaterial(t *testing.T, dir string) [][]byte {
	t.Helper()
	var out [][]byte
	add := func(ks *tinkpb.Keyset) {
		for _, k := range ks.GetKey() {
			v := k.GetKeyData().GetValue()
			out = append(out, v)
			if len(v) > 32 {
				out = append(out, v[len(v)-32:]) // the key bytes end the serialized key
			}
		}
	}
	for _, name := range []string{keys.DefaultKEKFile, keys.DefaultReidentifyKEKFile} {
		h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(mustOpen(t, filepath.Join(dir, name))))
		if err != nil {
			t.Fatal(err)
		}
		add(insecurecleartextkeyset.KeysetMaterial(h))
		kek, err := aead.New(h)
		if err != nil {
			t.Fatal(err)
		}
		under := []string{keys.TokensReversible, keys.TokensOneWay, keys.AudienceLedger}
		if name != keys.DefaultKEKFile {
			under = []string{keys.Reidentify, keys.Audit}
		}
		for _, ks := range under {
			th, err := keyset.ReadWithAssociatedData(keyset.NewJSONReader(mustOpen(t, keys.Path(dir, ks))), kek, []byte(ks))
			if err != nil {
				t.Fatalf("decrypt %s: %v", ks, err)
			}
			add(insecurecleartextkeyset.KeysetMaterial(th))
		}
	}
	if len(out) < 6 {
		t.Fatalf("found %d keys", len(out))
	}
	return out
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readTree reads every regular file under root.
func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
