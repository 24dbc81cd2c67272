// Command veil runs the privacy-preserving data pipeline; see README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/veil-data/veil/cmd/veil/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
