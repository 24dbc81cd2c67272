//go:build !unix

package keys

// lockDir is a no-op where flock is unavailable: run one key command at a
// time there.
func lockDir(string) (unlock func(), err error) { return func() {}, nil }
