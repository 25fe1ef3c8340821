package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/edit/locate"
	"github.com/spark-cli/spark/internal/safe"
	"github.com/spark-cli/spark/shell"
)

// fixOptions is what `spark fix` was asked to do.
type fixOptions struct {
	Command    []string // after --: run it, fix, re-run; empty for stdin or the session
	Attempts   int      // most fixes the loop makes
	Model      modelFlags
	DryRun     bool
	ShowPrompt bool
	NoSteer    bool
	LineFile   string // where a corrected command line is also written, for the shell integration
}

// defaultAttempts is how many fixes `spark fix -- COMMAND` tries before giving up.
const defaultAttempts = 3

// inputLimit bounds what is kept of piped errors and of a command's output, at each end; the
// error text sent is bounded much further by locate.
const inputLimit = 1 << 20

// fixUsage is the one line that says how to give spark fix its errors.
const fixUsage = "fix needs the errors: pipe them in (go build ./... 2>&1 | spark fix), run spark fix inside spark shell after a command fails, or give the command: spark fix -- go test ./..."

// fixInstruction is what the model is asked to do with the files and the errors.
const fixInstruction = "Fix the errors in the output above. The cause may be in another line or file than the one an error names: fix the cause, in the files given, with the smallest change. Do not delete or skip tests and do not silence the errors."

func newFixCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "fix",
		Usage:     "fix what a failed command reports: piped errors, the last failure in spark shell, or -- COMMAND until it passes",
		ArgsUsage: "[-- COMMAND [ARGS...]]",
		Description: `Finds the files and lines the errors point at (compilers, test runners, linters and
stack traces of Go, C, Rust, Python, JavaScript/TypeScript and Java), sends them with the
errors, and applies the model's fix as spark edit does: live diff, atomic write, spark undo.
Only files inside the working tree that the errors lead to are sent, and only they may
change.

Where the errors come from:
   go build ./... 2>&1 | spark fix     stdin, when it is not a terminal
   spark fix                           inside spark shell: the last failed command, as recorded
                                       (it is never run again)
   spark fix -- go test ./...          run it (output shown and captured), fix, run it again,
                                       until it passes or --attempts fixes were tried

When the errors name no file (a mistyped command, an unknown subcommand, a missing option
or permission: git psuh, tuoch x, apt install without root), spark asks for the corrected
command line instead and prints it on stdout, one line; it is never run (exit 1 when the
model gives none). Inside spark shell with spark init loaded, the spark function puts it on
the command line: Enter runs it.

Ctrl-C stops the command, or the model (nothing written), and exits 130.

Examples:
   make 2>&1 | spark fix
   spark fix --dry-run -- cargo build
   spark fix --attempts 5 -- pytest -x
   spark fix --show-prompt < build.log`,
		Flags: append(modelFlagDefs(),
			&cli.IntFlag{Name: "attempts", Value: defaultAttempts, Usage: "with -- COMMAND, the most fixes to try before giving up"},
			&cli.StringFlag{Name: "line-file", Usage: "also write a corrected command line to `FILE` (used by spark init's spark function)"},
		),
		Action: func(c *cli.Context) error {
			opts := fixOptions{
				Command:    c.Args().Slice(),
				Attempts:   c.Int("attempts"),
				Model:      modelFlagsFrom(c),
				DryRun:     c.Bool("dry-run"),
				ShowPrompt: c.Bool("show-prompt"),
				NoSteer:    c.Bool("no-steer"),
				LineFile:   c.String("line-file"),
			}
			if opts.Attempts < 1 {
				return usageErrorf("fix --attempts must be 1 or more")
			}
			if c.IsSet("attempts") && len(opts.Command) == 0 {
				return usageErrorf("fix --attempts needs a command to re-run: spark fix --attempts N -- COMMAND")
			}
			return runFix(c.Context, e, opts)
		},
	}
}

// failure is the failed command a fix starts from: what it printed and where it ran.
type failure struct {
	output   string
	dir      string // where it ran; relative paths in its output start here
	command  string // "" when the output was piped in
	status   int
	duration time.Duration
	start    time.Time // when it started; zero when not known
}

