package cmd

import (
	"github.com/spark-cli/spark/internal/safe"

	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/llm"
)

// againOptions is what `spark again` was asked to do.
type againOptions struct {
	Nudge      string
	DryRun     bool
	ShowPrompt bool
	NoSteer    bool
}

func newAgainCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "again",
		Usage:     "take the last edit or fix back and ask again, with a nudge",
		ArgsUsage: "[NUDGE]",
		Description: `Takes back the last spark command that changed files (an edit or a fix: the top of
the undo stack) and asks the model again in the same conversation, with NUDGE as the next
message (without one, for another, different attempt). The request starts with the very
bytes of the previous one, so a provider's prompt cache serves it. The new edit streams into
the live diff and replaces the old one on the undo stack: one spark undo goes back to before
the first attempt. It refuses, and changes nothing, if those files changed since. A failed or
interrupted again leaves the files as they were before the first attempt.

Examples:
   spark edit main.go "add a retry loop"
   spark again "use a for loop with a counter, not recursion"
   spark again                                  # just another attempt`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "show the new diff, take nothing back, write nothing"},
			&cli.BoolFlag{Name: "show-prompt", Usage: "print exactly what would be sent to the model, send nothing"},
			&cli.BoolFlag{Name: "no-steer", Usage: "Ctrl-C always aborts, even on a terminal"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 1 {
				return usageErrorf("again takes at most one argument, the nudge: spark again \"NUDGE\"")
			}
			return runAgain(c.Context, e, againOptions{
				Nudge:      c.Args().First(),
				DryRun:     c.Bool("dry-run"),
				ShowPrompt: c.Bool("show-prompt"),
				NoSteer:    c.Bool("no-steer"),
			})
		},
	}
}

func runAgain(ctx context.Context, e *env, opts againOptions) error {
	start := time.Now()
	dir, err := edit.StateDir(e.getenv)
	if err != nil {
		return fmt.Errorf("again: %w", err)
	}
	if !opts.ShowPrompt {
		if err := recoverInterrupted(e); err != nil {
			return err
		}
	}
	r, err := edit.Retake(dir)
	var conflict *edit.UndoConflictError
	switch {
	case errors.Is(err, edit.ErrNothingToUndo):
		return errors.New("again: nothing to take back: no spark edit or fix changed files yet")
	case errors.As(err, &conflict):
		return fmt.Errorf("again: %s changed since the last edit; nothing taken back: %w", conflict.Path, err)
	case err != nil:
		return fmt.Errorf("again: %w", err)
	}
	conv := r.Conversation
	// The stored model and format, so that the request's prefix is the previous one's.
	s, err := loadSettings(e.getenv, modelFlags{Model: conv.Model, Format: string(conv.Format)})
	if err != nil {
		return err
	}
	conn := connect(ctx, s, connectOptions{showPrompt: opts.ShowPrompt, predial: e.getenv("SPARK_NO_PREDIAL") == ""})

	messages := make([]llm.Message, 0, len(conv.Messages)+2)
	for _, m := range conv.Messages {
		messages = append(messages, llm.Message{Role: m.Role, Content: m.Content})
	}
	messages = append(messages,
		llm.Message{Role: "assistant", Content: conv.Reply},
		llm.Message{Role: "user", Content: edit.AgainPrompt(e.redactor().RedactValues(opts.Nudge))},
	)
	args := make([]string, len(conv.Targets))
	for i, t := range conv.Targets {
		args[i] = t.Arg
	}

	// The connection's settings are known before anything is taken back: a model that cannot
	// be reached leaves the last edit in place.
	if err := conn.wait(); err != nil {
		return err
	}
	var targets []*edit.Target
	if opts.DryRun || opts.ShowPrompt {
		// Nothing is taken back: the edit applies to the contents the model saw, in memory.
		for i, t := range conv.Targets {
			targets = append(targets, &edit.Target{Path: t.Path, Real: t.Real, Content: r.Before[i], Start: t.Start, End: t.End})
		}
	} else {
		paths, err := edit.UndoID(dir, r.ID)
		if errors.As(err, &conflict) {
			return fmt.Errorf("again: %s changed since the last edit; nothing taken back: %w", conflict.Path, err)
		}
		if err != nil {
			return fmt.Errorf("again: %w", err)
		}
		fmt.Fprintf(e.streams.Err, "took back %s; asking again\n", safe.Line(strings.Join(paths, ", ")))
		if targets, err = edit.Resolve(args, edit.ResolveOptions{Dir: conv.Dir}); err != nil {
			return fmt.Errorf("again: %w", err)
		}
		now := edit.NewSentTargets(args, targets)
		same := len(now) == len(conv.Targets)
		for i := 0; same && i < len(now); i++ {
			same = now[i].SHA256 == conv.Targets[i].SHA256
		}
		if !same {
			return fmt.Errorf("again: the files are not as the model saw them; %s left as before the last edit", safe.Line(strings.Join(paths, ", ")))
		}
	}
	job := &patchJob{
		env:        e,
		settings:   conn.settings,
		client:     conn.client,
		targets:    targets,
		messages:   messages,
		dryRun:     opts.DryRun,
		steer:      !opts.NoSteer,
		start:      start,
		undo:       newCommitter(e, r.Command),
		targetArgs: args,
		dir:        conv.Dir,
	}
	if opts.ShowPrompt {
		return job.showPrompt()
	}
	return job.run(ctx)
}
