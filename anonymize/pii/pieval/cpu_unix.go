//go:build unix

package pieval

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used (user and system, GC
// included), so that a bench sharing the machine counts only its own work.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
