package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/internal/safe"
	"github.com/spark-cli/spark/shell"
)

// historyOptions is what `spark history` was asked to show.
type historyOptions struct {
	JSON bool
	N    int // the last N records; 0 for all
}

// defaultHistory is how many records `spark history` shows without -n.
const defaultHistory = 10

func newHistoryCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "history",
		Usage: "show what this spark shell session recorded, as fix and edit would send it",
		Description: `Prints the most recent commands recorded by the enclosing "spark shell": directory,
exit status, duration, command and output, exactly as they would be sent to the model
(secrets already redacted). Works only inside a spark shell session.

Examples:
   spark history
   spark history -n 1
   spark history --json | jq -r '.[] | select(.status != 0) | .command'`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print a JSON array of records"},
			&cli.IntFlag{Name: "n", Value: defaultHistory, Usage: "show the last `N` records (0 for all)"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usageErrorf("history takes no arguments")
			}
			if c.Int("n") < 0 {
				return usageErrorf("history -n must be 0 or more")
			}
			return runHistory(c.Context, e, historyOptions{JSON: c.Bool("json"), N: c.Int("n")})
		},
	}
}

// errNoSession is returned by commands that need a spark shell session outside one.
var errNoSession = errors.New("not inside a spark shell session (start one with: spark shell)")

func runHistory(_ context.Context, e *env, opts historyOptions) error {
	dir, ok := e.session()
	if !ok {
		return fmt.Errorf("history: %w", errNoSession)
	}
	recs, err := shell.ReadRecords(dir)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if opts.N > 0 && len(recs) > opts.N {
		recs = recs[len(recs)-opts.N:]
	}
	if opts.JSON {
		if recs == nil {
			recs = []shell.Record{}
		}
		b, err := json.MarshalIndent(recs, "", "  ")
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		// Exact JSON, with the characters a terminal would act on escaped as \uXXXX.
		fmt.Fprintf(e.streams.Out, "%s\n", safe.JSON(b))
		return nil
	}
	if len(recs) == 0 {
		fmt.Fprintln(e.streams.Err, "spark: history: no commands recorded yet in this session")
		return nil
	}
	fmt.Fprint(e.streams.Out, safe.Text(shell.Format(recs, 0)))
	return nil
}
