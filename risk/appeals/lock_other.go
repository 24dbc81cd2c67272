//go:build !unix

package appeals

import "os"

// lock is a no-op where flock is unavailable: one decider at a time is
// then the operator's to ensure.
func lock(*os.File, bool) error { return nil }

func unlock(*os.File) {}
