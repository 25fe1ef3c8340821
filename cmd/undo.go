package cmd

import (
	"github.com/spark-cli/spark/internal/safe"

	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/edit"
)

func newUndoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "undo",
		Usage:     "restore the files changed by the last spark command that changed files (a stack)",
		ArgsUsage: "[--list]",
		Description: `Puts back, byte for byte, every file the last edit or fix wrote; run it again to undo
the command before that (the last 20 are kept). A spark fix -- COMMAND that applied several
fixes is one step. It refuses, and changes nothing, if any of those files was changed again
since. --list shows the stack, newest first: when, the command, the files.

Example:
   spark edit main.go "inline the helper" && go test ./... || spark undo`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "list", Aliases: []string{"l"}, Usage: "show the undo stack, newest first; change nothing"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usageErrorf("undo takes no arguments")
			}
			return runUndo(c.Context, e, c.Bool("list"))
		},
	}
}

func runUndo(_ context.Context, e *env, list bool) error {
	dir, err := edit.StateDir(e.getenv)
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	if err := recoverInterrupted(e); err != nil {
		return err
	}
	if list {
		entries, err := edit.UndoList(dir)
		if err != nil {
			return fmt.Errorf("undo: %w", err)
		}
		writeUndoList(e.streams.Out, entries, time.Now())
		return nil
	}
	paths, err := edit.Undo(dir)
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	fmt.Fprintf(e.streams.Out, "restored %s\n", safe.Line(strings.Join(paths, ", ")))
	return nil
}

// writeUndoList prints one line per entry: its place (1 is what spark undo reverts next), when,
// the command and the files.
func writeUndoList(w io.Writer, entries []edit.UndoEntry, now time.Time) {
	if len(entries) == 0 {
		fmt.Fprintln(w, "nothing to undo")
		return
	}
	for i, en := range entries {
		when := en.Time.Local().Format("15:04:05")
		if y, m, d := en.Time.Local().Date(); y != now.Year() || m != now.Month() || d != now.Day() {
			when = en.Time.Local().Format("2006-01-02 15:04")
		}
		command := en.Command
		if command == "" {
			command = "(command not recorded)"
		}
		fmt.Fprintf(w, "%d  %s  %s  %s\n", i+1, when, safe.Line(command), safe.Line(strings.Join(en.Paths, ", ")))
	}
}

// newCommitter returns the Committer of one spark command that changes files: all its commits
// make one undo entry, shown as command; an interrupted commit it recovers is reported on stderr.
func newCommitter(e *env, command string) *edit.Committer {
	dir, err := edit.StateDir(e.getenv)
	if err != nil {
		dir = "" // no state directory: no lock and no undo, as before one is set
	}
	return &edit.Committer{StateDir: dir, Command: command, Notify: func(msg string) {
		fmt.Fprintf(e.streams.Err, "spark: %s\n", safe.Line(msg))
	}}
}

// recoverInterrupted finishes a commit or undo that a crash interrupted, saying so in one line,
// before a command reads the files it may change.
func recoverInterrupted(e *env) error {
	dir, err := edit.StateDir(e.getenv)
	if err != nil {
		return nil
	}
	msg, err := edit.Recover(dir)
	if err != nil {
		return err
	}
	if msg != "" {
		fmt.Fprintf(e.streams.Err, "spark: %s\n", safe.Line(msg))
	}
	return nil
}
