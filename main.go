// Command spark is a latency-first, shell-integrated micro-edit CLI for coding models.
package main

import (
	"context"
	"os"

	"github.com/spark-cli/spark/cmd"
)

// main exits as soon as the command returns: releasing the signal handlers first would only wait
// for os/signal's goroutine to go idle.
func main() {
	os.Exit(cmd.Main(context.Background(), os.Args, cmd.SystemStreams()))
}
