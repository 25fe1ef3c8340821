package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"

	"github.com/spark-cli/spark/completions"
	"github.com/spark-cli/spark/internal/safe"
	"github.com/spark-cli/spark/llm"
	"github.com/spark-cli/spark/shell"
)

// suggestOptions is what `spark suggest` was asked for.
type suggestOptions struct {
	Line        string
	Point       int // cursor position in characters; -1 for the end of the line
	Shell       string
	Timeout     time.Duration
	CancelOnKey bool
	ShowPrompt  bool
	Model       modelFlags
}

const (
	// defaultSuggestTimeout bounds a suggestion: the key widgets must never hang the prompt.
	defaultSuggestTimeout = 10 * time.Second
	// suggestMaxTokens is plenty for one command line; reasoning models also spend their
	// reasoning from the same budget, so they get more.
	suggestMaxTokens          = 128
	suggestReasoningMaxTokens = 2048
	// suggestHistory is how many recent session commands the prompt shows.
	suggestHistory = 5
	// suggestOutputLines and suggestOutputBytes bound the output of a failed last command.
	suggestOutputLines = 12
	suggestOutputBytes = 800
)

// errKeyPressed and errReaderGone stop a suggestion that nobody waits for any more.
var (
	errKeyPressed     = errors.New("a key was pressed")
	errReaderGone     = errors.New("the reader of the suggestion went away")
	errSuggestTimeout = errors.New("suggestion timed out")
)

func newSuggestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "suggest",
		Usage: "print one command line suggested for a partly typed one (used by the key widgets)",
		Description: `Sends the line and the cursor position, with the shell, the OS, the current directory
and the last commands of the spark shell session (with their exit status), and prints
the model's command line: one line on stdout, nothing else. A line starting with # is a
request in plain words ("# find big files changed this week"), answered with a command.
The suggestion is only printed, never run. Exit status: 0 with a suggestion, 1 with a
one-line error on stderr, 130 when stopped (by a key with --cancel-on-key).

The widgets that "spark init" installs call it; inside a spark shell session the request
goes over the session's warm connection to the model.

Examples:
   spark suggest --line 'git comit -m "fix"'
   spark suggest --line 'tar x' --point 5
   spark suggest --line '# list the ten biggest files here'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "line", Usage: "the command line as typed so far (`TEXT`)"},
			&cli.IntFlag{Name: "point", Value: -1, Usage: "cursor position in characters (`N`); default: the end of the line"},
			&cli.StringFlag{Name: "shell", Usage: "the shell the line is for: bash, zsh or fish (default: $SHELL)"},
			&cli.DurationFlag{Name: "timeout", Value: defaultSuggestTimeout, Usage: "give up after `DURATION` (0 for never)"},
			&cli.BoolFlag{Name: "cancel-on-key", Usage: "stop at once when a key arrives on the terminal (stdin), leaving it unread"},
			&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "model `NAME` (env SPARK_SUGGEST_MODEL, SPARK_MODEL)"},
			&cli.StringFlag{Name: "base-url", Usage: "OpenAI-compatible server `URL` (env OPENAI_BASE_URL)"},
			&cli.BoolFlag{Name: "show-prompt", Usage: "print exactly what would be sent to the model, send nothing"},
		},
		Action: func(c *cli.Context) error {
			opts, err := suggestOptionsFrom(c, e.getenv)
			if err != nil {
				return err
			}
			return runSuggest(c.Context, e, opts)
		},
	}
}

func suggestOptionsFrom(c *cli.Context, getenv func(string) string) (suggestOptions, error) {
	if c.Args().Len() > 0 {
		return suggestOptions{}, usageErrorf("suggest takes no arguments; give the line with --line")
	}
	if !c.IsSet("line") {
		return suggestOptions{}, usageErrorf("suggest needs the command line: spark suggest --line TEXT [--point N]")
	}
	opts := suggestOptions{
		Line:        c.String("line"),
		Point:       c.Int("point"),
		Shell:       c.String("shell"),
		Timeout:     c.Duration("timeout"),
		CancelOnKey: c.Bool("cancel-on-key"),
		ShowPrompt:  c.Bool("show-prompt"),
		Model:       modelFlags{Model: first(c.String("model"), getenv("SPARK_SUGGEST_MODEL")), BaseURL: c.String("base-url")},
	}
	if opts.Point < -1 {
		return suggestOptions{}, usageErrorf("suggest --point must be 0 or more")
	}
	if n := utf8.RuneCountInString(opts.Line); opts.Point == -1 || opts.Point > n {
		opts.Point = n // shells count differently at times; the end is the safe reading
	}
	if opts.Timeout < 0 {
		return suggestOptions{}, usageErrorf("suggest --timeout must be 0 or more")
	}
	if opts.Shell == "" {
		opts.Shell = filepath.Base(getenv("SHELL"))
	}
	if opts.Shell == "." || opts.Shell == "/" {
		opts.Shell = "sh"
	}
	return opts, nil
}

func runSuggest(ctx context.Context, e *env, opts suggestOptions) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, errSuggestTimeout)
		defer cancel()
	}
	// Whoever asked may stop waiting: a key typed on (bash and fish wait for us), or the zsh
	// widget closing its end of our stdout. Either way the request is cancelled at once.
	if opts.CancelOnKey && e.streams.InTTY && e.streams.InFile != nil {
		go watchFD(int(e.streams.InFile.Fd()), unix.POLLIN, func() { stop(errKeyPressed) })
	}
	if f, ok := e.streams.Out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
			go watchFD(int(f.Fd()), 0, func() { stop(errReaderGone) })
		}
	}

	s, err := loadSettings(e.getenv, opts.Model)
	if err != nil {
		return err
	}
	conn := connect(ctx, s, connectOptions{showPrompt: opts.ShowPrompt, predial: true, noRetries: true})
	if err := conn.wait(); err != nil {
		if stopped(ctx) {
			return exitCode(ExitInterrupted)
		}
		return err
	}
	s, client := conn.settings, conn.client

	msgs := suggestMessages(opts, e.getenv)
	msgs[1].Content = e.redactor().Redact(msgs[1].Content)
	if opts.ShowPrompt {
		printPrompt(e.streams.Out, fmt.Sprintf("model %s at %s", s.Model, s.host()), msgs)
		return nil
	}
	req := llm.Request{Messages: msgs, MaxTokens: suggestMaxTokens}
	if llm.IsReasoningModel(s.Model) {
		req.MaxTokens = suggestReasoningMaxTokens // and no temperature, which they refuse
	} else {
		zero := 0.0
		req.Temperature = &zero
	}
	res, err := client.Stream(ctx, req, nil)
	if err != nil {
		switch {
		case stopped(ctx):
			return exitCode(ExitInterrupted)
		case errors.Is(context.Cause(ctx), errSuggestTimeout):
			return fmt.Errorf("suggest: no answer from %s within %s", s.host(), opts.Timeout)
		}
		var le *llm.Error
		if !errors.As(err, &le) || le.Kind != llm.KindLength || !strings.Contains(res.Text, "\n") {
			return fmt.Errorf("suggest: %w", err)
		}
		// Cut at the token limit after a complete line: that line is still the answer.
	}
	line, err := completions.CleanSuggestion(res.Text)
	if err != nil {
		return fmt.Errorf("suggest: %w", err)
	}
	// Invisible and direction-changing characters would hide what the line really runs.
	line = safe.Text(line)
	_, err = fmt.Fprintln(e.streams.Out, line)
	return err
}

// stopped reports whether the one who asked stopped waiting (a key, or the reader gone): then
// spark exits quietly, since there is nobody to tell.
func stopped(ctx context.Context) bool {
	cause := context.Cause(ctx)
	return errors.Is(cause, errKeyPressed) || errors.Is(cause, errReaderGone)
}

// watchFD calls fn once when fd reports one of events, or an error or hang-up (which poll
// reports even for events 0: the reading end of a pipe was closed).
func watchFD(fd int, events int16, fn func()) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
	for {
		n, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return
		}
		if n > 0 && fds[0].Revents&(events|unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 {
			fn()
			return
		}
	}
}

// suggestSystemPrompt is the same for every request, so that providers' prompt caches hit.
const suggestSystemPrompt = `You complete command lines at an interactive shell prompt.
Reply with exactly one command line and nothing else: no explanation, no markdown, no code fences, no leading "$ ".
If the line starts with "#", the rest is a request in plain words: reply with one command line that does it.
Otherwise the user has typed part of a command, with the cursor where shown: reply with the whole command line they most likely mean, completed and with any mistakes fixed. Keep what they typed when it is right.
Use the shell's own syntax. Prefer common, safe commands; never add destructive options nobody asked for.`

