package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"unicode/utf8"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
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
	nudge, ok = readSteerLine(abort, j.env.streams.InFile, out, pal.warn.Sprint("steer> "))
	stopAbort()
	if !ok {
		return nil, nil, "", false
	}
	pal.warn.Fprintf(out, "↻ %s\n", nudge)
	ctx, stop = SignalContext(context.WithoutCancel(parent), os.Interrupt, syscall.SIGTERM)
	return ctx, stop, nudge, true
}

// readSteerLine reads one line from the terminal in raw mode, so that Ctrl-C arrives as a byte
// rather than a signal and the prompt can tell "abort" from "continue". It echoes what is typed
// and handles backspace and Ctrl-U. ok is false for Ctrl-C, Ctrl-D, an empty line, ctx ending,
// or a terminal that cannot be put in raw mode.
func readSteerLine(ctx context.Context, in *os.File, out interface{ Write([]byte) (int, error) }, prompt string) (line string, ok bool) {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", false
	}
	defer term.Restore(fd, old)
	defer func() {
		if r := recover(); r != nil {
			term.Restore(fd, old)
			panic(r)
		}
	}()
	out.Write([]byte(prompt))
	var buf []byte
	b := make([]byte, 64)
	for {
		// Poll rather than block in Read, so that ctx can end the wait.
		if ctx.Err() != nil {
			out.Write([]byte("\r\n"))
			return "", false
		}
		ready, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 100)
		if err == unix.EINTR || (err == nil && ready == 0) {
			continue
		}
		if err != nil {
			out.Write([]byte("\r\n"))
			return "", false
		}
		n, err := in.Read(b)
		if err != nil || n == 0 {
			out.Write([]byte("\r\n"))
			return "", false
		}
		for _, c := range b[:n] {
			switch c {
			case 3, 4: // Ctrl-C, Ctrl-D
				out.Write([]byte("^C\r\n"))
				return "", false
			case '\r', '\n':
				out.Write([]byte("\r\n"))
				s := string(buf)
				return s, !isBlank(s)
			case 127, 8: // backspace
				if len(buf) > 0 {
					_, size := utf8.DecodeLastRune(buf)
					buf = buf[:len(buf)-size]
					out.Write([]byte("\b \b"))
				}
			case 21: // Ctrl-U
				for len(buf) > 0 {
					_, size := utf8.DecodeLastRune(buf)
					buf = buf[:len(buf)-size]
					out.Write([]byte("\b \b"))
				}
			default:
				if c >= 0x20 || c == '\t' {
					buf = append(buf, c)
					out.Write([]byte{c})
				}
			}
		}
	}
}
