package cmd

import (
	"github.com/spark-cli/spark/internal/safe"

	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/shell"
)

// editOptions is what `spark edit` was asked to do.
type editOptions struct {
	Targets     []string // paths, globs, PATH:START-END, or "-" alone for filter mode
	Instruction string
	Model       modelFlags
	DryRun      bool
	ShowPrompt  bool
	NoSteer     bool
	StdinName   string // the name a filtered stdin is shown to the model under
}

func modelFlagDefs() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "model `NAME` (env SPARK_MODEL)"},
		&cli.StringFlag{Name: "base-url", Usage: "OpenAI-compatible server `URL` (env OPENAI_BASE_URL)"},
		&cli.StringFlag{Name: "format", Usage: "edit format: auto, v4a, search-replace, whole or unified (env SPARK_FORMAT)", Value: "auto"},
		&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "show the diff, write nothing"},
		&cli.BoolFlag{Name: "show-prompt", Usage: "print exactly what would be sent to the model, send nothing"},
		&cli.BoolFlag{Name: "no-steer", Usage: "Ctrl-C always aborts, even on a terminal"},
	}
}

func modelFlagsFrom(c *cli.Context) modelFlags {
	return modelFlags{Model: c.String("model"), BaseURL: c.String("base-url"), Format: c.String("format")}
}

func newEditCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "edit",
		Usage:     "stream a minimal edit, shown live as a diff and applied atomically",
		ArgsUsage: "PATH|GLOB|PATH:START-END... INSTRUCTION",
		Description: `The last argument is the instruction; every argument before it names a file to edit:
a path, a quoted doublestar glob, or PATH:START-END to send and change only those lines.
A lone - reads the text from stdin and writes the edited text to stdout (for editors).

Only the named files may change. Nothing is written until the whole edit applies; then every
file is replaced atomically and "spark undo" can put them back. Ctrl-C stops at once and
writes nothing (exit 130).

Examples:
   spark edit main.go "rename x to y"
   spark edit 'internal/**/*.go' "wrap errors with %w"
   spark edit server.go:40-80 "add a timeout to the handler"
   spark edit --dry-run README.md "fix the typos"
   :'<,'>!spark edit - "turn this into a table-driven test"     (vim)`,
		Flags: append(modelFlagDefs(),
			&cli.StringFlag{Name: "stdin-name", Usage: "with -, the file `NAME` the text is shown to the model as", Value: "stdin"},
		),
		Action: func(c *cli.Context) error {
			opts, err := editOptionsFrom(c)
			if err != nil {
				return err
			}
			return runEdit(c.Context, e, opts)
		},
	}
}

func editOptionsFrom(c *cli.Context) (editOptions, error) {
	args := c.Args().Slice()
	if len(args) < 2 {
		return editOptions{}, usageErrorf("edit needs at least one file and an instruction: spark edit FILE \"INSTRUCTION\"")
	}
	opts := editOptions{
		Targets:     args[:len(args)-1],
		Instruction: args[len(args)-1],
		Model:       modelFlagsFrom(c),
		DryRun:      c.Bool("dry-run"),
		ShowPrompt:  c.Bool("show-prompt"),
		NoSteer:     c.Bool("no-steer"),
		StdinName:   c.String("stdin-name"),
	}
	if isBlank(opts.Instruction) {
		return editOptions{}, usageErrorf("edit: the instruction (last argument) is empty")
	}
	for _, t := range opts.Targets {
		if t == "-" && len(opts.Targets) > 1 {
			return editOptions{}, usageErrorf("edit: - (stdin) cannot be combined with files")
		}
	}
	return opts, nil
}

func runEdit(ctx context.Context, e *env, opts editOptions) error {
	start := time.Now()
	s, err := loadSettings(e.getenv, opts.Model)
	if err != nil {
		return err
	}
	// Connection set-up overlaps with reading the files and building the prompt.
	// SPARK_NO_PREDIAL=1 is a diagnostic: the benchmark measures what pre-dialing saves.
	conn := connect(ctx, s, connectOptions{showPrompt: opts.ShowPrompt, predial: e.getenv("SPARK_NO_PREDIAL") == ""})

	filter := len(opts.Targets) == 1 && opts.Targets[0] == "-"
	var targets []*edit.Target
	var editDir string
	if filter {
		data, err := io.ReadAll(e.streams.In)
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		targets = []*edit.Target{{Path: opts.StdinName, Content: data}}
	} else {
		if err := recoverInterrupted(e); err != nil {
			return err
		}
		dir, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("edit: %w", err)
		}
		editDir = dir
		targets, err = edit.Resolve(opts.Targets, edit.ResolveOptions{Dir: dir, Skipped: func(path, reason string) {
			fmt.Fprintf(e.streams.Err, "spark: edit: skipped %s: %s\n", safe.Line(path), safe.Line(reason))
		}})
		if err != nil {
			return err
		}
	}

	if err := conn.wait(); err != nil {
		return err
	}

	job := &patchJob{
		env:      e,
		settings: conn.settings,
		client:   conn.client,
		targets:  targets,
		dryRun:   opts.DryRun,
		filter:   filter,
		steer:    !opts.NoSteer,
		start:    start,
		undo:     newCommitter(e, "spark edit "+shell.Quote(append(slices.Clone(opts.Targets), opts.Instruction))),

		targetArgs: opts.Targets,
		dir:        editDir,
	}
	job.messages = job.initialMessages(conventionsFor(targets, filter), "", e.redactor().RedactValues(opts.Instruction))
	if opts.ShowPrompt {
		return job.showPrompt()
	}
	// A failed filter gets its input back on stdout from the guard in run, however it failed.
	return job.run(ctx)
}

// conventionsFor gathers AGENTS.md and .editorconfig advice for the targets; stdin is taken as
// a file of the current directory.
func conventionsFor(targets []*edit.Target, filter bool) string {
	dir, err := os.Getwd()
	if err != nil && !filter {
		return ""
	}
	paths := make([]string, len(targets))
	for i, t := range targets {
		paths[i] = t.Path
	}
	return edit.Conventions(dir, paths)
}

func isBlank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}
