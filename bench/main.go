// Command bench measures spark's latency and throughput targets against local baselines (curl for
// request start, util-linux script for the pty relay) in the same run, and prints a table per suite.
//
//	go run ./bench            # every suite
//	go run ./bench edit shell # the named suites
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
)

// suites maps a suite name to its runner; each suite file registers itself in init.
var suites = map[string]func(ctx context.Context, args []string) error{}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	names := os.Args[1:]
	if len(names) == 0 {
		for n := range suites {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	for _, n := range names {
		run, ok := suites[n]
		if !ok {
			fmt.Fprintf(os.Stderr, "bench: unknown suite %q\n", n)
			os.Exit(2)
		}
		if err := run(ctx, nil); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", n, err)
			os.Exit(1)
		}
	}
}
