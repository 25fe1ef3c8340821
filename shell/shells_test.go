package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		if r.Start.Before(before.Add(-time.Second)) || r.Duration <= 0 || r.Duration > waitTime {
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
		// fish redraws nothing when Ctrl-C empties an already drawn line; bash and zsh
		// print a new prompt.
		s.send("half a line\x03")
		if sh != "fish" {
			s.expect(testPrompt)
		}
		s.send("\x03")
		if sh != "fish" {
			s.expect(testPrompt)
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
			// fish reads with its own line editor and draws a mask; the value is not echoed.
			line = `read -s -p "echo pass''word:" x; echo "len:"(string length $x)`
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
		if sh != "fish" && r.Output != "got:[REDACTED]" {
			t.Errorf("output = %q, want got:[REDACTED]", r.Output)
		}
		if out := s.output(); sh != "fish" && !strings.Contains(out, "got:hunter2-typed") {
			t.Errorf("the terminal did not show the value:\n%s", out)
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
		if out := s.output(); !strings.Contains(out, token) || !strings.Contains(out, "s3rv1ce-value") {
			t.Error("the terminal did not show the token")
		}
	})
}
