package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/llm"
	"github.com/spark-cli/spark/shell"
)

// shellOptions is what `spark shell` was asked to do.
type shellOptions struct {
	Command string // run this with the shell's -c instead of an interactive shell
	Login   bool
}

func newShellCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "shell",
		Usage: "run your $SHELL in a recording pty, so that fix and edit know what just happened",
		Description: `Starts $SHELL (bash, zsh or fish) as usual, with your own startup files, prompt and
keys, and records each command: its text, directory, exit status, duration and output
(head and tail, cleaned of escape sequences, secrets redacted). "spark fix" and
"spark edit" run inside it read the records; "spark history" shows them. Nothing is
written outside a private session directory, which is removed when the shell exits.

A command line starting with a space is not recorded, nor is anything typed while the
terminal has echo off (password prompts) or drawn on the alternate screen (vim, less).
Other shells run plainly, unrecorded. Exit status: the shell's.

Examples:
   spark shell
   spark shell -c 'make test'`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "c", Usage: "run `COMMAND` through the shell and exit with its status"},
			&cli.BoolFlag{Name: "login", Aliases: []string{"l"}, Usage: "start a login shell"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usageErrorf("shell takes no arguments; to run a command: spark shell -c COMMAND")
			}
			if c.IsSet("c") && c.String("c") == "" {
				return usageErrorf("shell -c needs a command")
			}
			return runShell(c.Context, e, shellOptions{Command: c.String("c"), Login: c.Bool("login")})
		},
	}
}

func runShell(ctx context.Context, e *env, opts shellOptions) error {
	cfg := shell.Config{
		Shell:   e.getenv("SHELL"),
		Command: opts.Command,
		Login:   opts.Login,
		Env:     os.Environ(),
		Stdin:   e.streams.In,
		Stdout:  e.streams.Out,
		Stderr:  e.streams.Err,
	}
	if e.streams.InTTY && e.streams.InFile != nil {
		cfg.Term = e.streams.InFile
	}
	if e.streams.InFile != nil {
		cfg.Stdin = e.streams.InFile
	}
	var relay *llm.Relay
	cfg.OnSession = func(dir string) []string {
		if relay = startRelay(e.getenv, dir); relay == nil {
			return nil
		}
		return []string{envRelay + "=" + relay.Socket()}
	}
	defer func() {
		if relay != nil {
			relay.Close()
		}
	}()
	// Inside the shell Ctrl-C belongs to the shell's jobs: shell.Run handles SIGINT and SIGTERM
	// itself, so the interrupt that cancels ctx must not end the session.
	status, err := shell.Run(context.WithoutCancel(ctx), cfg)
	if err != nil {
		return fmt.Errorf("shell: %w", err)
	}
	if status != 0 {
		return exitCode(status)
	}
	return nil
}

// The session's model relay: suggest, edit and fix run inside the session send their requests
// through it and find the model host's connection already open (see sessionRelay).

// envRelay names the variable that tells the session's commands where its relay listens.
const envRelay = "SPARK_RELAY"

// startRelay starts the session's model relay in the private session directory (or, when that
// path is too long for a socket, a private per-user directory in the temp directory) and dials
// the configured model host at once. A session whose relay cannot start runs without: nil.
func startRelay(getenv func(string) string, sessionDir string) *llm.Relay {
	var warm string
	if s, err := loadSettings(getenv, modelFlags{}); err == nil && !s.needsLocalProbe() {
		warm = first(s.BaseURL, llm.DefaultBaseURL)
	}
	cfg := llm.RelayConfig{Warm: warm}
	r, err := llm.ListenRelay(sessionDir, cfg)
	if err != nil {
		// A unix socket path has room for about 100 bytes; under a deep $XDG_RUNTIME_DIR the
		// session directory leaves too little, so use a short private directory instead.
		r, err = llm.ListenRelay(filepath.Join(os.TempDir(), fmt.Sprintf("spark-relay-%d", os.Getuid())), cfg)
		if err != nil {
			return nil
		}
	}
	return r
}
