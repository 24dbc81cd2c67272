//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sinks

import (
	"errors"
	"os"
	"syscall"
)

var errBusy = errors.New("lock busy")

// flock takes an exclusive flock(2) on f without waiting.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errBusy
		default:
			return err
		}
	}
}
