//go:build race

package rules

// raceBuild makes the heavier tests smaller under the race detector,
// which slows them tenfold.
const raceBuild = true
