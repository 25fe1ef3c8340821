package cmd

import (
	"github.com/spark-cli/spark/internal/testenv"

	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"

	"github.com/spark-cli/spark/llm/llmtest"
	"github.com/spark-cli/spark/shell"
)

func TestSuggestSessionContext(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"go test ./..."}})
	cwd, _ := os.Getwd()
	var out strings.Builder
	for i := 0; i < 40; i++ {
		out.WriteString("--- FAIL: TestParse line " + strconv.Itoa(i) + "\n")
	}
	recs := []shell.Record{{Command: "ls", Cwd: cwd}}
	for i := 0; i < 5; i++ {
		recs = append(recs, shell.Record{Command: "echo " + strconv.Itoa(i), Cwd: "/elsewhere"})
	}
	recs = append(recs, shell.Record{Command: "go test ./...", Cwd: cwd, Status: 1, Output: out.String()})
	env := testEnv(t, srv.URL())
	env["SPARK_SESSION"] = fakeSession(t, recs...)
	code, stdout, stderr := runSpark(context.Background(), t, env, "suggest", "--line", "go t")
	if code != 0 || stdout != "go test ./...\n" {
		t.Fatalf("spark suggest in a session = %d, %q, %q", code, stdout, stderr)
	}
	msgs := srv.Requests()[0].JSON["messages"].([]any)
	user := msgs[1].(map[string]any)["content"].(string)
	for _, want := range []string{
		"Recent commands, oldest first:\n",
		"  $ echo 1   (exit 0 in /elsewhere)\n",
		"  $ go test ./...   (exit 1)\n",
		"Output of the last command, its end:\n",
		"--- FAIL: TestParse line 39",
		"Line: go t\n",
	} {
		if !strings.Contains(user, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, user)
		}
	}
	for _, unwanted := range []string{"$ ls", "$ echo 0", "TestParse line 27\n"} {
		if strings.Contains(user, unwanted) {
			t.Errorf("the prompt has %q, beyond its bounds:\n%s", unwanted, user)
		}
	}
}

// TestSuggestThroughSession runs 20 suggestions in one spark shell session: they all go
// through the session's relay, over one connection to the model server.
func TestSuggestThroughSession(t *testing.T) {
	bash := testenv.LookPath(t, "bash")
	srv := llmtest.NewServer(t)
	srv.Repeat(llmtest.Step{Chunks: []string{"git ", "status"}})
	home := t.TempDir()
	run := filepath.Join(home, "run")
	os.Mkdir(run, 0o700)
	const n = 20
	cmd := exec.Command("spark", "shell", "-c",
		`echo "relay=$SPARK_RELAY session=$SPARK_SESSION"; for i in $(seq `+strconv.Itoa(n)+`); do spark suggest --line "git st" || exit 1; done`)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "SHELL=" + bash, "XDG_RUNTIME_DIR=" + run,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"OPENAI_BASE_URL=" + srv.URL(), "OPENAI_API_KEY=sk-session", "SPARK_MODEL=gpt-test",
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("spark shell -c: %v\n%s", err, stderr.String())
	}
	if got := strings.Count(stdout.String(), "git status"); got != n {
		t.Fatalf("%d suggestions printed, want %d:\n%s%s", got, n, stdout.String(), stderr.String())
	}
	if got := srv.Conns(); got != 1 {
		t.Errorf("%d suggestions in one session opened %d connections to the model server, want 1", n, got)
	}
	reqs := srv.Requests()
	if len(reqs) != n || reqs[n-1].Header.Get("Authorization") != "Bearer sk-session" {
		t.Errorf("server saw %d requests, the last with Authorization %q", len(reqs), reqs[len(reqs)-1].Header.Get("Authorization"))
	}
	// The relay's socket lives in the private session directory and goes with it.
	var relay, session string
	fmt.Sscanf(stdout.String(), "relay=%s session=%s", &relay, &session)
	if session == "" || !strings.HasPrefix(relay, session+string(filepath.Separator)) {
		t.Errorf("relay socket %q is not inside the session directory %q", relay, session)
	}
	if _, err := os.Stat(session); !os.IsNotExist(err) {
		t.Errorf("session directory %s left after the session: %v", session, err)
	}
}