// fixer holds what every attempt of one `spark fix` shares.
type fixer struct {
	env  *env
	opts fixOptions
	conn *connection
	cwd  string
	root string          // the working tree: nothing outside it is read or sent
	undo *edit.Committer // every fix of the run goes into one undo entry
}

func runFix(ctx context.Context, e *env, opts fixOptions) error {
	start := time.Now()
	st := e.streams
	session, inSession := e.session()
	piped := len(opts.Command) == 0 && !st.InTTY
	if len(opts.Command) == 0 && !piped && !inSession {
		return usageErrorf("%s", fixUsage)
	}
	if !opts.ShowPrompt {
		if err := recoverInterrupted(e); err != nil {
			return err
		}
	}
	fx, err := newFixer(ctx, e, opts)
	if err != nil {
		return err
	}
	if len(opts.Command) > 0 {
		return fx.loop(ctx)
	}

	var f failure
	if piped {
		buf := locate.NewBuffer(inputLimit)
		if _, err := io.Copy(buf, st.In); err != nil {
			return fmt.Errorf("fix: read stdin: %w", err)
		}
		f = failure{output: buf.String(), dir: fx.cwd}
	}
	if strings.TrimSpace(f.output) == "" {
		if !inSession {
			return usageErrorf("fix: nothing on stdin; %s", fixUsage)
		}
		if f, err = lastFailure(session); err != nil {
			return err
		}
		fmt.Fprintf(fx.summaryWriter(), "fixing: %s (exit %d, %s ago, in %s)\n", firstLine(f.command), f.status,
			fmtAgo(time.Since(f.start)), safe.Line(f.dir))
	}
	if err := fx.ready(); err != nil {
		return err
	}
	job, err := fx.job(f, start, 0)
	var noFiles *noFilesError
	if errors.As(err, &noFiles) && noFiles.namesNone() {
		return fx.fixLine(ctx, f)
	}
	if err != nil {
		return err
	}
	if opts.ShowPrompt {
		return job.showPrompt()
	}
	return job.run(ctx)
}

// lastFailure reads the session's last failed command.
func lastFailure(session string) (failure, error) {
	recs, err := shell.ReadRecords(session)
	if err != nil {
		return failure{}, fmt.Errorf("fix: %w", err)
	}
	r, ok := shell.LastFailed(recs)
	if !ok {
		return failure{}, errors.New("fix: no failed command in this spark shell session yet; run one, pipe errors in, or use spark fix -- COMMAND")
	}
	return failure{output: r.Output, dir: r.Cwd, command: r.Command, status: r.Status, duration: r.Duration, start: r.Start}, nil
}

