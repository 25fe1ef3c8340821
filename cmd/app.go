// Package cmd is spark's command line: flags, settings, colour and terminals. It only wires the
// libraries: llm's deltas into edit.Applier, its events into the live diff; shell for sessions,
// commands and the steer line; completions for scripts and suggestions. Only main calls os.Exit.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/internal/safe"
	"github.com/spark-cli/spark/shell"
)

// Exit codes, as documented in the README.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// errInterrupted reports that the user interrupted the command; it maps to exit 130.
var errInterrupted = errors.New("interrupted")

// SignalError is the cause (see context.Cause) of a context that SignalContext cancelled.
type SignalError struct{ Signal os.Signal }

func (e *SignalError) Error() string { return e.Signal.String() + " signal received" }

// Is makes a SignalError a context.Canceled, as signal.NotifyContext's cause is.
func (e *SignalError) Is(target error) bool { return target == context.Canceled }

// SignalContext is signal.NotifyContext with a cause that is checked by type: the first of
// signals cancels the returned context with a *SignalError naming it. stop releases the signals.
func SignalContext(parent context.Context, signals ...os.Signal) (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := cancelOnSignal(ctx, cancel, signals...)
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// cancelOnSignal cancels ctx with a *SignalError at the first of signals, until ctx is done,
// and returns the channel the signals arrive on.
func cancelOnSignal(ctx context.Context, cancel context.CancelCauseFunc, signals ...os.Signal) chan os.Signal {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, signals...)
	go func() {
		select {
		case s := <-ch:
			cancel(&SignalError{Signal: s})
		case <-ctx.Done():
		}
	}()
	return ch
}

// usageError is a mistake in the command line; it maps to exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitCode is an error that asks for a particular exit code without a message of its own (the
// command already printed what the user needs, like a failing child's status).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// commands lists spark's subcommands by name, with their constructors (one file each). The
// names are here so that a run can build only the commands its arguments reach (reachable).
var commands = []struct {
	name string
	make func(*env) *cli.Command
}{
	{"edit", newEditCommand},
	{"fix", newFixCommand},
	{"undo", newUndoCommand},
	{"again", newAgainCommand},
	{"shell", newShellCommand},
	{"history", newHistoryCommand},
	{"suggest", newSuggestCommand},
	{"init", newInitCommand},
	{"completion", newCompletionCommand},
}

// reachable reports whether the command named name can run, or be listed, for these arguments:
// the one command named first, none for a lone --version, and all of them otherwise (help,
// completion of the command names, an unknown command's suggestions). Building a command
// allocates its flags and touches its code, which is start-up time every run would pay.
func reachable(args []string, name string) bool {
	if len(args) < 2 {
		return true
	}
	if len(args) == 2 && (args[1] == "--version" || args[1] == "-v") {
		return false
	}
	for _, c := range commands {
		if c.name == args[1] {
			return c.name == name
		}
	}
	return true
}

// env is what every command shares: the streams and the environment lookup.
type env struct {
	streams Streams
	getenv  func(string) string

	redactOnce sync.Once
	red        *shell.Redactor

	steerLines *shell.LineReader // the steer prompt's editor, made on first use; keeps this run's nudges
}

// redactor returns the redactor for what this command sends: it knows the values of the
// secret-named variables in spark's own environment, which it inherits from the shell, so a
// secret exported after the session started is caught too.
func (e *env) redactor() *shell.Redactor {
	e.redactOnce.Do(func() { e.red = shell.NewRedactor(os.Environ()) })
	return e.red
}

// session returns the spark shell session this command runs in. A SPARK_SESSION directory that
// is not the user's own, or that others can write to, is ignored with a one-line warning.
func (e *env) session() (string, bool) {
	dir, err := shell.LookupSession(e.getenv)
	var ue *shell.UntrustedDirError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.streams.Err, "spark: warning: ignoring session directory %s\n", safe.Line(ue.Error()))
	}
	return dir, err == nil
}

// Main runs spark with the given arguments (args[0] is the program name) and returns the exit
// code, as a process's main does: SIGINT and SIGTERM cancel ctx with a *SignalError as the
// cause from the moment a command starts its work. --version, --help and completions answer
// before that, without os/signal's goroutine and the thread it parks (two of the six threads
// --version started). The handlers stay installed until the process exits.
func Main(ctx context.Context, args []string, st Streams) int {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	arm := sync.OnceFunc(func() { cancelOnSignal(ctx, cancel, os.Interrupt, syscall.SIGTERM) })
	return runArmed(ctx, args, st, os.Getenv, arm)
}

func run(ctx context.Context, args []string, st Streams, getenv func(string) string) int {
	return runArmed(ctx, args, st, getenv, nil)
}

