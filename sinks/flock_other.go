//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sinks

import (
	"errors"
	"os"
	"runtime"
)

var errBusy = errors.New("lock busy")

// flock is not implemented here: the warehouse's locks need flock(2).
func flock(*os.File) error {
	return errors.New("file locks are not supported on " + runtime.GOOS)
}