// fmtAgo rounds how long ago something happened for people.
func fmtAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// newFixer resolves the model settings and, unless a command must run first, starts the
// connection to the model host, so that it is ready by the time the errors are read and the
// prompt is built.
func newFixer(ctx context.Context, e *env, opts fixOptions) (*fixer, error) {
	s, err := loadSettings(e.getenv, opts.Model)
	if err != nil {
		return nil, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	command := "spark fix"
	if len(opts.Command) > 0 {
		command += " -- " + shell.Quote(opts.Command)
	}
	// A command to run first would outlast a pre-dialed connection.
	conn := connect(ctx, s, connectOptions{showPrompt: opts.ShowPrompt, predial: len(opts.Command) == 0})
	return &fixer{env: e, opts: opts, conn: conn, cwd: cwd, root: locate.Root(cwd), undo: newCommitter(e, command)}, nil
}

// ready waits for the model client, when a local server is still being looked for; the prompt
// depends on where the model lives.
func (fx *fixer) ready() error { return fx.conn.wait() }

// job locates the files the failure points at, reads them, and builds the edit that fixes
// them. attempt is 0 for a one-shot fix, else the loop's attempt number.
func (fx *fixer) job(f failure, start time.Time, attempt int) (*patchJob, error) {
	rep, err := locate.Locate(f.output, locate.Options{Root: fx.root, Dir: f.dir})
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	if len(rep.Files) == 0 {
		return nil, &noFilesError{report: rep, root: fx.root}
	}
	args := make([]string, len(rep.Files))
	for i, file := range rep.Files {
		p, err := filepath.Rel(fx.cwd, file.Path)
		if err != nil {
			p = file.Path
		}
		if file.Start > 0 {
			p = fmt.Sprintf("%s:%d-%d", p, file.Start, file.End)
		}
		args[i] = p
	}
	targets, err := edit.Resolve(args, edit.ResolveOptions{Dir: fx.cwd})
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	job := &patchJob{
		env:      fx.env,
		settings: fx.conn.settings,
		client:   fx.conn.client,
		targets:  targets,
		dryRun:   fx.opts.DryRun,
		steer:    !fx.opts.NoSteer,
		start:    start,
		verb:     "fixed",
		undo:     fx.undo,

		targetArgs: args,
		dir:        fx.cwd,
	}
	instruction := fixInstruction
	if attempt > 1 {
		instruction = fmt.Sprintf("This is attempt %d of %d: the files already hold the previous fix, and the command still fails as shown. ", attempt, fx.opts.Attempts) + fixInstruction
	}
	// Piped errors were never recorded, so never redacted; records are redacted again here
	// with what this process knows.
	context := fx.env.redactor().Redact(errorContext(f, rep.Errors)) + "\n\nFiles sent, and why:\n" + rep.Why(fx.cwd)
	job.messages = job.initialMessages(conventionsFor(targets, false), context, instruction)
	return job, nil
}

// errorContext is the session context of the prompt: the command, where it ran and how it
// ended, as spark history shows it, with the located and bounded error text as its output.
func errorContext(f failure, errText string) string {
	if f.command == "" {
		return errText
	}
	return shell.Format([]shell.Record{{
		Command:  f.command,
		Cwd:      f.dir,
		Status:   f.status,
		Duration: f.duration,
		Output:   errText,
	}}, 0)
}

// summaryWriter is stdout on a terminal, stderr otherwise, as for an edit's summary.
func (fx *fixer) summaryWriter() io.Writer {
	if fx.env.streams.OutTTY {
		return fx.env.streams.Out
	}
	return fx.env.streams.Err
}

// loop runs the command, fixes what it reports, and runs it again, until it passes or the
// attempts are spent. Each applied fix is a whole patch written atomically, so whatever stops
// the loop, the files are as the last applied fix left them.
func (fx *fixer) loop(ctx context.Context) error {
	opts := fx.opts
	cmdline := safe.Line(shell.Quote(opts.Command))
	pal := newPalette(fx.env.streams.Color)
	total := time.Now()
	var done fixLog
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			pal.dim.Fprintf(fx.env.streams.Out, "$ %s   # again, after fix %d\n", cmdline, attempt-1)
		} else {
			pal.dim.Fprintf(fx.env.streams.Out, "$ %s\n", cmdline)
		}
		run, err := runCommand(ctx, opts.Command, fx.cwd, fx.env.streams.Out)
		if err != nil {
			if errors.Is(err, errInterrupted) {
				return done.interrupted(fx.env.streams.Err)
			}
			return done.stopped(fmt.Errorf("fix: %w", err))
		}
		if run.status == 0 {
			if done.count == 0 {
				fmt.Fprintf(fx.summaryWriter(), "%s passes; nothing to fix\n", cmdline)
				return nil
			}
			fmt.Fprintf(fx.summaryWriter(), "%s passes now · %s · total %s\n", cmdline, done.describe(), fmtDuration(time.Since(total)))
			return nil
		}
		if done.count == opts.Attempts {
			return fmt.Errorf("fix: %s still fails (exit %d) after %d %s; %s",
				cmdline, run.status, done.count, pluralWord(done.count, "fix", "fixes"), done.leftAs())
		}
		if c := fx.conn.client; c != nil {
			c.Predial() // overlaps with locating the errors and reading the files
		}
		start := time.Now()
		if err := fx.ready(); err != nil {
			return err
		}
		f := failure{output: run.output, dir: fx.cwd, command: cmdline, status: run.status, duration: run.duration}
		job, err := fx.job(f, start, attempt)
		var noFiles *noFilesError
		if errors.As(err, &noFiles) && noFiles.namesNone() && done.count == 0 {
			return fx.fixLine(ctx, f)
		}
		if err != nil {
			return done.stopped(err)
		}
		if opts.ShowPrompt {
			return job.showPrompt()
		}
		if err := job.run(ctx); err != nil {
			if errors.Is(err, errInterrupted) {
				return done.interrupted(fx.env.streams.Err)
			}
			return done.stopped(err)
		}
		if len(job.changes) == 0 {
			return done.stopped(fmt.Errorf("fix: the model made no change and %s still fails (exit %d)", cmdline, run.status))
		}
		if opts.DryRun {
			fmt.Fprintf(fx.summaryWriter(), "dry run: %s not run again\n", cmdline)
			return nil
		}
		done.add(job.changes)
		if ctx.Err() != nil {
			if !job.steered {
				return done.interrupted(fx.env.streams.Err)
			}
			// The user steered the model after Ctrl-C: the first interrupt has cancelled ctx for
			// good, so the next run needs a context of its own.
			next, stop := SignalContext(context.WithoutCancel(ctx), os.Interrupt, syscall.SIGTERM)
			defer stop()
			ctx = next
		}
	}
}

