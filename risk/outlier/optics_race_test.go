//go:build race

package outlier

// opticsRace shrinks the O(n^2) comparisons under the race detector.
const opticsRace = true
