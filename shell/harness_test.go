package shell

import (
	"github.com/spark-cli/spark/internal/testenv"

	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// The end-to-end tests drive the spark binary, built once per run, through a pty as a user would,
// against the real bash, zsh and fish. SPARK_TEST_BINARY names a binary to use instead.

// waitTime bounds every wait in these tests; none of them sleeps to pass.
const waitTime = 30 * time.Second

// testPrompt is the prompt every test shell shows.
const testPrompt = "spark-test> "

var (
	buildOnce sync.Once
	sparkBin  string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// spark returns the path of the spark binary, building it on first use.
func spark(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if bin := os.Getenv("SPARK_TEST_BINARY"); bin != "" {
			sparkBin = bin
			return
		}
		if buildDir, buildErr = os.MkdirTemp("", "spark-shell-test-"); buildErr != nil {
			return
		}
		sparkBin = filepath.Join(buildDir, "spark")
		cmd := exec.Command("go", "build", "-o", sparkBin, ".")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build spark: %v", buildErr)
	}
	return sparkBin
}

// shellPath finds a shell; a missing one skips the test, or fails it in CI.
func shellPath(t *testing.T, name string) string {
	t.Helper()
	return testenv.LookPath(t, name)
}

// eachShell runs fn for bash, zsh and fish, in parallel.
func eachShell(t *testing.T, fn func(t *testing.T, sh string)) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			shellPath(t, sh)
			t.Parallel()
			fn(t, sh)
		})
	}
}

// tshell is one spark process on a test pty.
type tshell struct {
	t      *testing.T
	sh     string
	home   string
	rundir string // XDG_RUNTIME_DIR
	pty    *os.File
	cmd    *exec.Cmd

	mu     sync.Mutex
	out    []byte
	grew   chan struct{} // closed and replaced when out grows
	done   chan struct{} // closed when the process has exited
	eof    chan struct{} // closed when the terminal has no more output
	status int
	seen   int // how much of out expect has consumed
}

type opts struct {
	rc    string   // appended to the shell's startup file
	env   []string // extra environment; {HOME} stands for the test's home
	args  []string // arguments after "spark" (default: shell)
	size  *pty.Winsize
	dir   string            // working directory, relative to HOME
	setup func(home string) // runs before spark starts
	quiet bool              // do not wait for the first prompt
}

