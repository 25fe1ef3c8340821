// Command spark is a latency-first, shell-integrated micro-edit CLI for coding models.
package main

import (
	"context"
	"os"
	"syscall"

	"github.com/spark-cli/spark/cmd"
)

func main() {
	ctx, stop := cmd.SignalContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cmd.Main(ctx, os.Args, cmd.SystemStreams())
	stop()
	os.Exit(code)
}
