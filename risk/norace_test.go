//go:build !race

package risk

const raceBuild = false
