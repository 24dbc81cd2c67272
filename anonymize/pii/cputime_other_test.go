//go:build !unix

package pii

import "time"

// cpuTime is not measured here; BenchmarkCorpus then reports wall time only.
func cpuTime() time.Duration { return 0 }
