// Command spark is a latency-first, shell-integrated micro-edit CLI for coding models.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/spark-cli/spark/cmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cmd.Main(ctx, os.Args, cmd.SystemStreams())
	stop()
	os.Exit(code)
}
