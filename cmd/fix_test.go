package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// runFixWith runs spark in-process with stdin text and stdin's terminal-ness chosen.
func runFixWith(ctx context.Context, t *testing.T, env map[string]string, stdin string, inTTY bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb, InTTY: inTTY}
	code := run(ctx, append([]string{"spark"}, args...), st, envMap(env))
	return code, out.String(), errb.String()
}

func TestFixUsage(t *testing.T) {
	// Nothing listens here: a request would fail differently.
	env := testEnv(t, "http://127.0.0.1:1/v1")
	tests := []struct {
		name  string
		stdin string
		tty   bool
		args  []string
		code  int
		err   string
	}{
		{"terminal, no session", "", true, []string{"fix"}, ExitUsage, "spark: fix needs the errors: pipe them in"},
		{"empty pipe", " \n", false, []string{"fix"}, ExitUsage, "spark: fix: nothing on stdin; fix needs the errors"},
		{"attempts 0", "", false, []string{"fix", "--attempts", "0", "--", "false"}, ExitUsage, "spark: fix --attempts must be 1 or more"},
		{"attempts without command", "x.go:1: y", false, []string{"fix", "--attempts", "2"}, ExitUsage, "spark: fix --attempts needs a command"},
		{"command not found", "", false, []string{"fix", "--", "spark-no-such-command"}, ExitFailure, "spark: fix: run spark-no-such-command: "},
		{"nothing inside the tree", "/etc/hostname:1: error: x\n", false, []string{"fix"}, ExitFailure, "spark: fix: the errors name no file in the working tree"},
	}
	for _, tt := range tests {
		code, _, stderr := runFixWith(context.Background(), t, env, tt.stdin, tt.tty, tt.args...)
		if code != tt.code || !strings.HasPrefix(stderr, tt.err) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%s: spark %q = exit %d, stderr %q; want exit %d, one line starting %q", tt.name, tt.args, code, stderr, tt.code, tt.err)
		}
	}
}

func TestRunCommand(t *testing.T) {
	ctx := context.Background()
	var live bytes.Buffer
	run, err := runCommand(ctx, []string{"sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 3"}, t.TempDir(), &live)
	if err != nil {
		t.Fatal(err)
	}
	if want := "out1\nerr1\nout2\n"; run.output != want || live.String() != want {
		t.Errorf("runCommand output = %q, live %q; want both %q, in the order written", run.output, live.String(), want)
	}
	if run.status != 3 {
		t.Errorf("runCommand status = %d, want 3", run.status)
	}
	run, err = runCommand(ctx, []string{"sh", "-c", "kill -TERM $$"}, t.TempDir(), &live)
	if err != nil || run.status != 128+15 {
		t.Errorf("runCommand of a command killed by SIGTERM = %d, %v; want 143", run.status, err)
	}
	// Output beyond the bound is kept as head and tail.
	live.Reset()
	run, err = runCommand(ctx, []string{"sh", "-c", "echo first; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo last; exit 1"}, t.TempDir(), &live)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.output) > 2*inputLimit+100 || !strings.HasPrefix(run.output, "first\n") || !strings.HasSuffix(run.output, "last\n") ||
		!strings.Contains(run.output, "bytes left out") || live.Len() < 3000000 {
		t.Errorf("runCommand of 3 MB kept %d bytes (live %d); want head and tail within %d", len(run.output), live.Len(), 2*inputLimit)
	}
}

// TestFixInterruptCommand cancels the context, as SIGINT does, while the command runs: the
// command's process group gets SIGINT, spark exits 130 without asking the model anything.
func TestFixInterruptCommand(t *testing.T) {
	srv := llmtest.NewServer(t)
	dir := t.TempDir()
	started, got := filepath.Join(dir, "started"), filepath.Join(dir, "got-int")
	script := `trap 'echo INT > ` + got + `; exit 130' INT; touch ` + started + `; while :; do sleep 0.05; done`
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			if _, err := os.Stat(started); err == nil {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	begin := time.Now()
	code, _, stderr := runFixWith(ctx, t, testEnv(t, srv.URL()), "", false, "fix", "--", "sh", "-c", script)
	if code != ExitInterrupted {
		t.Errorf("interrupted command: exit %d (stderr %q), want %d", code, stderr, ExitInterrupted)
	}
	if b, err := os.ReadFile(got); err != nil || string(b) != "INT\n" {
		t.Errorf("the command did not get SIGINT: %q, %v", b, err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("interrupt took %s", d)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("server received %d requests, want 0", n)
	}
}

func TestFmtAgo(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{3 * time.Second, "3s"},
		{5 * time.Minute, "5m"},
		{30 * time.Hour, "30h"},
		{100 * time.Hour, "4d"},
	}
	for _, tt := range tests {
		if got := fmtAgo(tt.d); got != tt.want {
			t.Errorf("fmtAgo(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