// fixLog is what the loop's fixes changed, for its summary.
type fixLog struct {
	count int
	files []string          // in the order first changed
	first map[string][]byte // content before the first fix, by path
	last  map[string][]byte // content after the last fix
}

func (l *fixLog) add(changes []edit.Change) {
	if l.first == nil {
		l.first, l.last = map[string][]byte{}, map[string][]byte{}
	}
	l.count++
	for _, c := range changes {
		p := c.Target.Path
		if _, ok := l.first[p]; !ok {
			l.first[p] = c.Target.Content
			l.files = append(l.files, p)
		}
		l.last[p] = c.New
	}
}

// describe says what the fixes changed in all: "fixed a.go (+2 -1), b.go (+1 -1) in 2 fixes".
func (l *fixLog) describe() string {
	var b strings.Builder
	b.WriteString("fixed")
	for i, p := range l.files {
		if i > 0 {
			b.WriteByte(',')
		}
		add, del := edit.Stat(l.first[p], l.last[p])
		fmt.Fprintf(&b, " %s (+%d -%d)", safe.Line(p), add, del)
	}
	fmt.Fprintf(&b, " in %d %s", l.count, pluralWord(l.count, "fix", "fixes"))
	return b.String()
}

// leftAs says which fix the files are left as, and how to revert it.
func (l *fixLog) leftAs() string {
	if l.count == 0 {
		return "nothing was written"
	}
	undo := "spark undo reverts it"
	if l.count > 1 {
		undo = fmt.Sprintf("spark undo reverts all %d", l.count)
	}
	return fmt.Sprintf("%s kept as fix %d left them (%s)", strings.Join(l.files, ", "), l.count, undo)
}

// stopped reports an attempt that failed before writing anything, with the state the earlier
// fixes left.
func (l *fixLog) stopped(err error) error {
	if l.count == 0 {
		return err
	}
	return fmt.Errorf("%w; %s", err, l.leftAs())
}

// interrupted ends the loop on Ctrl-C, first saying which fix the files are left as.
func (l *fixLog) interrupted(w io.Writer) error {
	if l.count > 0 {
		fmt.Fprintf(w, "spark: fix: %s\n", safe.Line(l.leftAs()))
	}
	return errInterrupted
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// commandRun is how one run of the command ended.
type commandRun struct {
	output   string // stdout and stderr as interleaved, head and tail when long
	status   int    // exit status; 128+n when killed by signal n
	duration time.Duration
}

// runCommand runs argv in dir as shell.RunCommand does, its output copied live to out and kept
// (bounded) for the fix. It returns errInterrupted when ctx was cancelled, and an error when the
// command cannot be started.
func runCommand(ctx context.Context, argv []string, dir string, out io.Writer) (commandRun, error) {
	buf := locate.NewBuffer(inputLimit)
	start := time.Now()
	status, err := shell.RunCommand(ctx, argv, dir, io.MultiWriter(out, buf))
	if errors.Is(err, context.Canceled) {
		return commandRun{}, errInterrupted
	}
	if err != nil {
		return commandRun{}, err
	}
	return commandRun{output: buf.String(), status: status, duration: time.Since(start)}, nil
}
