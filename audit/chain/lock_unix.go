//go:build unix

package chain

import (
	"os"
	"syscall"
)

// LockFile takes an advisory flock on a log file itself: exclusive for
// appends, shared for reads. The logs are never replaced, so the lock
// always guards the file that is written.
func LockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	return syscall.Flock(int(f.Fd()), how)
}

func UnlockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
