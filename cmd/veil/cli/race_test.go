//go:build race

package cli

// raceBuild skips the tests that run the pipeline over a year of real
// data: the race detector slows them past CI's budget, so `make test`
// runs them in a second pass without it.
const raceBuild = true
