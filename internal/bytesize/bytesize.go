// Package bytesize reads the memory sizes veil's settings take
// (VEIL_RESIDUAL_MEMORY, --memory-limit): a positive whole number of bytes
// with an optional KiB, MiB or GiB suffix.
package bytesize

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse returns s in bytes; s is a positive integer, optionally followed
// by KiB, MiB or GiB (spaces around the number are ignored).
func Parse(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if t, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(t), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive size such as 512MiB, got %q", s)
	}
	return n * mult, nil
}
