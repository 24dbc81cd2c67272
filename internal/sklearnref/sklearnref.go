// Package sklearnref finds the scikit-learn that tests compare veil with.
// scikit-learn is a reference, never a dependency: a test that needs it
// skips, saying why, where it is absent, unless VEIL_REQUIRE_SKLEARN is set
// (CI sets it after installing python3-sklearn, so the comparison can never
// silently stop running there).
package sklearnref

import (
	"os"
	"os/exec"
	"testing"
)

// Python returns a python3 that imports scikit-learn: $VEIL_PYTHON, then
// python3 on PATH, then the system's /usr/bin/python3 (where Debian's
// python3-sklearn installs). Without one it skips the test, or fails it
// when $VEIL_REQUIRE_SKLEARN is set.
func Python(tb testing.TB) string {
	tb.Helper()
	var cands []string
	if p := os.Getenv("VEIL_PYTHON"); p != "" {
		cands = append(cands, p)
	}
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	cands = append(cands, "/usr/bin/python3")
	for _, p := range cands {
		if exec.Command(p, "-c", "import sklearn").Run() == nil {
			return p
		}
	}
	const msg = "no python3 with scikit-learn (install python3-sklearn or set VEIL_PYTHON)"
	if os.Getenv("VEIL_REQUIRE_SKLEARN") != "" {
		tb.Fatal("scikit-learn comparison required (VEIL_REQUIRE_SKLEARN) but " + msg)
	}
	tb.Skip("scikit-learn comparison skipped: " + msg)
	return ""
}
