//go:build unix

package keys

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock on the keys folder itself, so
// that Init, InitReidentify and Rotate do not interleave. It adds no file.
func lockDir(dir string) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("keys: lock keys folder %s: %w", dir, err)
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX); err != nil {
		d.Close()
		return nil, fmt.Errorf("keys: lock keys folder %s: %w", dir, err)
	}
	return func() {
		syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
		d.Close()
	}, nil
}
