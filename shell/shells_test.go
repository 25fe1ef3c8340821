package shell

import (
	"github.com/spark-cli/spark/internal/testenv"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// These tests run `spark shell` with the real bash, zsh and fish and check what it records.

func TestFailingCommandRecorded(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		os.Mkdir(filepath.Join(s.home, "work"), 0o700)
		s.run(1, "cd work")
		before := time.Now()
		r := s.run(2, "ls no-such-file")
		if r.Command != "ls no-such-file" || r.Cwd != filepath.Join(s.home, "work") || r.Status != 2 {
			t.Errorf("record = %q in %q, status %d; want %q in %q, status 2", r.Command, r.Cwd, r.Status, "ls no-such-file", filepath.Join(s.home, "work"))
		}
		if !strings.Contains(r.Output, "No such file or directory") || strings.Contains(r.Output, "\x1b") || strings.Contains(r.Output, testPrompt) {
			t.Errorf("output = %q, want only ls's error", r.Output)
		}
		// Start and end are taken when spark reads the marks: a quick command may take 0s.
		if r.Start.Before(before.Add(-time.Second)) || r.Duration < 0 || r.Duration > waitTime {
			t.Errorf("start %v (typed at %v), duration %v", r.Start, before, r.Duration)
		}
		r = s.run(3, "echo fine")
		if r.Output != "fine" || r.Status != 0 {
			t.Errorf("echo fine recorded as %q, status %d", r.Output, r.Status)
		}
		s.send("exit\r")
		if st := s.wait(); st != 0 {
			t.Errorf("exit status %d, want 0", st)
		}
		if m, _ := filepath.Glob(filepath.Join(s.rundir, "spark", "*")); len(m) != 0 {
			t.Errorf("session directory left behind: %v", m)
		}
	})
}

func TestPipelinesAndMultiLine(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		r := s.run(1, "printf 'a\\nb\\nb\\n' | grep -c b")
		if r.Command != `printf 'a\nb\nb\n' | grep -c b` || r.Output != "2" || r.Status != 0 {
			t.Errorf("pipeline recorded as %q: %q, status %d", r.Command, r.Output, r.Status)
		}
		r = s.run(2, "true | false")
		if r.Status != 1 {
			t.Errorf("true | false: status %d, want 1", r.Status)
		}
		loop := []string{"for i in 1 2", "do echo n$i", "done"}
		if sh == "fish" {
			loop = []string{"for i in 1 2", "echo n$i", "end"}
		}
		r = s.run(3, strings.Join(loop, "\r"))
		if !strings.HasPrefix(r.Command, "for i in 1 2") || !strings.Contains(r.Command, "n$i") || r.Output != "n1\nn2" {
			t.Errorf("loop recorded as %q: %q", r.Command, r.Output)
		}
		r = s.run(4, "echo \"first\rsecond\"")
		if r.Command != "echo \"first\nsecond\"" || r.Output != "first\nsecond" {
			t.Errorf("quoted newline recorded as %q: %q", r.Command, r.Output)
		}
	})
}

func TestCdInCompoundCommand(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		r := s.run(1, "mkdir -p sub && cd sub && false")
		if r.Cwd != s.home || r.Status != 1 {
			t.Errorf("recorded in %q, status %d; want %q, 1", r.Cwd, r.Status, s.home)
		}
		r = s.run(2, "pwd")
		if r.Cwd != filepath.Join(s.home, "sub") || r.Output != filepath.Join(s.home, "sub") {
			t.Errorf("next command recorded in %q printing %q, want both %q", r.Cwd, r.Output, filepath.Join(s.home, "sub"))
		}
		if sh != "fish" {
			r = s.run(3, "(cd / && ls no-such-file)")
			if r.Command != "(cd / && ls no-such-file)" || r.Cwd != filepath.Join(s.home, "sub") || r.Status != 2 || !strings.Contains(r.Output, "no-such-file") {
				t.Errorf("subshell recorded as %q in %q, status %d: %q", r.Command, r.Cwd, r.Status, r.Output)
			}
		}
	})
}

