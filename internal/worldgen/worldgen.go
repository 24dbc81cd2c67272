// Package worldgen holds the primitives the benchmark worlds
// (internal/testtags, risk/riskbench) draw from: a hash that lets a
// generator revisit an entity on any day without storing it, and
// weighted choices.
package worldgen

import (
	"math"
	"slices"
)

// Mix is the SplitMix64 finaliser: a bijection on uint64, so Mix of
// distinct inputs are distinct.
func Mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Law picks an index with fixed weights from a uniform draw: its
// cumulative weights, normalised to end at 1.
type Law []float64

// NewLaw is the law of the given relative weights.
func NewLaw(w ...float64) Law {
	c := make(Law, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		c[i] = sum
	}
	for i := range c {
		c[i] /= sum
	}
	return c
}

// ZipfLaw weights rank i (0-based) of n by (i+1)^-s.
func ZipfLaw(n int, s float64) Law {
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Pow(float64(i+1), -s)
	}
	return NewLaw(w...)
}

// Pick maps a uniform x in [0, 1] to an index.
func (l Law) Pick(x float64) int {
	i, _ := slices.BinarySearch(l, x)
	return min(i, len(l)-1)
}
