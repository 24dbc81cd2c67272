// Package realdata finds the shared real data sets for tests. They are not
// part of the repository (their licences differ; see PROVENANCE.md beside
// them), so a test that needs one skips, saying why, when it is absent.
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the file or folder sub of the shared real data sets, or
// skips the test: $VEIL_REAL_DATA, else ../shared/data/real from the
// repository root (the folder holding go.mod).
func Path(tb testing.TB, sub string) string {
	tb.Helper()
	dir := os.Getenv("VEIL_REAL_DATA")
	if dir == "" {
		root, err := os.Getwd()
		if err != nil {
			tb.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				tb.Skip("real data: repository root not found; set VEIL_REAL_DATA")
			}
			root = parent
		}
		dir = filepath.Join(root, "..", "shared", "data", "real")
	}
	p := filepath.Join(dir, sub)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("real data %s absent (set VEIL_REAL_DATA to the shared data/real folder): %v", sub, err)
	}
	return p
}
