//go:build race

package outlier

// raceBuild makes the heavier tests smaller under the race detector,
// which slows them tenfold.
const raceBuild = true
