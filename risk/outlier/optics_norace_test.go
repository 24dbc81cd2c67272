//go:build !race

package outlier

const opticsRace = false