func TestCtrlC(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		s.send("half a line")
		s.expect("line")
		s.interrupt()
		// Ctrl-C on an empty line: fish draws nothing, bash and zsh a new prompt.
		if sh == "fish" {
			s.send("\x03")
		} else {
			s.interrupt()
		}
		s.send("echo st''art; sleep 30\r")
		s.expect("start")
		s.waitProcess("sleep")
		s.send("\x03")
		recs := s.records(1)
		if r := recs[0]; r.Command != "echo st''art; sleep 30" || r.Status != 130 || r.Duration > waitTime {
			t.Errorf("interrupted command recorded as %q, status %d after %v; want status 130", r.Command, r.Status, r.Duration)
		} else if sh != "fish" && !strings.HasPrefix(r.Output, "start") {
			// fish runs a line typed right after Ctrl-C without fish_preexec; its output is lost.
			t.Errorf("interrupted command's output = %q, want start", r.Output)
		}
		s.expect(testPrompt)
		r := s.run(2, "echo after")
		if r.Command != "echo after" || r.Output != "after" {
			t.Errorf("command after Ctrl-C recorded as %q: %q\n%s", r.Command, r.Output, dumpRecords(s.records(2)))
		}
	})
}

func TestExitMidway(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		s.run(1, "echo one")
		s.send("echo bye; exit 7; echo never\r")
		if st := s.wait(); st != 7 {
			t.Errorf("spark exited %d, want 7", st)
		}
		if out := s.output(); !strings.Contains(out, "bye\r\n") || strings.Contains(out[strings.Index(out, "bye\r\n"):], "never") {
			t.Errorf("terminal:\n%s", out)
		}
	})
}

func TestPrivateCommand(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		s.run(1, "echo public")
		s.send(" echo private-words\r")
		s.expect("private-words\r\n")
		s.run(2, "echo public2")
		recs := s.records(2)
		for _, r := range recs {
			if strings.Contains(r.Command+r.Output, "private") {
				t.Errorf("private command recorded: %s", dumpRecords(recs))
			}
		}
	})
}

func TestUserHooksPreserved(t *testing.T) {
	rc := map[string]string{
		// A DEBUG trap and PROMPT_COMMAND as a string; both must still run and see $? and
		// $BASH_COMMAND as they would without spark.
		"bash": `trap '__dbg_last=$BASH_COMMAND' DEBUG
PROMPT_COMMAND='__pc_status=$?'`,
		"zsh": `precmd() { __pc_status=$? }
__user_preexec() { __dbg_last=$1 }
preexec_functions+=(__user_preexec)`,
		"fish": `function __user_post --on-event fish_postexec; set -g __pc_status $status; end
function __user_pre --on-event fish_preexec; set -g __dbg_last $argv[1]; end`,
	}
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{rc: rc[sh]})
		if r := s.run(1, "false"); r.Status != 1 {
			t.Errorf("false recorded with status %d", r.Status)
		}
		r := s.run(2, `echo "pc=$__pc_status dbg=$__dbg_last"`)
		if want := `pc=1 dbg=echo "pc=$__pc_status dbg=$__dbg_last"`; r.Output != want {
			t.Errorf("user hooks saw %q, want %q", r.Output, want)
		}
	})
}

func TestBashPromptCommandArray(t *testing.T) {
	shellPath(t, "bash")
	t.Parallel()
	s := start(t, "bash", opts{rc: `PROMPT_COMMAND=('__pc_a=$?' '__pc_b=ran')
trap 'echo "dbg $? $BASH_COMMAND" >>~/dbg.log' DEBUG`})
	s.run(1, "(exit 3)")
	r := s.run(2, `echo "a=$__pc_a b=$__pc_b"`)
	if r.Output != "a=3 b=ran" {
		t.Errorf("PROMPT_COMMAND array saw %q, want a=3 b=ran", r.Output)
	}
	if rec := s.records(1)[0]; rec.Status != 3 {
		t.Errorf("(exit 3) recorded with status %d", rec.Status)
	}
	// A trap set at the prompt replaces spark's; spark chains it again.
	s.run(3, `trap 'echo "new $BASH_COMMAND" >>~/dbg2.log' DEBUG`)
	s.run(4, "echo x")
	r = s.run(5, "echo y")
	if r.Command != "echo y" {
		t.Errorf("after the user replaced the DEBUG trap: recorded %q", r.Command)
	}
	log, _ := os.ReadFile(filepath.Join(s.home, "dbg.log"))
	if !strings.Contains(string(log), "dbg 3 echo \"a=$__pc_a b=$__pc_b\"") {
		t.Errorf("user's DEBUG trap log:\n%s", log)
	}
	log, _ = os.ReadFile(filepath.Join(s.home, "dbg2.log"))
	if !strings.Contains(string(log), "new echo y") {
		t.Errorf("user's second DEBUG trap log:\n%s", log)
	}
	r = s.run(6, `echo "$PS1|${PROMPT_COMMAND[*]}"`)
	if r.Output != testPrompt+"|__spark_precmd __pc_a=$? __pc_b=ran" {
		t.Errorf("PS1|PROMPT_COMMAND = %q", r.Output)
	}
}

