// Command riskbench builds the risk stage's benchmark world and times the
// stage on its last day; see package riskbench and scripts/bench.sh.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/veil-data/veil/risk/riskbench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := riskbench.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
