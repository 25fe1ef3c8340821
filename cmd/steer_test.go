package cmd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/spark-cli/spark/llm/llmtest"
)

const (
	steerFile   = "package main\n\nfunc main() {\n\tx := 1\n\tprintln(x)\n}\n"
	steerReplyY = "Rename x to y.\n*** Begin Patch\n*** Update File: main.go\n@@ func main() {\n-\tx := 1\n-\tprintln(x)\n+\ty := 1\n+\tprintln(y)\n }\n*** End Patch\n"
	steerReplyZ = "Rename x to z.\n*** Begin Patch\n*** Update File: main.go\n@@ func main() {\n-\tx := 1\n-\tprintln(x)\n+\tz := 1\n+\tprintln(z)\n }\n*** End Patch\n"
)

// ptySpark runs the spark command (installed on PATH by testscript.Main) on a pty, so that stdin
// and stdout are a terminal and Ctrl-C is a real SIGINT from the line discipline.
type ptySpark struct {
	t    *testing.T
	cmd  *exec.Cmd
	pty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startPtySpark(t *testing.T, dir string, env map[string]string, args ...string) *ptySpark {
	t.Helper()
	bin, err := exec.LookPath("spark")
	if err != nil {
		t.Fatalf("spark is not on PATH: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TERM=xterm", "NO_COLOR=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatalf("start spark on a pty: %v", err)
	}
	p := &ptySpark{t: t, cmd: cmd, pty: f, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
	})
	return p
}

func (p *ptySpark) screen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the output contains s, at most waitTime.
func (p *ptySpark) waitFor(s string) {
	p.t.Helper()
	deadline := time.Now().Add(waitTime)
	for !strings.Contains(p.screen(), s) {
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %q; the terminal shows:\n%s", s, p.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitCount waits until s appears n times in the output, at most waitTime.
func (p *ptySpark) waitCount(s string, n int) {
	p.t.Helper()
	deadline := time.Now().Add(waitTime)
	for strings.Count(p.screen(), s) < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %d× %q; the terminal shows:\n%s", n, s, p.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *ptySpark) send(s string) {
	p.t.Helper()
	if _, err := p.pty.Write([]byte(s)); err != nil {
		p.t.Fatalf("write to pty: %v", err)
	}
}

// exit waits for spark to exit and for all it wrote to reach the screen, and returns its
// exit status.
func (p *ptySpark) exit() int {
	p.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- p.cmd.Wait() }()
	select {
	case err := <-errc:
		// Everything spark wrote is on the screen once the reader has drained the pty to its end.
		select {
		case <-p.done:
		case <-time.After(waitTime):
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			p.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(waitTime):
		p.t.Fatalf("spark did not exit; the terminal shows:\n%s", p.screen())
		return -1
	}
}

func steerSetup(t *testing.T, steps ...llmtest.Step) (string, map[string]string, *llmtest.Server) {
	srv := llmtest.NewServer(t, steps...)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(steerFile), 0o644); err != nil {
		t.Fatal(err)
	}
	env := testEnv(t, srv.URL())
	env["SPARK_MODEL"] = "gpt-test"
	return dir, env, srv
}

// hanging streams the first chunks of a reply and then stalls, as a slow model does, so the test
// can interrupt it mid-stream.
func hanging(reply string) llmtest.Step {
	return llmtest.Step{Chunks: llmtest.Split(reply, 4), HangAfter: 6}
}

func TestSteerContinues(t *testing.T) {
	dir, env, srv := steerSetup(t, hanging(steerReplyY), hanging(steerReplyY), llmtest.Step{Chunks: llmtest.Split(steerReplyZ, 8)})
	p := startPtySpark(t, dir, env, "edit", "main.go", "rename x to y")
	p.waitFor("Rename x")
	p.send("\x03")
	p.waitFor("steer> ")
	p.send("use a one-letter name\r")
	// The second turn streams and is interrupted too: the prompt opens again.
	p.waitCount("Rename x", 2)
	p.send("\x03")
	p.waitCount("steer> ", 2)
	p.send("call it z\r")
	if code := p.exit(); code != 0 {
		t.Fatalf("steered edit = exit %d, want 0; the terminal shows:\n%s", code, p.screen())
	}
	got, _ := os.ReadFile(filepath.Join(dir, "main.go"))
	if want := strings.ReplaceAll(steerFile, "x", "z"); string(got) != want {
		t.Errorf("after steering the file is %q, want %q", got, want)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(reqs))
	}
	last := string(reqs[2].Body)
	for _, want := range []string{"use a one-letter name", "call it z", "Rename x"} {
		if !strings.Contains(last, want) {
			t.Errorf("the third request lacks %q (the nudges and the partial replies): %s", want, last)
		}
	}
	if !strings.Contains(p.screen(), "edited main.go (+2 -2)") {
		t.Errorf("no summary line; the terminal shows:\n%s", p.screen())
	}
}

// TestSteerLineEditing: the steer prompt is a line editor. Arrow keys, Home/End and the control
// keys edit the nudge, and Up brings back an earlier nudge of the run; what reaches the model is
// the edited text, with no escape sequence in it.
func TestSteerLineEditing(t *testing.T) {
	dir, env, srv := steerSetup(t, hanging(steerReplyY), hanging(steerReplyY), llmtest.Step{Chunks: llmtest.Split(steerReplyZ, 8)})
	p := startPtySpark(t, dir, env, "edit", "main.go", "rename x to y")
	p.waitFor("Rename x")
	p.send("\x03")
	p.waitFor("steer> ")
	// "cal it q" -> Left Left, Backspace q, "z" ... -> "call it z"; Home, Ctrl-K and retyping show
	// the rest of the keys.
	p.send("cal it zz" + "\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D" + "l" + "\x1b[F\x7f" + "\x1b[Hplease \x05 now\x17\x08\r")
	p.waitCount("Rename x", 2)
	p.send("\x03")
	p.waitCount("steer> ", 2)
	// Up brings back the first nudge; Ctrl-A and Ctrl-W, Ctrl-U and Ctrl-E edit it.
	p.send("\x1b[A" + "\x01\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x15" + "\x05, the last letter\r")
	if code := p.exit(); code != 0 {
		t.Fatalf("steered edit = exit %d, want 0; the terminal shows:\n%s", code, p.screen())
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(reqs))
	}
	for i, want := range []string{"please call it z", "call it z, the last letter"} {
		body := string(reqs[i+1].Body)
		if !strings.Contains(body, want) {
			t.Errorf("request %d lacks the edited nudge %q: %s", i+2, want, body)
		}
		if strings.Contains(body, `\u001b`) || strings.Contains(body, "[D") {
			t.Errorf("request %d carries an escape sequence: %s", i+2, body)
		}
	}
}