// start runs spark (by default `spark shell`) with sh as $SHELL on a new pty in a fresh HOME, and
// waits for the first prompt of an interactive shell.
func start(t *testing.T, sh string, o opts) *tshell {
	t.Helper()
	bin := spark(t)
	path := shellPath(t, sh)
	home := t.TempDir()
	run := filepath.Join(home, "run")
	os.Mkdir(run, 0o700)
	writeRC(t, sh, home, o.rc)
	if o.setup != nil {
		o.setup(home)
	}
	s := &tshell{t: t, sh: sh, home: home, rundir: run, grew: make(chan struct{}), done: make(chan struct{}), eof: make(chan struct{})}
	args := o.args
	if args == nil {
		args = []string{"shell"}
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = filepath.Join(home, o.dir)
	s.cmd.Env = []string{
		"PATH=" + filepath.Dir(bin) + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home,
		"SHELL=" + path,
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"XDG_RUNTIME_DIR=" + run,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
	}
	for _, e := range o.env {
		s.cmd.Env = append(s.cmd.Env, strings.ReplaceAll(e, "{HOME}", home))
	}
	size := o.size
	if size == nil {
		size = &pty.Winsize{Rows: 24, Cols: 80}
	}
	var err error
	if s.pty, err = pty.StartWithSize(s.cmd, size); err != nil {
		t.Fatalf("start spark: %v", err)
	}
	go s.read()
	go func() {
		s.cmd.Wait()
		s.mu.Lock()
		s.status = exitStatus(s.cmd.ProcessState)
		s.mu.Unlock()
		close(s.done)
	}()
	t.Cleanup(s.stop)
	if !slices.Contains(args, "-c") && !o.quiet {
		s.expect(testPrompt)
	}
	return s
}

// writeRC gives the test shell a plain prompt, a private history file and the test's extra lines.
func writeRC(t *testing.T, sh, home, extra string) {
	var path, text string
	switch sh {
	case "bash":
		path, text = ".bashrc", "PS1='"+testPrompt+"'\nHISTFILE=~/.bash_history\n"
	case "zsh":
		path, text = ".zshrc", "PROMPT='"+testPrompt+"'\nHISTFILE=~/.zsh_history\nHISTSIZE=100\n"
	case "fish":
		path, text = ".config/fish/config.fish", "set -g fish_greeting ''\nfunction fish_prompt; printf '"+testPrompt+"'; end\n"
		// Without this fish starts generating completions from man pages in the background.
		os.MkdirAll(filepath.Join(home, ".local", "share", "fish", "generated_completions"), 0o700)
	}
	path = filepath.Join(home, path)
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, []byte(text+extra+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *tshell) read() {
	defer close(s.eof)
	buf := make([]byte, 32<<10)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.out = append(s.out, buf[:n]...)
			close(s.grew)
			s.grew = make(chan struct{})
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// stop ends spark if the test left it running.
func (s *tshell) stop() {
	select {
	case <-s.done:
	default:
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(waitTime):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.pty.Close()
}

// output returns everything the terminal received so far.
func (s *tshell) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.out)
}

// waitFor waits until cond holds of the output, failing the test after waitTime.
func (s *tshell) waitFor(what string, cond func(out string) bool) {
	s.t.Helper()
	deadline := time.After(waitTime)
	for {
		s.mu.Lock()
		out, grew := string(s.out), s.grew
		s.mu.Unlock()
		if cond(out) {
			return
		}
		select {
		case <-grew:
		case <-s.done:
			s.mu.Lock()
			out = string(s.out)
			s.mu.Unlock()
			if cond(out) {
				return
			}
			s.t.Fatalf("%s: spark exited (status %d) before %s; terminal:\n%s", s.sh, s.status, what, s.output())
		case <-deadline:
			s.t.Fatalf("%s: timed out waiting for %s; terminal:\n%s", s.sh, what, s.output())
		}
	}
}

// expect waits for text in the output after what earlier expects consumed, and consumes it.
func (s *tshell) expect(text string) {
	s.t.Helper()
	s.waitFor(fmt.Sprintf("%q", text), func(out string) bool {
		i := strings.Index(out[min(s.seen, len(out)):], text)
		if i < 0 {
			return false
		}
		s.seen += i + len(text)
		return true
	})
}

// expectSoon is expect with a short limit, reporting whether text came.
func (s *tshell) expectSoon(text string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		out := s.output()
		if i := strings.Index(out[min(s.seen, len(out)):], text); i >= 0 {
			s.seen += i + len(text)
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// interrupt types Ctrl-C and waits for the shell's next prompt. A shell busy drawing its prompt
// now and then misses the SIGINT (seen with all three under load); like a user, interrupt then
// presses Ctrl-C again.
func (s *tshell) interrupt() {
	s.t.Helper()
	for range 3 {
		s.send("\x03")
		if s.expectSoon(testPrompt, 2*time.Second) {
			return
		}
	}
	s.expect(testPrompt)
}

// send types text.
func (s *tshell) send(text string) {
	s.t.Helper()
	if _, err := s.pty.Write([]byte(text)); err != nil {
		s.t.Fatalf("type %q: %v", text, err)
	}
}

// sessionDir is the running session's directory.
func (s *tshell) sessionDir() string {
	s.t.Helper()
	var dir string
	deadline := time.Now().Add(waitTime)
	for {
		m, _ := filepath.Glob(filepath.Join(s.rundir, "spark", "*"))
		if len(m) == 1 {
			dir = m[0]
			return dir
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: no single session directory in %s: %v", s.sh, s.rundir, m)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// records waits until the session has stored at least n records and returns them all.
func (s *tshell) records(n int) []Record {
	s.t.Helper()
	dir := s.sessionDir()
	deadline := time.Now().Add(waitTime)
	for {
		recs, err := ReadRecords(dir)
		if err != nil {
			s.t.Fatalf("%s: %v", s.sh, err)
		}
		if len(recs) >= n {
			return recs
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: %d records, want %d: %s\nterminal:\n%s", s.sh, len(recs), n, dumpRecords(recs), s.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// run types a command that is recorded and returns its record: the n-th of the session.
func (s *tshell) run(n int, line string) Record {
	s.t.Helper()
	s.send(line + "\r")
	return s.records(n)[n-1]
}

// wait waits for spark to exit and its output to be read, and returns its status.
func (s *tshell) wait() int {
	s.t.Helper()
	timeout := time.After(waitTime)
	for _, c := range []chan struct{}{s.done, s.eof} {
		select {
		case <-c:
		case <-timeout:
			s.t.Fatalf("%s: spark did not exit; terminal:\n%s", s.sh, s.output())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

func dumpRecords(recs []Record) string {
	var b bytes.Buffer
	for _, r := range recs {
		fmt.Fprintf(&b, "  %q in %q: status %d, output %q\n", r.Command, r.Cwd, r.Status, r.Output)
	}
	return b.String()
}

// shellPid is the pid of the shell spark runs.
func (s *tshell) shellPid() int {
	s.t.Helper()
	deadline := time.Now().Add(waitTime)
	for {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", s.cmd.Process.Pid, s.cmd.Process.Pid))
		var pid int
		if _, err := fmt.Sscan(string(b), &pid); err == nil {
			return pid
		}
		// Go may have started the child from another thread.
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", s.cmd.Process.Pid))
		for _, f := range tasks {
			b, _ := os.ReadFile(f)
			if _, err := fmt.Sscan(string(b), &pid); err == nil {
				return pid
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatal("no shell process under spark")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitProcess waits until a process named comm runs under spark (it has been exec'd, so a
// signal now reaches it and not the shell).
func (s *tshell) waitProcess(comm string) {
	s.t.Helper()
	deadline := time.Now().Add(waitTime)
	for {
		if s.findProcess(s.cmd.Process.Pid, comm, 0) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: no %s process under spark; terminal:\n%s", s.sh, comm, s.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *tshell) findProcess(pid int, comm string, depth int) bool {
	if depth > 6 {
		return false
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, c := range strings.Fields(string(b)) {
			var child int
			fmt.Sscan(c, &child)
			name, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child))
			if strings.TrimSpace(string(name)) == comm || s.findProcess(child, comm, depth+1) {
				return true
			}
		}
	}
	return false
}

// waitEchoOff waits until the shell's terminal has echo off, as for a password prompt.
func (s *tshell) waitEchoOff() {
	s.t.Helper()
	pid := s.shellPid()
	pts := s.controllingTTY(pid)
	f, err := os.OpenFile(pts, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	deadline := time.Now().Add(waitTime)
	var tio *unix.Termios
	for {
		tio, err = unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
		if err == nil && tio.Lflag&unix.ECHO == 0 && tio.Lflag&unix.ICANON != 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: echo never went off (%s lflag %#x, %v); terminal:\n%s", s.sh, pts, tio.Lflag, err, s.output())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// controllingTTY is the path of process pid's controlling terminal, a /dev/pts device. (The
// shell's own descriptors are no guide: zsh points its stdin elsewhere at times.)
func (s *tshell) controllingTTY(pid int) string {
	s.t.Helper()
	f := s.procStat(pid)
	var nr int
	if len(f) > 4 {
		fmt.Sscan(f[4], &nr)
	}
	major, minor := (nr>>8)&0xfff, (nr&0xff)|((nr>>12)&0xfff00)
	if major < 136 || major > 143 {
		s.t.Fatalf("process %d has no pty as its terminal (tty_nr %#x)", pid, nr)
	}
	return fmt.Sprintf("/dev/pts/%d", minor+(major-136)*256)
}

// procStat returns the fields of /proc/pid/stat after the command name: state, ppid, pgrp,
// session, tty_nr, tpgid, ...
func (s *tshell) procStat(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
}

// foregroundIs reports whether the shell's terminal's foreground process is named comm.
func (s *tshell) foregroundIs(comm string) bool {
	f := s.procStat(s.shellPid())
	if len(f) < 6 {
		return false
	}
	var tpgid int
	fmt.Sscan(f[5], &tpgid)
	name, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", tpgid))
	return strings.TrimSpace(string(name)) == comm
}

// outerTermios returns the modes of the terminal spark runs on.
func (s *tshell) outerTermios() (*unix.Termios, error) {
	conn, err := s.pty.SyscallConn()
	if err != nil {
		return nil, err
	}
	var tio *unix.Termios
	conn.Control(func(fd uintptr) { tio, err = unix.IoctlGetTermios(int(fd), unix.TCGETS) })
	if err != nil {
		return nil, err
	}
	return tio, nil
}

// eventually polls cond until it holds, failing the test after waitTime.
func (s *tshell) eventually(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(waitTime)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: timed out waiting for %s; terminal:\n%s", s.sh, what, s.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