func TestBashHistControl(t *testing.T) {
	shellPath(t, "bash")
	t.Parallel()
	s := start(t, "bash", opts{rc: "HISTCONTROL=ignoreboth"})
	s.run(1, "echo same")
	s.run(2, "echo same")
	s.send(" echo private-words\r")
	s.expect("private-words\r\n")
	r := s.run(3, "history; echo $HISTCONTROL")
	if strings.Contains(r.Output, "private") || strings.Count(r.Output, "echo same") != 1 || !strings.HasSuffix(r.Output, "ignoreboth") {
		t.Errorf("history and HISTCONTROL:\n%s", r.Output)
	}
	recs := s.records(3)
	if len(recs) != 3 || recs[0].Command != "echo same" || recs[1].Command != "echo same" {
		t.Errorf("records:\n%s", dumpRecords(recs))
	}
	// A private command the same as the last one is still private.
	s.send(" echo same\r")
	r = s.run(4, "echo last")
	if r.Command != "echo last" {
		t.Errorf("records:\n%s", dumpRecords(s.records(4)))
	}
}

func TestWidgetsAndCompletionIgnored(t *testing.T) {
	rc := map[string]string{
		"bash": `__w() { READLINE_LINE="echo from-widget"; READLINE_POINT=${#READLINE_LINE}; }
bind -x '"\C-t": __w'`,
		"zsh": `__w() { BUFFER="echo from-widget"; CURSOR=$#BUFFER; }
zle -N __w; bindkey '^T' __w`,
		"fish": `bind \ct 'commandline "echo from-widget"'`,
	}
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{rc: rc[sh]})
		os.WriteFile(filepath.Join(s.home, "unique-file-name.txt"), nil, 0o600)
		s.send("ls uniq\t")
		s.expect("file-name")
		r := s.run(1, "")
		if strings.TrimSpace(r.Command) != "ls unique-file-name.txt" {
			t.Errorf("completed command recorded as %q", r.Command)
		}
		s.send("\x14")
		s.expect("from-widget")
		r = s.run(2, "")
		if r.Command != "echo from-widget" || r.Output != "from-widget" {
			t.Errorf("widget's command recorded as %q: %q\n%s", r.Command, r.Output, dumpRecords(s.records(2)))
		}
	})
}

func TestAlternateScreenLeftOut(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		r := s.run(1, `printf 'before\n\033[?1049hON-ALT-SCREEN\033[?1049lafter\n'`)
		if r.Output != "before\nafter" {
			t.Errorf("output = %q, want before and after only", r.Output)
		}
		os.WriteFile(filepath.Join(s.home, "doc.txt"), []byte("paged-content-line\n"), 0o600)
		s.send("less doc.txt\r")
		s.expect("paged-content-line")
		s.send("q")
		r = s.records(2)[1]
		if r.Command != "less doc.txt" || strings.Contains(r.Output, "paged-content") {
			t.Errorf("less recorded as %q: %q", r.Command, r.Output)
		}
	})
}

func TestEchoOffInputNotRecorded(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		line := `read -s x; echo "got:$x"`
		if sh == "fish" {
			// fish reads with its own line editor and draws a mask: the echo flag never changes.
			line = `read -s -p "echo pass''word:" x; echo "got:$x"`
		}
		s.send(line + "\r")
		if sh == "fish" {
			s.expect("password:")
		} else {
			s.waitEchoOff()
		}
		s.send("hunter2-typed\r")
		r := s.records(1)[0]
		if strings.Contains(r.Output+r.Command, "hunter2") {
			t.Errorf("secret typed with echo off was recorded: %q", r.Output)
		}
		// fish's prompt line stays in the output; the value never does.
		if r.Output != "got:[REDACTED]" && (sh != "fish" || !strings.HasSuffix(r.Output, "\ngot:[REDACTED]")) {
			t.Errorf("output = %q, want got:[REDACTED]", r.Output)
		}
		s.expect("got:hunter2-typed") // the terminal shows it
		// A later command that prints it is redacted too.
		if r := s.run(2, `echo "again:$x"`); r.Output != "again:[REDACTED]" {
			t.Errorf("later output = %q, want again:[REDACTED]", r.Output)
		}
	})
}

