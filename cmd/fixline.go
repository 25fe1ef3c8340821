package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spark-cli/spark/completions"
	"github.com/spark-cli/spark/edit/locate"
	"github.com/spark-cli/spark/llm"
)

// noFilesError is a failure whose errors name no file that could be sent: the command line
// itself is what to fix.
type noFilesError struct {
	report *locate.Report
	root   string
}

// namesNone reports whether the errors name no existing file, rather than files that may not be
// sent (outside the working tree, binary, private): then the command line is what to fix. A
// name that matches no file at all (sh reports "sh: 1: tuoch: not found") is no file to fix.
func (e *noFilesError) namesNone() bool {
	for _, s := range e.report.Skipped {
		if s.Reason != locate.ReasonMissing {
			return false
		}
	}
	return true
}

func (e *noFilesError) Error() string {
	msg := fmt.Sprintf("fix: the errors name no file in the working tree %s", e.root)
	if len(e.report.Skipped) > 0 {
		s := e.report.Skipped[0]
		msg += fmt.Sprintf(" (%s: %s", s.Path, s.Reason)
		if n := len(e.report.Skipped) - 1; n > 0 {
			msg += fmt.Sprintf(", and %d more", n)
		}
		msg += ")"
	}
	return msg + `; name the files instead: spark edit FILE... "fix ..."`
}

// fixLineSystemPrompt is the same for every request, so that providers' prompt caches hit.
const fixLineSystemPrompt = `You correct shell command lines that failed.
The command failed without pointing at a file to change: a mistyped command or subcommand, a wrong or missing option or argument, or a missing permission.
Reply with exactly one corrected command line and nothing else: no explanation, no markdown, no code fences, no leading "$ ".
Keep what the user meant and every argument that is right; change only what made it fail. Use the shell's own syntax and the commands of the operating system given. Never add destructive options nobody asked for.`

// Bounds of what a command-line fix sends and gets: its output's end, and the reply.
const (
	fixLineOutputLines = 40
	fixLineOutputBytes = 4 << 10
	fixLineMaxTokens   = 256
)

// fixLineMessages builds the prompt of a command-line fix: the shell, the OS, the directory, the
// failed command and the end of its output, redacted.
func (fx *fixer) fixLineMessages(f failure) []llm.Message {
	red := fx.env.redactor()
	sh := filepath.Base(fx.env.getenv("SHELL"))
	if sh == "." || sh == "/" {
		sh = "sh"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Shell: %s on %s\n", sh, osName())
	fmt.Fprintf(&b, "Directory: %s\n", f.dir)
	if f.command != "" {
		fmt.Fprintf(&b, "Command: %s\n", red.Redact(f.command))
		fmt.Fprintf(&b, "Exit status: %d\n", f.status)
	} else {
		b.WriteString("Command: not known (its output was piped in)\n")
	}
	out := tailLines(red.Redact(f.output), fixLineOutputLines, fixLineOutputBytes)
	fmt.Fprintf(&b, "Output:\n%s\n", out)
	b.WriteString("Reply with the corrected command line.\n")
	return []llm.Message{
		{Role: "system", Content: fixLineSystemPrompt},
		{Role: "user", Content: b.String()},
	}
}

// fixLine asks the model for the corrected command line and prints it on stdout, one line,
// cleaned of anything but the command; it never runs it. With --line-file the line is also
// written there, for the shell integration to put on the command line (not on a dry run).
func (fx *fixer) fixLine(ctx context.Context, f failure) error {
	msgs := fx.fixLineMessages(f)
	st := fx.env.streams
	if fx.opts.ShowPrompt {
		printPrompt(st.Out, fmt.Sprintf("model %s at %s", fx.conn.settings.Model, fx.conn.settings.host()), msgs)
		return nil
	}
	s, client := fx.conn.settings, fx.conn.client
	req := llm.Request{Messages: msgs, MaxTokens: fixLineMaxTokens}
	if llm.IsReasoningModel(s.Model) {
		req.MaxTokens = suggestReasoningMaxTokens // and no temperature, which they refuse
	} else {
		zero := 0.0
		req.Temperature = &zero
	}
	pal := newPalette(st.Color)
	start := time.Now()
	var spin *spinner
	if st.OutTTY {
		spin = startSpinner(st.Out, pal, "fixing the command line", start)
	}
	res, err := client.Stream(ctx, req, nil)
	if spin != nil {
		spin.Stop()
	}
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		var le *llm.Error
		if !errors.As(err, &le) || le.Kind != llm.KindLength || !strings.Contains(res.Text, "\n") {
			return fmt.Errorf("fix: %w", err)
		}
	}
	line, err := completions.CleanSuggestion(res.Text)
	if err != nil {
		return fmt.Errorf("fix: the errors name no file, and the model gave no command line: %w", err)
	}
	if f.command != "" && line == strings.TrimSpace(f.command) {
		return fmt.Errorf("fix: the errors name no file, and the model gave the same command line back")
	}
	if _, err := fmt.Fprintln(st.Out, line); err != nil {
		return err
	}
	if fx.opts.LineFile != "" && !fx.opts.DryRun {
		if err := os.WriteFile(fx.opts.LineFile, []byte(line+"\n"), 0o600); err != nil {
			return fmt.Errorf("fix: %w", err)
		}
	}
	if st.OutTTY {
		pal.dim.Fprintf(st.Out, "corrected command line · not run · %s\n", fmtDuration(time.Since(start)))
	}
	return nil
}

// tailLines keeps the last lines of s, at most max bytes of them.
func tailLines(s string, lines, max int) string {
	s = strings.TrimRight(s, "\n")
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	s = strings.Join(l, "\n")
	if len(s) > max {
		s = strings.ToValidUTF8(s[len(s)-max:], "")
	}
	return s
}
