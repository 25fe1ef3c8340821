package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Config says which shell Run starts and on which streams.
type Config struct {
	// Shell is the path of the shell, normally $SHELL; empty means /bin/sh. bash, zsh and fish
	// are recorded; any other shell runs plainly.
	Shell string
	// Command, when not empty, is run with the shell's -c, and the session ends with it.
	Command string
	// Login starts a login shell.
	Login bool
	// Env is the shell's environment ("NAME=value"), normally os.Environ(). The values of its
	// secret-named variables are redacted from records.
	Env []string
	// Dir is the shell's working directory; empty means the current one.
	Dir string

	// Stdin is relayed to the shell as it arrives. A file (the terminal, a pipe) is polled, so
	// that nothing is read from it after Run returns; another reader is read by a goroutine that
	// ends only when the reader does. When it ends, the shell gets an end-of-file character.
	Stdin  io.Reader
	Stdout io.Writer // the shell's terminal output, marks taken out
	Stderr io.Writer // for the notice about an unsupported shell and warnings; may be nil
	// Term is the terminal the session runs on, normally stdin when it is a terminal, or nil.
	// Its modes and size are copied into the pty, and it is in raw mode while the shell runs.
	Term *os.File
	// OnSession, when set, is called with the private session directory (0700) once it exists
	// and before the shell starts; the variables it returns ("NAME=value") are added to the
	// shell's environment. Whatever it creates in the directory is removed with it at exit.
	OnSession func(dir string) []string
}

// hangupGrace is how long the shell has to exit after SIGHUP before it is killed.
const hangupGrace = 3 * time.Second

// drainTime bounds how long output is still relayed after the shell has exited. A background job
// may keep the pty open (and even keep writing); the session ends anyway.
const drainTime = 250 * time.Millisecond

// Run runs the shell in a pseudo-terminal, relays the terminal to it and records each command
// in a session directory that the shell's children find through SPARK_SESSION. It returns the
// shell's exit status (128+n when a signal n killed it) once the shell has exited; the session
// directory is removed by then. Commands that could not be recorded (the records file could not
// be written, or storing one panicked) do not end the session: a one-line notice on Stderr says
// so once, after the terminal is restored.
//
// While the shell runs, Run handles signals like a terminal would: SIGWINCH resizes the pty,
// SIGINT and SIGQUIT (which only reach spark when there is no raw terminal) go to the shell's
// foreground job, and SIGTERM and SIGHUP hang up the shell, as does cancelling ctx. The caller's
// terminal is restored before Run returns, also when it panics.
//
// Inside a live session (a nested spark shell), and for an interactive shell other than bash, zsh
// or fish (after a one-line notice), Run replaces the process with the plain shell (execve); it
// returns only if that fails. An error means the session could not be set up or relayed.
func Run(ctx context.Context, c Config) (int, error) {
	path := c.Shell
	if path == "" {
		path = "/bin/sh"
	}
	if !filepath.IsAbs(path) {
		if p, err := exec.LookPath(path); err == nil {
			path = p
		}
	}
	getenv := getenvFrom(c.Env)
	kind := shellKind(path)
	if _, nested := SessionDir(getenv); nested {
		return 0, execPlain(path, plainArgs(path, c.Command, c.Login), c.Env, c.Dir)
	}
	if kind == "" && c.Command == "" {
		if c.Stderr != nil {
			fmt.Fprintf(c.Stderr, "spark: %s is not bash, zsh or fish; running it without recording\n", filepath.Base(path))
		}
		return 0, execPlain(path, plainArgs(path, "", c.Login), c.Env, c.Dir)
	}

	sess, err := newSession(getenv, c.Env, c.Stderr)
	if err != nil {
		return 0, fmt.Errorf("start session: %w", err)
	}
	if c.OnSession != nil {
		c.Env = withEnv(c.Env, c.OnSession(sess.dir))
	}
	var args, env []string
	if c.Command != "" {
		args, env = sess.commandArgs(path, c.Command, c.Login, c.Env)
	} else if args, env, err = sess.interactiveArgs(kind, path, c.Login, c.Env); err != nil {
		sess.close()
		return 0, err
	}
	status, err := runSession(ctx, c, sess, kind, path, args, env)
	if cerr := sess.close(); err == nil && cerr != nil {
		err = cerr
	}
	// Commands that could not be recorded did not end the session; say so once, now that the
	// terminal is the user's again, without changing the shell's exit status.
	if sess.storeErr != nil && c.Stderr != nil {
		fmt.Fprintf(c.Stderr, "spark: shell: some commands were not recorded: %s\n", firstLine(sess.storeErr.Error()))
	}
	return status, err
}

// withEnv returns environ with the "NAME=value" pairs of add, replacing any earlier values.
func withEnv(environ, add []string) []string {
	if len(add) == 0 {
		return environ
	}
	names := map[string]bool{}
	for _, kv := range add {
		name, _, _ := strings.Cut(kv, "=")
		names[name] = true
	}
	out := make([]string, 0, len(environ)+len(add))
	for _, kv := range environ {
		if name, _, _ := strings.Cut(kv, "="); !names[name] {
			out = append(out, kv)
		}
	}
	return append(out, add...)
}

