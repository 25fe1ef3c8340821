package cmd

import (
	"github.com/spark-cli/spark/internal/testenv"

	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

const (
	filterIn     = "a\nb\nc\nd\n"
	filterReply  = "*** Begin Patch\n*** Update File: stdin\n a\n-b\n+B\n c\n*** End Patch\n"
	brokenReply  = "*** Begin Patch\n*** Update File: stdin\n@@ nowhere\n-zzz\n+yyy\n*** End Patch\n"
	filterWanted = "a\nB\nc\nd\n"
)

// TestFilterSameFile runs `spark edit -` as an editor does, with stdout and stderr the same file
// and no controlling terminal: the file gets the edited text or, on any failure, the input back,
// and never a diagnostic.
func TestFilterSameFile(t *testing.T) {
	bin := testenv.LookPath(t, "spark")
	cases := []struct {
		name  string
		steps []llmtest.Step
		args  []string
		code  int
		want  string
	}{
		{"edited", []llmtest.Step{{Chunks: llmtest.Split(filterReply, 5)}}, []string{"edit", "-", "upper-case b"}, 0, filterWanted},
		{"reply does not apply", []llmtest.Step{{Chunks: llmtest.Split(brokenReply, 5)}, {Chunks: llmtest.Split(brokenReply, 5)}}, []string{"edit", "-", "upper-case b"}, 1, filterIn},
		{"server error", []llmtest.Step{{Status: 401}}, []string{"edit", "-", "upper-case b"}, 1, filterIn},
		{"usage error", nil, []string{"edit", "-"}, 2, filterIn},
		{"bad flag", nil, []string{"edit", "--format", "nope", "-", "upper-case b"}, 2, filterIn},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, c.steps...)
			dir := t.TempDir()
			out, err := os.Create(filepath.Join(dir, "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = dir
			for k, v := range testEnv(t, srv.URL()) {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			cmd.Stdin = strings.NewReader(filterIn)
			cmd.Stdout, cmd.Stderr = out, out
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
			err = cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(out.Name())
			if code != c.code || string(got) != c.want {
				t.Errorf("spark %s 2>&1 >file = exit %d, file %q; want exit %d, %q", strings.Join(c.args, " "), code, got, c.code, c.want)
			}
		})
	}
}

// TestFilterInVim runs the filter from the real vim, in tmux, where 'shellredir' sends stderr
// into the file vim reads back: a whole-buffer filter and a line range, failing and succeeding.
func TestFilterInVim(t *testing.T) {
	tmux := testenv.LookPath(t, "tmux")
	vim := testenv.LookPath(t, "vim")
	testenv.LookPath(t, "spark")
	cases := []struct {
		name  string
		rng   string
		steps []llmtest.Step
		want  string
	}{
		{"whole buffer fails", "%", []llmtest.Step{{Chunks: llmtest.Split(brokenReply, 5)}, {Chunks: llmtest.Split(brokenReply, 5)}}, filterIn},
		{"range fails", "2,3", []llmtest.Step{{Status: 401}}, filterIn},
		{"whole buffer succeeds", "%", []llmtest.Step{{Chunks: llmtest.Split(filterReply, 5)}}, filterWanted},
		{"range succeeds", "2,3", []llmtest.Step{{Chunks: llmtest.Split("*** Begin Patch\n*** Update File: stdin\n-b\n+B\n c\n*** End Patch\n", 5)}}, filterWanted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, c.steps...)
			home := t.TempDir()
			file := filepath.Join(home, "a.txt")
			if err := os.WriteFile(file, []byte(filterIn), 0o644); err != nil {
				t.Fatal(err)
			}
			env := testEnv(t, srv.URL())
			env["HOME"], env["PATH"], env["TERM"], env["SHELL"], env["LANG"] = home, os.Getenv("PATH"), "screen-256color", "/bin/sh", "C.UTF-8"
			launch := "#!/bin/sh\nexec env -i"
			for k, v := range env {
				launch += " " + shQuote(k+"="+v)
			}
			launch += " " + shQuote(vim) + " -u NONE -i NONE -N -n -c 'set report=0' a.txt\n"
			launcher := filepath.Join(home, "start.sh")
			if err := os.WriteFile(launcher, []byte(launch), 0o700); err != nil {
				t.Fatal(err)
			}
			s := &tmuxShell{t: t, sh: "vim", home: home, sock: filepath.Join(home, "tmux.sock")}
			start := exec.Command(tmux, "-S", s.sock, "-f", "/dev/null", "new-session", "-d", "-c", home, "-x", "100", "-y", "20", launcher)
			start.Env = append(os.Environ(), "TMUX=")
			if out, err := start.CombinedOutput(); err != nil {
				t.Fatalf("start tmux: %v\n%s", err, out)
			}
			t.Cleanup(func() { exec.Command(tmux, "-S", s.sock, "kill-server").Run() })
			s.waitFor(`"a.txt"`)

			s.typeText(":" + c.rng + `!spark edit - "upper-case b"`)
			s.press("Enter")
			s.waitFor("lines filtered")
			s.typeText(":w! out.txt")
			s.press("Enter")
			out := filepath.Join(home, "out.txt")
			deadline := time.Now().Add(waitTime)
			for {
				got, err := os.ReadFile(out)
				if err == nil && len(got) > 0 {
					if string(got) != c.want {
						t.Errorf(":%s!spark edit - left the buffer %q, want %q; the screen shows:\n%s", c.rng, got, c.want, s.screen())
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("vim did not write out.txt; the screen shows:\n%s", s.screen())
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestIsFilter(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{[]string{"spark", "edit", "-", "x"}, true},
		{[]string{"spark", "edit", "--dry-run", "-", "x"}, true},
		{[]string{"spark", "edit", "--", "-", "x"}, true},
		{[]string{"spark", "edit", "--", "a.go", "-"}, false},
		{[]string{"spark", "edit", "a.go", "x"}, false},
		{[]string{"spark", "fix", "-", "x"}, false},
		{[]string{"spark", "edit"}, false},
	}
	for _, tt := range tests {
		if got := isFilter(tt.args); got != tt.want {
			t.Errorf("isFilter(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
