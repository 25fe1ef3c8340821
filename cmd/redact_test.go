package cmd

import (
	"github.com/spark-cli/spark/internal/testenv"

	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
	"github.com/spark-cli/spark/shell"
)

// TestSendTimeRedaction checks what fix, edit and suggest send: the values of secret-named
// variables in spark's own environment (exported in the shell after the session started, so the
// session never knew them) and, for error text and session context, secret-shaped strings, never
// leave the machine.
func TestSendTimeRedaction(t *testing.T) {
	bin := testenv.LookPath(t, "spark")
	const exported = "tok-c0ffee-4242"
	const shaped = "curl -u alice:Cu7lPassw0rd https://api.example.com"
	reply := "*** Begin Patch\n*** Update File: main.go\n-package x\n+package main\n*** End Patch\n"
	cases := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"fix, piped errors", []string{"fix"}, "main.go:1:1: expected main, token " + exported + "\n" + shaped + "\n"},
		{"fix, session record", []string{"fix"}, ""},
		{"edit, instruction", []string{"edit", "main.go", "log the token " + exported}, ""},
		{"suggest, line", []string{"suggest", "--line", "echo " + exported + " | ", "--point", "30"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Step{Chunks: llmtest.Split(reply, 9)})
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "MY_API_TOKEN=" + exported}
			for k, v := range testEnv(t, srv.URL()) {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			if c.stdin == "" && c.args[0] == "fix" {
				rec := shell.Record{Command: `echo "$MY_API_TOKEN"`, Cwd: dir, Status: 1, Start: time.Now(), Output: "main.go:1:1: bad " + exported}
				cmd.Env = append(cmd.Env, "SPARK_SESSION="+fakeSession(t, rec))
			}
			cmd.Stdin = strings.NewReader(c.stdin)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			cmd.Run()
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("spark %s sent %d requests, want 1; stderr %q", c.args[0], len(reqs), errb.String())
			}
			body := string(reqs[0].Body)
			for _, secret := range []string{exported, "Cu7lPassw0rd"} {
				if strings.Contains(body, secret) {
					t.Errorf("spark %s sent %q:\n%s", strings.Join(c.args, " "), secret, body)
				}
			}
			if !strings.Contains(body, "[REDACTED]") {
				t.Errorf("spark %s sent no [REDACTED] mark:\n%s", strings.Join(c.args, " "), body)
			}
		})
	}
}
