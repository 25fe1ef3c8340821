package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/edit"
)

func newUndoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "undo",
		Usage: "restore the files changed by the last edit or fix",
		Description: `Puts back, byte for byte, every file the last edit or fix wrote. It refuses, and
changes nothing, if any of those files was changed again since.

Example:
   spark edit main.go "inline the helper" && go test ./... || spark undo`,
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usageErrorf("undo takes no arguments")
			}
			return runUndo(c.Context, e)
		},
	}
}

func runUndo(_ context.Context, e *env) error {
	dir, err := edit.StateDir(e.getenv)
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	paths, err := edit.Undo(dir)
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	fmt.Fprintf(e.streams.Out, "restored %s\n", strings.Join(paths, ", "))
	return nil
}
