//go:build race

package serve_test

// raceBuild shrinks the generated worlds: the race detector slows the
// pipeline and the service ten times.
const raceBuild = true