func TestSecretsRedacted(t *testing.T) {
	token := "ghp_" + strings.Repeat("Ab3d", 9)
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{env: []string{"MY_SERVICE_TOKEN=s3rv1ce-value"}})
		r := s.run(1, "echo "+token+" password=hunter22 $MY_SERVICE_TOKEN")
		if r.Output != "[REDACTED] password=[REDACTED] [REDACTED]" {
			t.Errorf("output = %q", r.Output)
		}
		if r.Command != "echo [REDACTED] password=[REDACTED] $MY_SERVICE_TOKEN" {
			t.Errorf("command = %q", r.Command)
		}
		s.expect(token + " password=hunter22 s3rv1ce-value") // the terminal shows them
	})
}

func TestResizeReachesInnerProgram(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{size: &pty.Winsize{Rows: 30, Cols: 90}})
		if r := s.run(1, "stty size"); r.Output != "30 90" {
			t.Errorf("initial size %q, want 30 90", r.Output)
		}
		if err := pty.Setsize(s.pty, &pty.Winsize{Rows: 40, Cols: 100}); err != nil {
			t.Fatal(err)
		}
		// SIGWINCH reaches spark asynchronously: ask until the new size shows.
		for i := 2; ; i++ {
			r := s.run(i, "stty size; tput cols")
			if r.Output == "40 100\n100" {
				break
			}
			if i > 50 {
				t.Fatalf("size after resize %q, want 40 100", r.Output)
			}
		}
	})
}

func TestExitStatus(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		pid := "$$"
		if sh == "fish" {
			pid = "$fish_pid"
		}
		for _, tt := range []struct {
			cmd  string
			want int
		}{
			{"exit 42", 42},
			{"true", 0},
			{"kill -TERM " + pid, 143},
			{"kill -KILL " + pid, 137},
		} {
			s := start(t, sh, opts{args: []string{"shell", "-c", tt.cmd}})
			if st := s.wait(); st != tt.want {
				t.Errorf("spark shell -c %q: status %d, want %d", tt.cmd, st, tt.want)
			}
		}
		s := start(t, sh, opts{})
		s.send("kill -KILL " + pid + "\r")
		if st := s.wait(); st != 137 {
			t.Errorf("interactive shell killed: spark status %d, want 137", st)
		}
	})
}

func TestExecRedirect(t *testing.T) {
	for _, sh := range []string{"bash", "zsh"} { // fish has no exec with only redirections
		t.Run(sh, func(t *testing.T) {
			shellPath(t, sh)
			t.Parallel()
			s := start(t, sh, opts{})
			s.run(1, `exec >"$HOME/out.txt"`)
			r := s.run(2, "echo to-file; echo to-terminal >&2")
			if r.Output != "to-terminal" || r.Command != "echo to-file; echo to-terminal >&2" {
				t.Errorf("after exec >file: recorded %q: %q", r.Command, r.Output)
			}
			// zsh's line editor writes keypad modes to stdout on its own; spark's marks
			// must not end up there.
			b, _ := os.ReadFile(filepath.Join(s.home, "out.txt"))
			if !strings.Contains(string(b), "to-file\n") || strings.Contains(string(b), "6973") {
				t.Errorf("out.txt = %q, want the command's output and no marks", b)
			}
		})
	}
}

func TestForgedMarkPassesThrough(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		forged := "\x1b]6973;0123456789abcdef;E;0\a\x1b]6973;0123456789abcdef;S;/;rm -rf /\a"
		r := s.run(1, `printf '\033]6973;0123456789abcdef;E;0\007\033]6973;0123456789abcdef;S;/;rm -rf /\007after\n'`)
		s.expect(forged + "after\r\n") // the terminal gets them byte for byte
		if r.Output != "after" || r.Status != 0 || !strings.HasPrefix(r.Command, "printf") {
			t.Errorf("recorded %q: %q, status %d", r.Command, r.Output, r.Status)
		}
		if recs := s.run(2, "echo next"); recs.Command != "echo next" {
			t.Errorf("next command recorded as %q", recs.Command)
		}
	})
}