// runArmed runs spark; arm, when not nil, is called once a command is about to start its work
// (urfave/cli's root Before: after --help, --version and completions have been answered).
func runArmed(ctx context.Context, args []string, st Streams, getenv func(string) string, arm func()) int {
	st.Color = colorWanted(getenv, st.OutTTY)
	var guard *filterGuard
	if isFilter(args) {
		guard = guardFilter(&st)
	}
	e := &env{streams: st, getenv: getenv}
	app := newApp(e, args)
	if arm != nil {
		app.Before = func(*cli.Context) error { arm(); return nil }
	}
	err := app.RunContext(ctx, reorderFlags(app, args))
	code := report(ctx, st, err)
	if guard != nil {
		guard.finish(code)
	}
	return code
}

// report prints err once, as "spark: ...", and maps it to an exit code.
func report(ctx context.Context, st Streams, err error) int {
	if err == nil {
		return ExitOK
	}
	var code exitCode
	var usage *usageError
	switch {
	case errors.As(err, &code):
		return int(code)
	case errors.Is(err, errInterrupted) || (ctx.Err() != nil && errors.Is(err, context.Canceled)):
		fmt.Fprintln(st.Err, "spark: interrupted")
		return ExitInterrupted
	case errors.As(err, &usage):
		fmt.Fprintf(st.Err, "spark: %s\n", safe.Text(usage.msg))
		return ExitUsage
	}
	// An error may quote a server's body, a file's line or the model's reply.
	msg := safe.Text(err.Error())
	// Flag errors reach OnUsageError; what urfave/cli returns of its own beyond them is an
	// ExitCoder, such as "help" for a command that does not exist.
	var cliErr cli.ExitCoder
	if errors.As(err, &cliErr) {
		fmt.Fprintf(st.Err, "spark: %s\n", msg)
		return ExitUsage
	}
	fmt.Fprintf(st.Err, "spark: %s\n", msg)
	return ExitFailure
}

// newApp builds the command line for args; nil args build every command.
func newApp(e *env, args []string) *cli.App {
	app := &cli.App{
		Name:                 "spark",
		Usage:                "stream minimal, interruptible code edits from a coding model",
		Version:              version(),
		Reader:               e.streams.In,
		Writer:               e.streams.Out,
		ErrWriter:            e.streams.Err,
		EnableBashCompletion: true,
		HideHelpCommand:      false,
		// Left zero, urfave/cli stats the executable for this date, which no help text shows.
		Compiled: time.Unix(0, 0).UTC(),
		// Errors are printed once, by report; urfave must not print or exit on its own.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageErrorf("%s", err)
		},
		Description: `spark makes a coding model feel like a collaborator you steer: edits stream in
as a live diff, apply atomically as a patch, and stop cleanly on Ctrl-C (on a terminal,
type one line to steer and continue).

Examples:
   spark edit main.go "rename x to y"
   spark edit 'cmd/**/*.go' "use errors.Is instead of =="
   spark edit parse.go:120-160 "handle the empty input"
   go build ./... 2>&1 | spark fix
   spark fix -- go test ./...
   spark shell                       # then, after a failure: spark fix
   eval "$(spark init zsh)"          # Alt-i suggests a command line
   spark undo

Model: OPENAI_API_KEY, OPENAI_BASE_URL and SPARK_MODEL (or --model, --base-url, or
$XDG_CONFIG_HOME/spark/config.toml). With neither key nor base URL, a local ollama on
127.0.0.1:11434 is used when it answers.

Exit status: 0 success, 1 failure, 2 usage error, 130 interrupted.`,
	}
	for _, c := range commands {
		if args == nil || reachable(args, c.name) {
			app.Commands = append(app.Commands, c.make(e))
		}
	}
	for _, c := range app.Commands {
		if c.OnUsageError == nil {
			c.OnUsageError = app.OnUsageError
		}
	}
	return app
}

// version reports the module version from the build info, with the VCS revision when built from
// a checkout.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return "devel-" + rev + dirty
	}
	if v == "" {
		return "(devel)"
	}
	return v
}

// reorderFlags lets flags follow the positional arguments of a subcommand, as in
// `spark edit main.go "fix it" --dry-run`, which urfave/cli v2 would otherwise treat as arguments.
// Only names the subcommand defines are moved; everything after "--" is left alone.
func reorderFlags(app *cli.App, args []string) []string {
	if len(args) < 3 {
		return args
	}
	var sub *cli.Command
	for _, c := range app.Commands {
		if c.HasName(args[1]) {
			sub = c
		}
	}
	if sub == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range sub.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, rest []string
	rest = append(rest, args[:2]...)
	var positional []string
	for i := 2; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		name, hasValue := flagName(a)
		val, known := takesValue[name]
		if !known {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		if val && !hasValue && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	rest = append(rest, flags...)
	return append(rest, positional...)
}

// flagName returns the name of a flag argument ("--model=x" -> "model", true) or "" for a
// non-flag. A lone "-" is stdin, not a flag.
func flagName(a string) (string, bool) {
	if len(a) < 2 || a[0] != '-' {
		return "", false
	}
	a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if a == "" {
		return "", false
	}
	if i := strings.IndexByte(a, '='); i >= 0 {
		return a[:i], true
	}
	return a, false
}
