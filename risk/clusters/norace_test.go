//go:build !race

package clusters

const raceBuild = false
