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

// runSpark runs the CLI in-process with buffers for streams and a fixed environment.
func runSpark(ctx context.Context, t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := Streams{In: strings.NewReader(""), Out: &out, Err: &errb}
	code := run(ctx, append([]string{"spark"}, args...), st, envMap(env))
	return code, out.String(), errb.String()
}

func testEnv(t *testing.T, baseURL string) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"HOME":            dir,
		"XDG_STATE_HOME":  filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"OPENAI_BASE_URL": baseURL,
		"OPENAI_API_KEY":  "sk-test",
		"SPARK_MODEL":     "test-model",
	}
}

func TestExitCodes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.txt")
	if err := os.WriteFile(file, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reply := "*** Begin Patch\n*** Update File: " + file + "\n-a\n+A\n*** End Patch\n"
	srv := llmtest.NewServer(t,
		llmtest.Step{Chunks: llmtest.Split(reply, 8)},
		llmtest.Step{Status: 401},
	)
	env := testEnv(t, srv.URL())
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"success", []string{"edit", file, "upper-case"}, ExitOK},
		{"server failure", []string{"edit", file, "upper-case"}, ExitFailure},
		{"missing file", []string{"edit", file + ".nope", "x"}, ExitFailure},
		{"no instruction", []string{"edit", file}, ExitUsage},
		{"unknown flag", []string{"edit", "--frobnicate", file, "x"}, ExitUsage},
		{"unknown command", []string{"frobnicate"}, ExitUsage},
		{"bad format", []string{"edit", "--format", "yaml", file, "x"}, ExitUsage},
		{"help", []string{"edit", "--help"}, ExitOK},
	}
	for _, tt := range tests {
		code, _, stderr := runSpark(context.Background(), t, env, tt.args...)
		if code != tt.want {
			t.Errorf("spark %q = exit %d (stderr %q), want %d", tt.args, code, stderr, tt.want)
		}
		if code != ExitOK && strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("spark %q printed %q, want one line", tt.args, stderr)
		}
	}
}

// TestInterruptMidStream cancels the context, as SIGINT does, while the reply streams: exit 130,
// the file byte-identical, and the server sees the connection go away.
func TestInterruptMidStream(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.txt")
	orig := []byte("a\nb\n")
	if err := os.WriteFile(file, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	reply := "*** Begin Patch\n*** Update File: " + file + "\n-a\n+A\n b\n*** End Patch\n"
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: llmtest.Split(reply, 4), HangAfter: 5})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-srv.Arrived()
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	code, _, stderr := runSpark(ctx, t, testEnv(t, srv.URL()), "edit", file, "upper-case a")
	if code != ExitInterrupted {
		t.Errorf("interrupted edit = exit %d (stderr %q), want %d", code, stderr, ExitInterrupted)
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, orig) {
		t.Errorf("interrupted edit left %q, want %q", got, orig)
	}
	deadline := time.Now().Add(waitTime)
	for {
		reqs := srv.Requests()
		if len(reqs) == 1 && !reqs[0].Disconnected.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never saw the client disconnect")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