// execPlain replaces the process with the shell, unrecorded.
func execPlain(path string, args, env []string, dir string) error {
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			return fmt.Errorf("run %s: %w", path, err)
		}
	}
	if err := syscall.Exec(path, args, env); err != nil {
		return fmt.Errorf("run %s: %w", path, err)
	}
	return nil
}

// runSession starts the shell on a new pty and relays until it exits.
func runSession(ctx context.Context, c Config, sess *session, kind, path string, args, env []string) (status int, err error) {
	ptmx, tty, err := openPty()
	if err != nil {
		return 0, err
	}
	defer ptmx.Close()
	width := setupTTY(tty, c.Term)

	cmd := &exec.Cmd{
		Path:        path,
		Args:        args,
		Env:         env,
		Dir:         c.Dir,
		Stdin:       tty,
		Stdout:      tty,
		Stderr:      tty,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
	}
	start := time.Now()
	err = cmd.Start()
	tty.Close()
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", path, err)
	}

	if c.Term != nil {
		fd := int(c.Term.Fd())
		if old, err := term.MakeRaw(fd); err == nil {
			defer term.Restore(fd, old)
		}
	}

	sigc := make(chan os.Signal, 8)
	signal.Notify(sigc, syscall.SIGWINCH, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer signal.Stop(sigc)

	r, err := newRelay(ptmx, c.Stdout, sess, kind, width)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return 0, err
	}
	if c.Command != "" {
		cwd := c.Dir
		if cwd == "" {
			cwd, _ = os.Getwd()
		}
		r.begin(c.Command, cwd, start)
	}
	outDone := make(chan error, 1)
	go func() { outDone <- r.copyOutput() }()
	in, err := startInput(c.Stdin, r)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return 0, err
	}
	defer in.stop()

	waitc := make(chan *os.ProcessState, 1)
	go func() {
		cmd.Wait()
		waitc <- cmd.ProcessState
	}()

	var (
		relayErr error
		hungUp   bool
		killc    <-chan time.Time
	)
	hangup := func() {
		if !hungUp {
			hungUp = true
			cmd.Process.Signal(syscall.SIGHUP)
			killc = time.After(hangupGrace)
		}
	}
	ctxDone := ctx.Done()
	var state *os.ProcessState
	for state == nil {
		select {
		case state = <-waitc:
		case sig := <-sigc:
			switch sig {
			case syscall.SIGWINCH:
				if c.Term != nil {
					if ws, err := unix.IoctlGetWinsize(int(c.Term.Fd()), unix.TIOCGWINSZ); err == nil {
						r.resize(ws)
					}
				}
			case syscall.SIGINT, syscall.SIGQUIT:
				r.signalForeground(sig.(syscall.Signal))
			case syscall.SIGTERM, syscall.SIGHUP:
				hangup()
			}
		case <-ctxDone:
			ctxDone = nil
			hangup()
		case err := <-in.errc:
			if !errors.Is(err, errHangup) && relayErr == nil {
				relayErr = err
			}
			hangup()
		case err := <-r.failed:
			if relayErr == nil {
				relayErr = err
			}
			hangup()
		case <-killc:
			cmd.Process.Kill()
		}
	}

	// The shell is gone. Relay what it left in the pty, but do not wait for a background job that
	// keeps the pty open.
	r.drainUntil(time.Now().Add(drainTime))
	if err := <-outDone; err != nil && relayErr == nil {
		relayErr = err
	}
	r.close()
	status = exitStatus(state)
	r.end(status, time.Now())
	if errors.Is(relayErr, syscall.EPIPE) {
		return signalStatus(syscall.SIGPIPE), nil
	}
	return status, relayErr
}

// openPty opens a new pty. The master must be non-blocking, so that the relay can end the
// session at a deadline while a background job keeps the pty open, and it is kept out of Go's
// netpoller: the relay reads and writes it with its own poll (see readPty), and a descriptor
// registered with the netpoller wakes an idle thread for every few KiB of output that nobody
// waits for. pty.Open hands the master out in blocking mode, so it is replaced by a duplicate
// that os.NewFile sees blocking (and so leaves out of the poller) and that is then made
// non-blocking.
func openPty() (ptmx, tty *os.File, err error) {
	m, tty, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	defer m.Close()
	fd, err := unix.FcntlInt(m.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		tty.Close()
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	ptmx = os.NewFile(uintptr(fd), m.Name())
	if err := unix.SetNonblock(fd, true); err != nil {
		ptmx.Close()
		tty.Close()
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	return ptmx, tty, nil
}

// setupTTY copies the terminal's modes and size to the pty's terminal and returns the width.
// Without a terminal the pty keeps its default modes and gets a conventional 80x24.
func setupTTY(tty, t *os.File) int {
	ws := &unix.Winsize{Row: 24, Col: 80}
	if t != nil {
		fd := int(t.Fd())
		if tio, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			unix.IoctlSetTermios(int(tty.Fd()), unix.TCSETS, tio)
		}
		if w, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ); err == nil && w.Col > 0 && w.Row > 0 {
			ws = w
		}
	}
	unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, ws)
	return int(ws.Col)
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// exitStatus is a process's exit status as shells report it: 128+n when signal n killed it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return signalStatus(ws.Signal())
	}
	return ps.ExitCode()
}

// signalStatus is the exit status of a process that signal sig ended.
func signalStatus(sig syscall.Signal) int { return 128 + int(sig) }