// suggestMessages builds the tiny prompt: the system prompt, then the shell, OS, directory,
// recent session commands and the line.
func suggestMessages(opts suggestOptions, getenv func(string) string) []llm.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Shell: %s on %s\n", opts.Shell, osName())
	cwd, _ := os.Getwd()
	if cwd != "" {
		fmt.Fprintf(&b, "Directory: %s\n", cwd)
	}
	if dir, ok := shell.SessionDir(getenv); ok {
		if recs, err := shell.ReadRecords(dir); err == nil && len(recs) > 0 {
			writeRecentCommands(&b, recs, cwd)
		}
	}
	fmt.Fprintf(&b, "Line: %s\n", opts.Line)
	runes := []rune(opts.Line)
	switch {
	case strings.HasPrefix(strings.TrimSpace(opts.Line), "#"):
		b.WriteString("This is a request: answer with a command.\n")
	case opts.Point >= len(runes):
		b.WriteString("Cursor: at the end of the line\n")
	default:
		fmt.Fprintf(&b, "Cursor: after %q, before %q\n", string(runes[:opts.Point]), string(runes[opts.Point:]))
	}
	return []llm.Message{
		{Role: "system", Content: suggestSystemPrompt},
		{Role: "user", Content: b.String()},
	}
}

// writeRecentCommands lists the last session commands with their status, and the end of the
// last one's output when it failed, which is what a next command usually answers.
func writeRecentCommands(b *strings.Builder, recs []shell.Record, cwd string) {
	if len(recs) > suggestHistory {
		recs = recs[len(recs)-suggestHistory:]
	}
	b.WriteString("Recent commands, oldest first:\n")
	for _, r := range recs {
		cmd, _, multi := strings.Cut(r.Command, "\n")
		if multi {
			cmd += " …"
		}
		where := ""
		if r.Cwd != "" && r.Cwd != cwd {
			where = " in " + r.Cwd
		}
		fmt.Fprintf(b, "  $ %s   (exit %d%s)\n", cmd, r.Status, where)
	}
	last := recs[len(recs)-1]
	if out := outputTail(last.Output); last.Status != 0 && out != "" {
		fmt.Fprintf(b, "Output of the last command, its end:\n%s\n", out)
	}
}

// outputTail keeps the last lines of a command's output, bounded.
func outputTail(out string) string {
	out = strings.TrimRight(out, "\n")
	lines := strings.Split(out, "\n")
	if len(lines) > suggestOutputLines {
		lines = lines[len(lines)-suggestOutputLines:]
	}
	s := strings.Join(lines, "\n")
	if len(s) > suggestOutputBytes {
		s = strings.ToValidUTF8(s[len(s)-suggestOutputBytes:], "")
	}
	return s
}

// osName names the operating system for the prompt, with the Linux distribution when known:
// package managers and tool flags differ between them.
func osName() string {
	switch runtime.GOOS {
	case "darwin":
		return "macOS"
	case "linux":
		b, err := os.ReadFile("/etc/os-release")
		if err != nil {
			return "Linux"
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				if v = strings.Trim(v, `"'`); v != "" {
					return "Linux (" + v + ")"
				}
			}
		}
		return "Linux"
	}
	return runtime.GOOS
}
