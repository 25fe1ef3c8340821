package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/spark-cli/spark/shell"
)

// canSteer reports whether an interrupt may open the steer prompt instead of aborting: only
// with a person at a terminal on both ends, and not in filter mode or with --no-steer.
func (j *patchJob) canSteer() bool {
	st := j.env.streams
	return j.steer && !j.filter && st.InTTY && st.OutTTY && st.InFile != nil
}

// interruptedByUser reports whether ctx was cancelled by SIGINT (Ctrl-C), as opposed to SIGTERM
// or anything else, which always abort.
func interruptedByUser(ctx context.Context) bool {
	if ctx.Err() == nil {
		return false
	}
	var sig *SignalError
	return errors.As(context.Cause(ctx), &sig) && sig.Signal == os.Interrupt
}

// steerTurn runs the steer prompt after an interrupt. It returns a fresh context for the next
// turn, cancelled by the next SIGINT or SIGTERM (the first SIGINT has already cancelled the
// command's own context for good), with its stop function, and the user's nudge. ok is false when the user
// aborts: an empty line, Ctrl-C or Ctrl-D.
func (j *patchJob) steerTurn(parent context.Context, pal *palette) (ctx context.Context, stop func(), nudge string, ok bool) {
	out := j.env.streams.Out
	// Cancelling closed the connection (on HTTP/1.1): open the next one while the user types.
	j.client.Predial()
	fmt.Fprintln(out)
	pal.dim.Fprintln(out, "interrupted: type how to continue and press Enter; an empty line or Ctrl-C aborts (nothing written)")
	// SIGTERM and SIGHUP still end spark while it waits for the line.
	abort, stopAbort := SignalContext(context.Background(), syscall.SIGTERM, syscall.SIGHUP)
	if j.env.steerLines == nil {
		j.env.steerLines = shell.NewLineReader(j.env.streams.InFile, out)
	}
	nudge, ok = j.env.steerLines.ReadLine(abort, pal.warn.Sprint("steer> "))
	stopAbort()
	if !ok {
		return nil, nil, "", false
	}
	pal.warn.Fprintf(out, "↻ %s\n", nudge)
	ctx, stop = SignalContext(context.WithoutCancel(parent), os.Interrupt, syscall.SIGTERM)
	return ctx, stop, nudge, true
}