func TestSteerAborts(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{"empty line", "\r"},
		{"second ctrl-c", "\x03"},
		{"ctrl-d", "\x04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, env, srv := steerSetup(t, hanging(steerReplyY))
			p := startPtySpark(t, dir, env, "edit", "main.go", "rename x to y")
			p.waitFor("Rename x")
			p.send("\x03")
			p.waitFor("steer> ")
			p.send(tt.input)
			if code := p.exit(); code != ExitInterrupted {
				t.Errorf("abort with %q = exit %d, want %d; the terminal shows:\n%s", tt.input, code, ExitInterrupted, p.screen())
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(got) != steerFile {
				t.Errorf("aborted edit left %q, want the file unchanged", got)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

func TestNoSteerAbortsAtOnce(t *testing.T) {
	dir, env, _ := steerSetup(t, hanging(steerReplyY))
	p := startPtySpark(t, dir, env, "edit", "--no-steer", "main.go", "rename x to y")
	p.waitFor("Rename x")
	p.send("\x03")
	if code := p.exit(); code != ExitInterrupted {
		t.Errorf("--no-steer interrupt = exit %d, want %d; the terminal shows:\n%s", code, ExitInterrupted, p.screen())
	}
	if strings.Contains(p.screen(), "steer>") {
		t.Errorf("--no-steer opened the steer prompt:\n%s", p.screen())
	}
}

// TestSteerFix steers spark fix -- COMMAND the same way: the command fails, the fix is
// interrupted mid-stream and steered, and the steered fix makes the command pass.
func TestSteerFix(t *testing.T) {
	const check = `grep -q fixed a.txt || { echo "a.txt:1: not fixed yet"; exit 1; }`
	first := "Mark it done.\n*** Begin Patch\n*** Update File: a.txt\n-broken\n+done\n*** End Patch\n"
	second := "Mark it fixed.\n*** Begin Patch\n*** Update File: a.txt\n-broken\n+fixed\n*** End Patch\n"
	srv := llmtest.NewServer(t, hanging(first), llmtest.Step{Chunks: llmtest.Split(second, 8)})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := testEnv(t, srv.URL())
	env["SPARK_MODEL"] = "gpt-test"
	p := startPtySpark(t, dir, env, "fix", "--", "sh", "-c", check)
	p.waitFor("Mark it done.")
	p.send("\x03")
	p.waitFor("steer> ")
	p.send("write fixed, not done\r")
	if code := p.exit(); code != 0 {
		t.Fatalf("steered fix = exit %d, want 0; the terminal shows:\n%s", code, p.screen())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(got) != "fixed\n" {
		t.Errorf("after the steered fix a.txt is %q, want %q", got, "fixed\n")
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || !strings.Contains(string(reqs[1].Body), "write fixed, not done") {
		t.Errorf("server saw %d requests; the second should carry the nudge", len(reqs))
	}
}

// TestSteerPromptEndsOnSIGTERM: a SIGTERM while spark waits at steer> ends it (exit 130, nothing
// written) instead of leaving it waiting for a key with the terminal in raw mode.
func TestSteerPromptEndsOnSIGTERM(t *testing.T) {
	dir, env, _ := steerSetup(t, hanging(steerReplyY))
	p := startPtySpark(t, dir, env, "edit", "main.go", "rename x to y")
	p.waitFor("Rename x")
	p.send("\x03")
	p.waitFor("steer> ")
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(); code != ExitInterrupted {
		t.Errorf("SIGTERM at steer> = exit %d, want %d; the terminal shows:\n%s", code, ExitInterrupted, p.screen())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(got) != steerFile {
		t.Errorf("file after SIGTERM = %q, want it unchanged", got)
	}
}

// TestSteeredTurnEndsOnSIGTERM: once steered, the new turn still ends on SIGTERM (exit 130,
// nothing written); the first interrupt must not leave spark deaf to it.
func TestSteeredTurnEndsOnSIGTERM(t *testing.T) {
	dir, env, _ := steerSetup(t, hanging(steerReplyY), hanging(steerReplyY))
	p := startPtySpark(t, dir, env, "edit", "main.go", "rename x to y")
	p.waitFor("Rename x")
	p.send("\x03")
	p.waitFor("steer> ")
	p.send("go on\r")
	p.waitCount("Rename x", 2)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(); code != ExitInterrupted {
		t.Errorf("SIGTERM in a steered turn = exit %d, want %d; the terminal shows:\n%s", code, ExitInterrupted, p.screen())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(got) != steerFile {
		t.Errorf("file after SIGTERM = %q, want it unchanged", got)
	}
}
