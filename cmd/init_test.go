package cmd

import (
	"github.com/spark-cli/spark/internal/testenv"

	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// The widget tests drive the real zsh, bash and fish, each in its own tmux server in a fresh
// HOME, with `eval "$(spark init SHELL)"` in the rc file and spark (installed on PATH by
// testscript.Main) talking to a fake model server. tmux gives the screen as a person sees it;
// a test key (C-x C-y) writes the line editor's real buffer to $HOME/buffer, which tells ghost
// text from the line itself.

const tmuxPrompt = "spark-test> "

// tmuxShell is one interactive shell in its own tmux server.
type tmuxShell struct {
	t    *testing.T
	sh   string
	home string
	sock string
}

// startTmux starts sh interactively with rc added to its startup file and env added to a clean
// environment, and waits for the first prompt.
func startTmux(t *testing.T, sh string, env map[string]string, rc string) *tmuxShell {
	t.Helper()
	return startTmuxShell(t, sh, env, rc, false)
}

// startTmuxShell is startTmux, with the shell run by spark shell when inSpark is set.
func startTmuxShell(t *testing.T, sh string, env map[string]string, rc string, inSpark bool) *tmuxShell {
	t.Helper()
	tmux := testenv.LookPath(t, "tmux")
	shPath := testenv.LookPath(t, sh)
	sparkPath, err := exec.LookPath("spark")
	if err != nil {
		t.Fatalf("spark is not on PATH: %v", err)
	}
	home := t.TempDir()
	s := &tmuxShell{t: t, sh: sh, home: home, sock: filepath.Join(home, "tmux.sock")}
	vars := map[string]string{
		"HOME":            home,
		"PATH":            os.Getenv("PATH"),
		"TERM":            "screen-256color",
		"LANG":            "C.UTF-8",
		"SHELL":           shPath,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
	}
	for k, v := range env {
		vars[k] = v
	}
	args := []string{shPath, "-i"}
	var rcPath, rcText string
	switch sh {
	case "zsh":
		vars["ZDOTDIR"] = home
		rcPath = filepath.Join(home, ".zshrc")
		rcText = "PROMPT='" + tmuxPrompt + "'\n" + rc + "\n" +
			"_spark_test_dump() { print -r -- \"$BUFFER\" > ~/buffer.tmp && mv ~/buffer.tmp ~/buffer }\n" +
			"zle -N _spark_test_dump\nbindkey '^X^Y' _spark_test_dump\n"
	case "bash":
		rcPath = filepath.Join(home, ".bashrc")
		args = []string{shPath, "--rcfile", rcPath, "-i"}
		rcText = "PS1='" + tmuxPrompt + "'\n" + rc + "\n" +
			`bind -x '"\C-x\C-y": printf "%s\n" "$READLINE_LINE" > ~/buffer.tmp && mv ~/buffer.tmp ~/buffer'` + "\n"
	case "fish":
		rcPath = filepath.Join(home, ".config", "fish", "config.fish")
		// Without this fish starts generating completions from man pages in the background.
		os.MkdirAll(filepath.Join(home, ".local", "share", "fish", "generated_completions"), 0o700)
		rcText = "set -g fish_greeting ''\nfunction fish_prompt; printf '" + tmuxPrompt + "'; end\n" + rc + "\n" +
			"bind \\cx\\cy 'commandline > ~/buffer.tmp; and mv ~/buffer.tmp ~/buffer'\n"
	}
	os.MkdirAll(filepath.Dir(rcPath), 0o700)
	if err := os.WriteFile(rcPath, []byte(rcText), 0o600); err != nil {
		t.Fatal(err)
	}
	var launch strings.Builder
	launch.WriteString("#!/bin/sh\nexec env -i")
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		launch.WriteString(" " + shQuote(k+"="+vars[k]))
	}
	if inSpark {
		// spark shell starts $SHELL with its own start-up file, which reads the user's.
		args = []string{sparkPath, "shell"}
	}
	for _, a := range args {
		launch.WriteString(" " + shQuote(a))
	}
	launch.WriteString("\n")
	launcher := filepath.Join(home, "start.sh")
	if err := os.WriteFile(launcher, []byte(launch.String()), 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tmux, "-S", s.sock, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "30", launcher)
	cmd.Env = append(os.Environ(), "TMUX=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("start tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", s.sock, "kill-server").Run() })
	s.waitFor(tmuxPrompt)
	return s
}

func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (s *tmuxShell) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// typeText types text literally.
func (s *tmuxShell) typeText(text string) { s.tmux("send-keys", "-l", "--", text) }

// press presses keys by tmux's names: M-i, End, Right, C-u, Enter.
func (s *tmuxShell) press(keys ...string) { s.tmux(append([]string{"send-keys"}, keys...)...) }

func (s *tmuxShell) screen() string { return s.tmux("capture-pane", "-p") }

// waitFor waits until the screen shows text, at most waitTime.
func (s *tmuxShell) waitFor(text string) {
	s.t.Helper()
	text = strings.TrimRight(text, " ") // capture-pane drops trailing blanks
	s.waitUntil(func(scr string) bool { return strings.Contains(scr, text) }, fmt.Sprintf("%q on the screen", text))
}

func (s *tmuxShell) waitUntil(ok func(screen string) bool, what string) {
	s.t.Helper()
	deadline := time.Now().Add(waitTime)
	for {
		scr := s.screen()
		if ok(scr) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: waiting for %s; the screen shows:\n%s", s.sh, what, scr)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// buffer returns what the line editor holds, through the test key.
func (s *tmuxShell) buffer() string {
	s.t.Helper()
	path := filepath.Join(s.home, "buffer")
	os.Remove(path)
	s.press("C-x", "C-y")
	deadline := time.Now().Add(waitTime)
	for {
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSuffix(string(b), "\n")
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: the test key did not write the buffer; the screen shows:\n%s", s.sh, s.screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitBuffer waits until the line editor holds want.
func (s *tmuxShell) waitBuffer(want string) {
	s.t.Helper()
	deadline := time.Now().Add(waitTime)
	for {
		got := s.buffer()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: the line is %q, want %q; the screen shows:\n%s", s.sh, got, want, s.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clearLine empties the line editor.
func (s *tmuxShell) clearLine() {
	s.t.Helper()
	s.press("End", "C-u")
	s.waitBuffer("")
}

// run types a command and runs it (test set-up, never a suggestion), waiting for the next prompt.
func (s *tmuxShell) run(command string) {
	s.t.Helper()
	n := strings.Count(s.screen(), tmuxPrompt)
	s.typeText(command)
	s.press("Enter")
	s.waitUntil(func(scr string) bool {
		return strings.Count(scr, tmuxPrompt) > n || strings.Count(scr, tmuxPrompt) >= 29
	},
		"the prompt after "+command)
}

// undoKey is each shell's default undo.
var undoKey = map[string]string{"zsh": "C-_", "bash": "C-_", "fish": "C-z"}

func initRC(sh string) string {
	if sh == "fish" {
		return "spark init fish | source"
	}
	return `eval "$(spark init ` + sh + `)"`
}

func TestWidgets(t *testing.T) {
	for _, sh := range []string{"zsh", "bash", "fish"} {
		t.Run(sh, func(t *testing.T) {
			t.Parallel()
			testWidget(t, sh)
		})
	}
}

func testWidget(t *testing.T, sh string) {
	tmp := t.TempDir()
	marker := filepath.Join(tmp, "executed")
	reply := func(s string) llmtest.Step { return llmtest.Step{Chunks: llmtest.Split(s, 3)} }
	srv := llmtest.NewServer(t,
		reply("git status\n"),
		reply("```sh\ntouch "+marker+"\n```\n"),
		llmtest.Step{Chunks: []string{"ls -la"}, FirstDelay: 20 * time.Second},
		reply("tar xzf ünï.tgz\n"),
	)
	env := map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "sk-test", "SPARK_MODEL": "gpt-test"}
	s := startTmux(t, sh, env, initRC(sh))
	if strings.Contains(s.screen(), "spark:") {
		t.Fatalf("%s: the init script printed a notice:\n%s", sh, s.screen())
	}

	// A partial command: zsh shows the suggestion as ghost text after the line and keeps the
	// line as typed until the suggestion is accepted; bash and fish replace the line.
	s.typeText("git st")
	s.press("M-i")
	s.waitFor(tmuxPrompt + "git status")
	if sh == "zsh" {
		if got := s.buffer(); got != "git st" {
			t.Fatalf("zsh: with the ghost text shown the line is %q, want %q", got, "git st")
		}
		s.press("End")
	}
	s.waitBuffer("git status")
	req := srv.Requests()[0].JSON
	if msgs := fmt.Sprint(req["messages"]); !strings.Contains(msgs, "Line: git st") || !strings.Contains(msgs, "Shell: "+sh) {
		t.Errorf("%s: the request does not carry the line and the shell: %s", sh, msgs)
	}
	s.clearLine()

	// A request in plain words: the answer replaces the line, and undo brings the request back.
	// The command is never run. (The test key is a key too: in bash and fish it would cancel
	// a request still running, so the screen is watched first.)
	s.typeText("# make a marker file")
	s.press("M-i")
	s.waitFor(tmuxPrompt + "touch " + marker)
	s.waitBuffer("touch " + marker)
	s.press(undoKey[sh])
	s.waitBuffer("# make a marker file")
	s.clearLine()

	// Typing on cancels a slow request at once: the server sees the client go away, the key
	// typed lands in the line, and no late suggestion replaces it.
	s.typeText("ls -")
	s.press("M-i")
	waitRequests(t, srv, 3)
	s.typeText("l")
	if _, ok := srv.WaitDisconnect(2, 3*time.Second); !ok {
		t.Errorf("%s: typing on did not cancel the request", sh)
	}
	s.waitBuffer("ls -l")
	s.clearLine()

	// The cursor goes with the line, counted in characters.
	s.typeText("tar xé ünï.tgz")
	s.press("Left", "Left", "Left", "Left", "Left", "Left", "Left", "Left")
	s.press("M-i")
	s.waitFor("tar xzf ünï.tgz")
	msgs := fmt.Sprint(srv.Requests()[3].JSON["messages"])
	if want := `Cursor: after "tar xé", before " ünï.tgz"`; !strings.Contains(msgs, want) {
		t.Errorf("%s: the request does not carry the cursor (%s): %s", sh, want, msgs)
	}
	s.clearLine()

	// An unreachable server: a short message under the prompt, the line left as it was.
	if sh == "fish" {
		s.run("set -gx OPENAI_BASE_URL http://127.0.0.1:1/v1")
	} else {
		s.run("export OPENAI_BASE_URL=http://127.0.0.1:1/v1")
	}
	s.typeText("make tes")
	s.press("M-i")
	s.waitFor("spark: suggest: model server 127.0.0.1:1 refused the connection")
	s.waitBuffer("make tes")
	if !strings.Contains(s.screen(), tmuxPrompt+"make tes") {
		t.Errorf("%s: after the error the prompt and line are not on screen:\n%s", sh, s.screen())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("%s: a suggestion was executed", sh)
	}
	if n := len(srv.Requests()); n != 4 {
		t.Errorf("%s: server saw %d requests, want 4", sh, n)
	}
}

// TestZshGhostText covers the ways to accept zsh's ghost text, and zsh-autosuggestions next to it.
func TestZshGhostText(t *testing.T) {
	srv := llmtest.NewServer(t)
	srv.Repeat(llmtest.Step{Chunks: []string{"git ", "status"}})
	env := map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "sk-test", "SPARK_MODEL": "gpt-test"}
	rc := initRC("zsh")
	const plugin = "/usr/share/zsh-autosuggestions/zsh-autosuggestions.zsh"
	withPlugin := false
	if _, err := os.Stat(plugin); err == nil {
		withPlugin = true
		rc = "source " + plugin + "\n" + rc
	}
	s := startTmux(t, "zsh", env, rc)

	// The key again accepts.
	s.typeText("git st")
	s.press("M-i")
	s.waitFor(tmuxPrompt + "git status")
	s.press("M-i")
	s.waitBuffer("git status")
	s.clearLine()

	// → at the end of the line accepts.
	s.typeText("git st")
	s.press("M-i")
	s.waitFor(tmuxPrompt + "git status")
	s.press("Right")
	s.waitBuffer("git status")
	s.clearLine()

	// A rewrite shows the whole new line after an arrow; typing on dismisses it.
	s.typeText("git stats")
	s.press("M-i")
	s.waitFor(tmuxPrompt + "git stats  → git status")
	s.typeText("x")
	s.waitUntil(func(scr string) bool { return !strings.Contains(scr, "→") }, "the ghost text to go")
	s.waitBuffer("git statsx")
	s.clearLine()

	// A key pressed while the request runs does not accept the suggestion that comes later.
	srv.Repeat(llmtest.Step{Chunks: []string{"git ", "status"}, FirstDelay: 300 * time.Millisecond})
	s.typeText("git st")
	s.press("Left", "M-i", "End")
	s.waitFor(tmuxPrompt + "git status")
	if got := s.buffer(); got != "git st" {
		t.Errorf("a suggestion that arrived after End was accepted: the line is %q", got)
	}
	s.clearLine()
	srv.Repeat(llmtest.Step{Chunks: []string{"git ", "status"}})

	// Enter with ghost text shown runs the line as typed, and the ghost text is not left on
	// screen.
	s.typeText("echo hi")
	s.press("M-i")
	s.waitFor("→ git status")
	s.press("Enter")
	s.waitFor("\nhi\n")
	if scr := s.screen(); strings.Contains(scr, "→") {
		t.Errorf("ghost text left on screen after Enter:\n%s", scr)
	}
	if withPlugin {
		t.Log("zsh-autosuggestions loaded")
	}
}

// TestInitKeys checks that a key already bound is never taken (one notice instead), that
// SPARK_SUGGEST_KEY chooses another key, and that loading the init twice is quiet.
func TestInitKeys(t *testing.T) {
	for _, sh := range []string{"zsh", "bash", "fish"} {
		t.Run(sh, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewServer(t, llmtest.Step{Chunks: []string{"git status"}})
			env := map[string]string{"OPENAI_BASE_URL": srv.URL(), "OPENAI_API_KEY": "sk-test", "SPARK_MODEL": "gpt-test"}
			var own, other string
			switch sh {
			case "zsh":
				own = "bindkey -M emacs '^[i' backward-word\nbindkey -M viins '^[i' backward-word"
				other = "export SPARK_SUGGEST_KEY=alt-m"
			case "bash":
				own = `bind -m emacs '"\ei": backward-word'` + "\n" + `bind -m vi-insert '"\ei": backward-word'`
				other = "export SPARK_SUGGEST_KEY=alt-m"
			case "fish":
				own = "bind \\ei backward-word\nbind -M insert \\ei backward-word"
				other = "set -gx SPARK_SUGGEST_KEY alt-m"
			}
			rc := own + "\n" + initRC(sh) + "\n" + other + "\n" + initRC(sh) + "\n" + initRC(sh)
			s := startTmux(t, sh, env, rc)
			scr := s.screen()
			if n := strings.Count(scr, "spark: alt-i is already bound to"); n != 1 {
				t.Fatalf("%s: %d notices about alt-i, want 1; the screen shows:\n%s", sh, n, scr)
			}
			if !strings.Contains(scr, "backward-word") || strings.Contains(scr, "alt-m is already") {
				t.Errorf("%s: the notice does not name the binding, or alt-m was reported:\n%s", sh, scr)
			}
			// alt-i still does what the user bound it to.
			s.typeText("git st")
			s.press("M-i")
			s.typeText("X")
			s.waitBuffer("git Xst")
			if n := len(srv.Requests()); n != 0 {
				t.Fatalf("%s: alt-i reached spark (%d requests) though it was bound before", sh, n)
			}
			s.clearLine()
			// alt-m, chosen with SPARK_SUGGEST_KEY, asks spark.
			s.typeText("git st")
			s.press("M-m")
			s.waitFor(tmuxPrompt + "git status")
		})
	}
}

func TestInitCommand(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir()}
	for _, sh := range []string{"zsh", "bash", "fish"} {
		code, out, errOut := runSpark(context.Background(), t, env, "init", sh)
		if code != 0 || errOut != "" {
			t.Fatalf("spark init %s = %d, stderr %q", sh, code, errOut)
		}
		comp, _, _ := runSparkOut(t, env, "completion", sh)
		if !strings.HasSuffix(out, comp) {
			t.Errorf("spark init %s does not end with the completion script", sh)
		}
		path := testenv.LookPath(t, sh)
		// The whole output is valid shell.
		check := exec.Command(path, "-n")
		if sh == "fish" {
			check = exec.Command(path, "--no-execute")
		}
		check.Stdin = strings.NewReader(out)
		var stderr bytes.Buffer
		check.Stderr = &stderr
		if err := check.Run(); err != nil {
			t.Errorf("%s -n on spark init %s: %v\n%s", sh, sh, err, stderr.String())
		}
	}
	env["SPARK_SUGGEST_KEY"] = "alt-;"
	if code, _, errOut := runSpark(context.Background(), t, env, "init", "zsh"); code != ExitFailure || !strings.Contains(errOut, "SPARK_SUGGEST_KEY") {
		t.Errorf("spark init with a bad key = %d, %q; want exit 1 naming SPARK_SUGGEST_KEY", code, errOut)
	}
	for _, args := range [][]string{{"init"}, {"init", "tcsh"}, {"init", "zsh", "bash"}} {
		if code, _, _ := runSpark(context.Background(), t, env, args...); code != ExitUsage {
			t.Errorf("spark %s = exit %d, want %d", strings.Join(args, " "), code, ExitUsage)
		}
	}
}

func runSparkOut(t *testing.T, env map[string]string, args ...string) (string, int, string) {
	t.Helper()
	code, out, errOut := runSpark(context.Background(), t, env, args...)
	return out, code, errOut
}

// TestInitZshUserOptions: the zsh integration loads under options users commonly set
// (ksharrays, nounset with no locale variables): the widget and the completion are registered
// and nothing is printed.
func TestInitZshUserOptions(t *testing.T) {
	zsh := testenv.LookPath(t, "zsh")
	home := t.TempDir()
	script := `autoload -Uz compinit; compinit -u -d ` + home + `/.zcd; eval "$(spark init zsh)"; whence -w spark-suggest; print -r -- ${_comps[spark]-unset}`
	for _, opt := range []string{"ksharrays", "nounset"} {
		cmd := exec.Command(zsh, "-f", "-i", "-o", opt, "-c", script)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TERM=xterm"}
		out, err := cmd.CombinedOutput()
		if got, want := string(out), "spark-suggest: function\n_spark\n"; err != nil || got != want {
			t.Errorf("zsh -o %s: eval \"$(spark init zsh)\" printed %q (%v), want %q", opt, got, err, want)
		}
	}
}
