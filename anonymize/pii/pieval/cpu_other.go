//go:build !unix

package pieval

import "time"

// cpuTime is not measured here; Bench falls back to the wall clock.
func cpuTime() (time.Duration, bool) { return 0, false }
