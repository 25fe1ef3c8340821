package cmd

import (
	"io"
	"os"

	"golang.org/x/term"
)

// Streams are the standard streams a command reads and writes. They are injected, never global,
// so that tests can run commands in-process and the terminal decisions are made in one place.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	// InFile is stdin as a file when it is one; the steer prompt and raw mode need its descriptor.
	InFile *os.File

	InTTY  bool // stdin is a terminal
	OutTTY bool // stdout is a terminal
	ErrTTY bool // stderr is a terminal

	// Color is whether to colour output; set by Main from FORCE_COLOR, NO_COLOR, TERM and OutTTY.
	Color bool
}

// SystemStreams returns the process's own standard streams.
func SystemStreams() Streams {
	return Streams{
		In:     os.Stdin,
		Out:    os.Stdout,
		Err:    os.Stderr,
		InFile: os.Stdin,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// colorWanted decides once whether to colour: FORCE_COLOR wins, then NO_COLOR and TERM=dumb, then
// whether the output is a terminal.
func colorWanted(getenv func(string) string, tty bool) bool {
	if v := getenv("FORCE_COLOR"); v != "" && v != "0" && v != "false" {
		return true
	}
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	return tty
}
