//go:build race

package clusters

// raceBuild makes the fraud measurement smaller under the race detector,
// which slows it tenfold.
const raceBuild = true