func TestBigOutputBounded(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		var b strings.Builder
		for i := range 200000 {
			fmt.Fprintf(&b, "line %06d of a big file\n", i)
		}
		os.WriteFile(filepath.Join(s.home, "big.txt"), []byte(b.String()), 0o600)
		r := s.run(1, "cat big.txt")
		if !r.Truncated || len(r.Output) > headKeep+tailKeep+100 {
			t.Errorf("big output: %d bytes, truncated %v", len(r.Output), r.Truncated)
		}
		if !strings.HasPrefix(r.Output, "line 000000 of a big file\n") || !strings.HasSuffix(r.Output, "line 199999 of a big file") ||
			!strings.Contains(r.Output, " bytes of output left out ...]\n") {
			t.Errorf("big output lacks its head, tail or marker")
		}
		s.expect("line 199999 of a big file\r\n") // the terminal gets the whole file
	})
}

func TestJobControl(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		s.send("sleep 30\r")
		s.waitProcess("sleep")
		s.send("\x1a")
		s.expect(testPrompt)
		s.send("fg\r")
		s.eventually("sleep to be in the foreground again", func() bool { return s.foregroundIs("sleep") })
		s.send("\x03")
		s.expect(testPrompt)
		s.run(3, "echo done")
		recs := s.records(3)
		// fish reports a stopped job with status 0 and an interrupted fg with fg's own.
		if recs[0].Command != "sleep 30" || recs[1].Command != "fg" || sh != "fish" && (recs[0].Status != 148 || recs[1].Status != 130) {
			t.Errorf("records:\n%s", dumpRecords(recs))
		}
	})
}

func TestBackgroundJobDoesNotHoldExit(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{args: []string{"shell", "-c", "sleep 20 & echo started"}})
		begin := time.Now()
		if st := s.wait(); st != 0 {
			t.Errorf("status %d", st)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Errorf("spark took %v to exit with a background job holding the pty", d)
		}
		s = start(t, sh, opts{})
		s.send("sleep 20 &\r")
		s.expect(testPrompt)
		s.send("exit\r")
		if sh != "bash" {
			s.send("exit\r") // zsh and fish warn about the job the first time
		}
		s.wait()
	})
}

func TestNoTerminal(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		cmd := exec.Command(spark(t), "shell", "-c", "cat; exit 3")
		home := t.TempDir()
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + home, "SHELL=" + shellPath(t, sh), "XDG_RUNTIME_DIR=" + home}
		cmd.Stdin = strings.NewReader("piped input\n")
		out, err := cmd.Output()
		if st := cmd.ProcessState.ExitCode(); st != 3 || !strings.Contains(string(out), "piped input") {
			t.Errorf("spark shell -c without a terminal: status %d (%v), output %q", st, err, out)
		}
	})
}

func TestNestedRunsPlainShell(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		dir := s.sessionDir()
		r := s.run(1, `spark shell -c 'echo "inner:$SPARK_SESSION"'`)
		if r.Output != "inner:"+dir {
			t.Errorf("nested spark shell printed %q, want inner:%s", r.Output, dir)
		}
		if m, _ := filepath.Glob(filepath.Join(s.rundir, "spark", "*")); len(m) != 1 {
			t.Errorf("a nested spark shell made its own session: %v", m)
		}
		s.send("spark shell\r")
		s.expect(testPrompt)
		r = s.run(2, "exit 4")
		if r.Command != "spark shell" || r.Status != 4 {
			t.Errorf("nested interactive shell recorded as %q, status %d", r.Command, r.Status)
		}
	})
}

func TestOtherShellRunsPlainly(t *testing.T) {
	sh := shellPath(t, "dash")
	t.Parallel()
	s := start(t, "bash", opts{quiet: true, env: []string{"SHELL=" + sh, "PS1=dash> "}})
	s.expect("is not bash, zsh or fish; running it without recording")
	s.expect("dash> ")
	s.send("echo $SPARK_SESSION; exit 5\r")
	if st := s.wait(); st != 5 {
		t.Errorf("status %d, want 5", st)
	}
}