// TestSuggestReaderGone: the zsh widget cancels by closing its end of spark's stdout; spark
// stops at once and the server sees the request go.
func TestSuggestReaderGone(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"late"}, FirstDelay: 20 * time.Second})
	cmd := exec.Command("spark", "suggest", "--line", "git st")
	cmd.Env = envList(testEnv(t, srv.URL()))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	waitRequests(t, srv, 1)
	r.Close()
	code := waitExit(t, cmd, 5*time.Second)
	if code != ExitInterrupted {
		t.Errorf("spark suggest after its reader left = exit %d, want %d", code, ExitInterrupted)
	}
	if _, ok := srv.WaitDisconnect(0, waitTime); !ok {
		t.Error("the server did not see the request cancelled")
	}
}

// TestSuggestCancelOnKey: bash and fish wait for spark; a key typed meanwhile stops it at once
// and stays in the terminal for the shell to read.
func TestSuggestCancelOnKey(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"late"}, FirstDelay: 20 * time.Second})
	ptmx, tty, err := pty.Open()
	if err != nil {
		testenv.Missing(t, "no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	// The line editors read keys one by one: no canonical mode, no echo.
	if _, err := term.MakeRaw(int(tty.Fd())); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("spark", "suggest", "--cancel-on-key", "--line", "git st")
	cmd.Env = envList(testEnv(t, srv.URL()))
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitRequests(t, srv, 1)
	start := time.Now()
	ptmx.Write([]byte("x"))
	code := waitExit(t, cmd, 5*time.Second)
	if code != ExitInterrupted || stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("spark suggest after a key = exit %d, stdout %q, stderr %q; want %d and nothing printed",
			code, stdout.String(), stderr.String(), ExitInterrupted)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("spark took %v to stop after the key", d)
	}
	if _, ok := srv.WaitDisconnect(0, waitTime); !ok {
		t.Error("the server did not see the request cancelled")
	}
	tty.SetReadDeadline(time.Now().Add(waitTime))
	buf := make([]byte, 8)
	if n, err := tty.Read(buf); err != nil || string(buf[:n]) != "x" {
		t.Errorf("after spark stopped the terminal holds %q, %v; want the key x, unread", buf[:n], err)
	}
}

// waitRequests waits until the server has seen n requests.
func waitRequests(t *testing.T, srv *llmtest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(waitTime)
	for len(srv.Requests()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("server saw %d requests, want %d", len(srv.Requests()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func envList(m map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(d):
		cmd.Process.Kill()
		t.Fatalf("spark did not exit within %v", d)
		return -1
	}
}

// TestRelayDeepRuntimeDir: under a runtime directory too deep for a unix socket path inside the
// session directory, the session still gets its relay, in a short private directory.
func TestRelayDeepRuntimeDir(t *testing.T) {
	bash := testenv.LookPath(t, "bash")
	home := t.TempDir()
	run := filepath.Join(home, strings.Repeat("d", 60), strings.Repeat("e", 40))
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("spark", "shell", "-c", `echo "relay=$SPARK_RELAY"`)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "SHELL=" + bash, "XDG_RUNTIME_DIR=" + run,
		"OPENAI_BASE_URL=http://127.0.0.1:1/v1", "OPENAI_API_KEY=sk-x"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("spark shell -c: %v", err)
	}
	relay := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "relay="))
	if relay == "" || len(relay) > 104 {
		t.Fatalf("SPARK_RELAY = %q, want a socket path short enough to listen on", relay)
	}
	if _, err := os.Stat(relay); !os.IsNotExist(err) {
		t.Errorf("relay socket %s left after the session: %v", relay, err)
	}
}
