package cmd

import (
	"github.com/spark-cli/spark/internal/testenv"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// TestFixLineInShell: inside spark shell with spark init loaded, spark fix after a mistyped
// command puts the corrected line on the command line; it runs only when the user presses Enter.
func TestFixLineInShell(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			t.Parallel()
			testenv.LookPath(t, "tmux")
			testenv.LookPath(t, sh)
			srv := llmtest.NewServer(t, llmtest.Step{Chunks: llmtest.Split("touch fixed-"+sh+"\n", 3)})
			env := map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "sk-test", "SPARK_MODEL": "gpt-test"}
			s := startTmuxShell(t, sh, env, initRC(sh), true)
			work := t.TempDir()
			s.run("cd " + work)
			s.run("tuoch fixed-" + sh)
			s.run("spark fix")
			want := tmuxPrompt + "touch fixed-" + sh
			s.waitFor(want)
			marker := filepath.Join(work, "fixed-"+sh)
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("%s: the corrected line ran before Enter", sh)
			}
			s.press("Enter")
			deadline := time.Now().Add(waitTime)
			for {
				if _, err := os.Stat(marker); err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: Enter did not run the corrected line; the screen shows:\n%s", sh, s.screen())
				}
				time.Sleep(20 * time.Millisecond)
			}
			s.exit()
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%s: server saw %d requests, want 1", sh, len(reqs))
			}
			msgs := fmt.Sprint(reqs[0].JSON["messages"])
			for _, w := range []string{"Shell: " + sh, "Command: tuoch fixed-" + sh, "Exit status: 127", "tuoch"} {
				if !strings.Contains(msgs, w) {
					t.Errorf("%s: the request lacks %q: %s", sh, w, msgs)
				}
			}
		})
	}
}

// exit ends the shell and waits for its tmux server to go, so that nothing writes in the
// test's directories any more.
func (s *tmuxShell) exit() {
	s.t.Helper()
	s.typeText("exit")
	s.press("Enter")
	deadline := time.Now().Add(waitTime)
	for exec.Command("tmux", "-S", s.sock, "has-session").Run() == nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: the shell did not exit; the screen shows:\n%s", s.sh, s.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
