//go:build !unix

package cputime

import "time"

// Process is not measured here: callers fall back to the wall clock.
func Process() (time.Duration, bool) { return 0, false }

// PeakRSS is not measured here.
func PeakRSS() int64 { return 0 }
