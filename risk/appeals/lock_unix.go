//go:build unix

package appeals

import (
	"os"
	"syscall"
)

// lock takes an advisory flock on the log file itself: exclusive for a
// decision, shared for reads. The log is only ever appended to, so the
// lock always guards the file that is written.
func lock(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	return syscall.Flock(int(f.Fd()), how)
}

func unlock(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
