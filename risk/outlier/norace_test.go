//go:build !race

package outlier

const raceBuild = false
