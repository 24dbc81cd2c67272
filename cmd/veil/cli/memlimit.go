package cli

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/veil-data/veil/internal/bytesize"
)

// DefaultMemoryLimit is the Go runtime's soft memory limit unless
// --memory-limit or GOMEMLIMIT says otherwise. Without one the collector
// lets the heap grow to twice what is live, so a stage holding 1.2 GiB of
// a 10M-event day peaks near 2.5 GiB; with it the collector works harder
// as the process nears the limit instead. It is soft: a stage that truly
// needs more still gets it (more slowly), it does not fail.
const DefaultMemoryLimit = "1792MiB"

// applyMemoryLimit sets the runtime's soft memory limit from flag ("off"
// or "0" leaves the runtime's default). GOMEMLIMIT in the environment
// wins, as the runtime already applied it.
func applyMemoryLimit(flag string) error {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	n, err := parseSize(flag)
	if err != nil {
		return usage(fmt.Errorf("--memory-limit: %w", err))
	}
	if n > 0 {
		debug.SetMemoryLimit(n)
	}
	return nil
}

// parseSize reads "off", "0" or a size bytesize.Parse reads.
func parseSize(s string) (int64, error) {
	if s = strings.TrimSpace(s); s == "off" || s == "0" {
		return 0, nil
	}
	n, err := bytesize.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("want off or a size such as 1792MiB, got %q", s)
	}
	return n, nil
}
