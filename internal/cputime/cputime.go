// Package cputime reads the CPU time the process has used, user and
// system, every thread and the garbage collector included, and its peak
// resident set (PeakRSS). On a shared
// machine a benchmark's wall clock counts other processes' load; its CPU
// seconds do not, so per-core throughput is work over this.
package cputime

import "time"

// Used is Process without ok: 0 where the time cannot be read, so a
// difference of two is 0 and callers report no CPU figure.
func Used() time.Duration {
	d, _ := Process()
	return d
}