func TestTerminalRestored(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			shellPath(t, "bash")
			t.Parallel()
			s := start(t, "bash", opts{})
			if tio, _ := s.outerTermios(); tio.Lflag&unix.ICANON != 0 {
				t.Fatal("terminal not in raw mode while the shell runs")
			}
			s.send("sleep 30\r")
			s.waitProcess("sleep")
			s.cmd.Process.Signal(sig)
			if st := s.wait(); st != 129 {
				t.Errorf("after %v: status %d, want 129 (the shell hung up)", sig, st)
			}
			tio, err := s.outerTermios()
			if err != nil || tio.Lflag&unix.ICANON == 0 || tio.Lflag&unix.ECHO == 0 {
				t.Errorf("terminal not restored after %v: %v", sig, err)
			}
		})
	}
}

// TestScreenUnchanged runs spark shell in tmux and looks at the screen a user sees: prompts and
// output exactly as the shell drew them, nothing of spark's marks.
func TestScreenUnchanged(t *testing.T) {
	tmux := testenv.LookPath(t, "tmux")
	eachShell(t, func(t *testing.T, sh string) {
		home := t.TempDir()
		run := filepath.Join(home, "run")
		os.Mkdir(run, 0o700)
		writeRC(t, sh, home, "")
		sock := filepath.Join(home, "tmux.sock")
		tm := func(args ...string) string {
			t.Helper()
			out, err := exec.Command(tmux, append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("tmux %v: %v\n%s", args, err, out)
			}
			return string(out)
		}
		tm("new-session", "-d", "-x", "80", "-y", "12", "env", "-i", "HOME="+home, "SHELL="+shellPath(t, sh),
			"PATH="+filepath.Dir(spark(t))+":/usr/bin:/bin", "TERM=tmux-256color", "LANG=C.UTF-8",
			"XDG_RUNTIME_DIR="+run, spark(t), "shell")
		t.Cleanup(func() {
			// Let the shell and spark end, so that spark removes its session directory
			// before the test's temporary directory goes.
			exec.Command(tmux, "-S", sock, "send-keys", "-l", "exit\r").Run()
			deadline := time.Now().Add(waitTime)
			for exec.Command(tmux, "-S", sock, "has-session").Run() == nil && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			exec.Command(tmux, "-S", sock, "kill-server").Run()
		})
		screen := func(want string) string {
			t.Helper()
			deadline := time.Now().Add(waitTime)
			for {
				s := tm("capture-pane", "-p")
				if strings.Contains(s, want) {
					return s
				}
				if time.Now().After(deadline) {
					t.Fatalf("screen never showed %q:\n%s", want, s)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		prompt := strings.TrimSpace(testPrompt) // capture-pane drops trailing blanks
		screen(prompt)
		tm("send-keys", "-l", "echo one; ls no-such-file\r")
		screen("No such file or directory\n" + prompt) // typed before the prompt, a line is echoed twice
		tm("send-keys", "-l", "printf 'two\\n'\r")
		got := screen("two\n" + prompt)
		lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
		want := []string{
			testPrompt + "echo one; ls no-such-file",
			"one",
			"ls: cannot access 'no-such-file': No such file or directory",
			testPrompt + "printf 'two\\n'",
			"two",
			prompt,
		}
		if strings.TrimRight(strings.Join(lines, "\n"), " ") != strings.Join(want, "\n") {
			t.Errorf("screen:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
		}
	})
}

func TestLoginShell(t *testing.T) {
	files := map[string]string{
		"bash": ".bash_profile",
		"zsh":  ".zprofile",
		"fish": ".config/fish/conf.d/login.fish",
	}
	text := map[string]string{
		"bash": "LOGIN_MARK=profile\n. ~/.bashrc\n",
		"zsh":  "LOGIN_MARK=profile\n",
		"fish": "status is-login; and set -g LOGIN_MARK profile\n",
	}
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{args: []string{"shell", "--login"}, setup: func(home string) {
			path := filepath.Join(home, files[sh])
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(text[sh]), 0o600)
		}})
		if r := s.run(1, "echo $LOGIN_MARK"); r.Output != "profile" {
			t.Errorf("login shell: LOGIN_MARK = %q, want profile", r.Output)
		}
	})
}

