//go:build !race

package rules

const raceBuild = false
