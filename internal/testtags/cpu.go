package testtags

import (
	"syscall"
	"time"
)

// CPUTime is the process's user plus system CPU time so far. On a shared
// machine a benchmark's wall clock includes other processes' load; its
// CPU seconds (all threads, the garbage collector's included) do not.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
