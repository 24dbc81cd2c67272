//go:build !unix

package chain

import "os"

// LockFile is a no-op where flock is unavailable: a single writer at a time is
// then the operator's to ensure.
func LockFile(*os.File, bool) error { return nil }

func UnlockFile(*os.File) {}
