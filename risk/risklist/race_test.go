//go:build race

package risklist

const raceBuild = true