func TestZshUserZdotdir(t *testing.T) {
	shellPath(t, "zsh")
	t.Parallel()
	var zdot string
	s := start(t, "zsh", opts{setup: func(home string) {
		zdot = filepath.Join(home, "zdot")
		os.Mkdir(zdot, 0o700)
		os.WriteFile(filepath.Join(zdot, ".zshenv"), []byte("ENV_MARK=$ZDOTDIR\n"), 0o600)
		os.WriteFile(filepath.Join(zdot, ".zshrc"), []byte("PROMPT='"+testPrompt+"'\nRC_MARK=$ZDOTDIR\n"), 0o600)
	}, env: []string{"ZDOTDIR={HOME}/zdot"}})
	r := s.run(1, `echo "$ZDOTDIR|$ENV_MARK|$RC_MARK|${(t)ZDOTDIR}"`)
	if want := zdot + "|" + zdot + "|" + zdot + "|scalar-export"; r.Output != want {
		t.Errorf("ZDOTDIR as the user's files saw it: %q, want %q", r.Output, want)
	}
	r = s.run(2, `zsh -ic 'echo "$RC_MARK"'`)
	if r.Output != zdot {
		t.Errorf("a zsh started inside read %q, want the user's .zshrc", r.Output)
	}
}

func TestZshWithoutZdotdir(t *testing.T) {
	shellPath(t, "zsh")
	t.Parallel()
	s := start(t, "zsh", opts{})
	if r := s.run(1, `echo "${ZDOTDIR-unset}|${SPARK_SHELL_NONCE-none}"`); r.Output != "unset|none" {
		t.Errorf("ZDOTDIR and nonce in the shell: %q, want unset|none", r.Output)
	}
}

func TestOutputWithoutNewline(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		// zsh marks the missing newline (PROMPT_SP) before its precmd hooks run; that is not
		// the command's output.
		if r := s.run(1, "printf 'no newline'"); r.Output != "no newline" {
			t.Errorf("output = %q, want %q", r.Output, "no newline")
		}
		if r := s.run(2, `printf 'a\nb'`); r.Output != "a\nb" {
			t.Errorf("output = %q, want %q", r.Output, "a\nb")
		}
	})
}

func TestBinaryOutput(t *testing.T) {
	shellPath(t, "bash")
	t.Parallel()
	s := start(t, "bash", opts{})
	r := s.run(1, `head -c 3000 /bin/sh; printf '\nok \xff\xfe done\n' >&2`)
	if !strings.HasPrefix(r.Output, "[binary output, ") {
		t.Errorf("binary output recorded as %.200q", r.Output)
	}
	r = s.run(2, `printf 'caf\xc3\xa9 \xff ok\n'`)
	if r.Output != "café \ufffd ok" {
		t.Errorf("invalid UTF-8 recorded as %q", r.Output)
	}
}

func TestVimLeftOut(t *testing.T) {
	shellPath(t, "bash")
	testenv.LookPath(t, "vim")
	t.Parallel()
	s := start(t, "bash", opts{})
	os.WriteFile(filepath.Join(s.home, "notes.txt"), []byte("edited-in-vim\n"), 0o600)
	s.send("vim -u NONE -N notes.txt\r")
	s.expect("edited-in-vim")
	s.send(":q\r")
	r := s.records(1)[0]
	if r.Command != "vim -u NONE -N notes.txt" || strings.Contains(r.Output, "edited-in-vim") || r.Status != 0 {
		t.Errorf("vim recorded as %q: %q, status %d", r.Command, r.Output, r.Status)
	}
}

// TestNoForkPerPrompt checks that the hooks start no process: a shell's children's page faults
// (cminflt in /proc/PID/stat) grow with every child it waits for, and stay put over many prompts
// and builtins.
func TestNoForkPerPrompt(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{})
		s.run(1, "cd .")
		pid := s.shellPid()
		before := s.procStat(pid)[8]
		for i := 2; i <= 21; i++ {
			s.send("\r") // an empty line: a prompt and nothing else
			s.run(i, fmt.Sprintf("echo %d; cd .", i))
		}
		after := s.procStat(pid)[8]
		if after != before {
			t.Errorf("the shell's children page faults went from %s to %s: a process was started", before, after)
		}
		// The probe itself: an external command does show.
		s.run(22, "/bin/true")
		if s.procStat(pid)[8] == after {
			t.Error("running /bin/true did not change the children's page faults; the probe sees nothing")
		}
	})
}
