// Command fakeopenai serves llmtest's scripted fake of OpenAI's Chat Completions streaming API,
// for manual trials and for the benchmark harness. It prints the base URL (ending in /v1) on
// stdout, then one line per request to stderr (or -log):
//
//	request 1 unix_ns=1732521600123456789 path=/v1/chat/completions bytes=312 step=0
//
// where unix_ns is when the request's headers were read. By default every request gets the
// same streamed reply; -script serves a JSON array of steps instead:
//
//	fakeopenai -reply patch.txt -chunk 16 -delay 0 -addr 127.0.0.1:0
//	fakeopenai -script steps.json -repeat
//
// A step in the script has the fields of llmtest.Step in snake case (status, error_body,
// retry_after, chunks, finish_reason, usage, drop_after, hang_after, raw), durations as Go
// strings (chunk_delay, first_delay: "5ms"), and "reply": text split into -chunk runes when
// chunks is empty.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeopenai:", err)
		os.Exit(1)
	}
}
