package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"

	"github.com/spark-cli/spark/llm/llmtest"
)

func init() { suites["suggest"] = runSuggestBench }

const (
	suggestRuns     = 30
	suggestSession  = 20 // suggestions in one session, for the connection count
	suggestPrompt   = "bench> "
	suggestKeyAltI  = "\x1bi"
	suggestWaitTime = 10 * time.Second
)

// runSuggestBench measures the inline suggestion against a local streaming server: key press to
// suggestion on screen in zsh (and bash and fish), minus the server's own time; the upstream
// connections 20 suggestions open with and without a spark shell session; and process start to
// request at the server, with curl as the baseline in the same run.
func runSuggestBench(ctx context.Context, _ []string) error {
	work, bin, err := workspace(ctx, "suggest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	t := &table{width: 72}
	add := t.add

	// Key press to suggestion on screen, the headline figure: zsh inside spark shell, as set up
	// by eval "$(spark init zsh)"; then the shells without a session.
	for _, c := range []struct {
		sh      string
		session bool
		target  string
	}{
		{"zsh", true, "≤ 20 ms"},
		{"zsh", false, ""},
		{"bash", true, ""},
		{"fish", true, ""},
	} {
		if _, err := exec.LookPath(c.sh); err != nil {
			add(fmt.Sprintf("key → suggestion on screen, %s: skipped", c.sh), c.sh+" not installed", c.target)
			continue
		}
		over, total, err := measureKeyToScreen(ctx, bin, work, c.sh, c.session)
		if err != nil {
			return fmt.Errorf("key to screen in %s: %w", c.sh, err)
		}
		where := "in spark shell"
		if !c.session {
			where = "without a session"
		}
		add(fmt.Sprintf("key → suggestion on screen, %s %s, minus server time (median of %d)", c.sh, where, suggestRuns),
			fmtMs(median(over)), c.target)
		add(fmt.Sprintf("key → suggestion on screen, %s %s, total (median)", c.sh, where), fmtMs(median(total)), "")
	}

	for _, session := range []bool{true, false} {
		n, err := sessionConnections(ctx, bin, work, session)
		if err != nil {
			return fmt.Errorf("connections: %w", err)
		}
		name, target := fmt.Sprintf("upstream connections for %d suggestions in one spark shell session", suggestSession), "1"
		if !session {
			name, target = fmt.Sprintf("upstream connections for %d suggestions without a session", suggestSession), "baseline"
		}
		add(name, fmt.Sprint(n), target)
	}

	sparkStart, relayStart, curlStart, err := measureSuggestStart(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("request start: %w", err)
	}
	add(fmt.Sprintf("spark suggest start → request at server (median of %d)", suggestRuns), fmtMs(median(sparkStart)), "≤ 10 ms")
	add("spark suggest start → request at server, through the session relay (median)", fmtMs(median(relayStart)), "")
	add("curl start → request at server (median)", fmtMs(median(curlStart)), "baseline")

	const rtt = 30 * time.Millisecond
	direct, relayed, err := measureSuggestRTT(ctx, bin, work, rtt)
	if err != nil {
		return fmt.Errorf("round trips: %w", err)
	}
	add(fmt.Sprintf("spark suggest start → answer printed, %v RTT link, own connection (median)", rtt), fmtMs(median(direct)), "")
	add(fmt.Sprintf("spark suggest start → answer printed, %v RTT link, session relay (median)", rtt), fmtMs(median(relayed)), "one RTT less")

	t.print(fmt.Sprintf("**spark suggest** (%s)", hostInfo()))
	return nil
}

// suggestBenchEnv is a private HOME with the shell's rc file loading spark init, spark on PATH
// and the fake server as the model.
func suggestBenchEnv(work, bin, sh, url string) ([]string, error) {
	home, err := os.MkdirTemp(work, "home-"+sh+"-")
	if err != nil {
		return nil, err
	}
	shPath, err := exec.LookPath(sh)
	if err != nil {
		return nil, err
	}
	var rc, text string
	switch sh {
	case "zsh":
		rc, text = ".zshrc", "PROMPT='"+suggestPrompt+"'\neval \"$(spark init zsh)\"\n"
	case "bash":
		rc, text = ".bashrc", "PS1='"+suggestPrompt+"'\neval \"$(spark init bash)\"\n"
	case "fish":
		rc = ".config/fish/config.fish"
		text = "set -g fish_greeting ''\nfunction fish_prompt; printf '" + suggestPrompt + "'; end\nspark init fish | source\n"
		os.MkdirAll(filepath.Join(home, ".local", "share", "fish", "generated_completions"), 0o700)
	}
	os.MkdirAll(filepath.Dir(filepath.Join(home, rc)), 0o700)
	if err := os.WriteFile(filepath.Join(home, rc), []byte(text), 0o600); err != nil {
		return nil, err
	}
	run := filepath.Join(home, "run")
	os.Mkdir(run, 0o700)
	return []string{
		"PATH=" + filepath.Dir(bin) + ":/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "ZDOTDIR=" + home,
		"SHELL=" + shPath, "TERM=xterm-256color", "LANG=C.UTF-8", "XDG_RUNTIME_DIR=" + run,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"OPENAI_BASE_URL=" + url, "OPENAI_API_KEY=sk-bench", "SPARK_MODEL=bench",
	}, nil
}

// ptyScreen collects a pty's output, as text without escape sequences and control characters
// (a line editor redraws in pieces, with colours and cursor moves between the letters), with
// the time each read arrived.
type ptyScreen struct {
	mu    sync.Mutex
	out   []byte
	at    []time.Time // at[i]: when out[:ends[i]] had arrived
	ends  []int
	grew  chan struct{}
	state int // 0 text, 1 after ESC, 2 in a CSI sequence, 3 in an OSC string
}

// strip appends b to dst without escape sequences and control characters.
func (p *ptyScreen) strip(dst, b []byte) []byte {
	for _, c := range b {
		switch p.state {
		case 1:
			switch c {
			case '[':
				p.state = 2
			case ']':
				p.state = 3
			default:
				p.state = 0
			}
		case 2:
			if c >= 0x40 && c <= 0x7e {
				p.state = 0
			}
		case 3:
			if c == 0x07 || c == 0x1b {
				p.state = 0
			}
		default:
			switch {
			case c == 0x1b:
				p.state = 1
			case c >= 0x20 || c == '\n':
				dst = append(dst, c)
			}
		}
	}
	return dst
}

func (p *ptyScreen) read(f *os.File) {
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		now := time.Now()
		if n > 0 {
			p.mu.Lock()
			p.out = p.strip(p.out, buf[:n])
			p.at = append(p.at, now)
			p.ends = append(p.ends, len(p.out))
			close(p.grew)
			p.grew = make(chan struct{})
			p.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// waitFor waits for text in the output after offset from, and returns when the read that
// completed it arrived and the offset after it.
func (p *ptyScreen) waitFor(text string, from int) (time.Time, int, error) {
	deadline := time.After(suggestWaitTime)
	for {
		p.mu.Lock()
		if i := bytes.Index(p.out[from:], []byte(text)); i >= 0 {
			end := from + i + len(text)
			for k, e := range p.ends {
				if e >= end {
					at := p.at[k]
					p.mu.Unlock()
					return at, end, nil
				}
			}
		}
		grew := p.grew
		tail := string(p.out[max(0, len(p.out)-400):])
		p.mu.Unlock()
		select {
		case <-grew:
		case <-deadline:
			return time.Time{}, 0, fmt.Errorf("no %q on screen; it ends with %q", text, tail)
		}
	}
}

func (p *ptyScreen) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out)
}

// measureKeyToScreen types a partial command in the shell (inside spark shell when session is
// set), presses the key and times until the suggestion's text is drawn. The server's own time
// (request arrived → last byte flushed) is subtracted.
func measureKeyToScreen(ctx context.Context, bin, work, sh string, session bool) (over, total []time.Duration, err error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, nil, err
	}
	defer srv.Close()
	env, err := suggestBenchEnv(work, bin, sh, srv.URL())
	if err != nil {
		return nil, nil, err
	}
	argv := []string{sh, "-i"}
	if session {
		argv = []string{bin, "shell"}
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	}()
	scr := &ptyScreen{grew: make(chan struct{})}
	go scr.read(f)
	if _, _, err := scr.waitFor(suggestPrompt, 0); err != nil {
		return nil, nil, err
	}
	for i := 0; i < suggestRuns+3; i++ {
		typed := fmt.Sprintf("echo r%d", i)
		reply := fmt.Sprintf("echo r%d done%d", i, i)
		srv.Append(llmtest.Step{Chunks: []string{reply}})
		from := scr.len()
		f.Write([]byte(typed))
		if _, _, err := scr.waitFor(typed, from); err != nil {
			return nil, nil, err
		}
		// The shell may still be drawing; let it settle so the key is all that happens.
		time.Sleep(20 * time.Millisecond)
		from = scr.len()
		pressed := time.Now()
		f.Write([]byte(suggestKeyAltI))
		shown, _, err := scr.waitFor(fmt.Sprintf("done%d", i), from)
		if err != nil {
			return nil, nil, err
		}
		reqs := srv.Requests()
		r := reqs[len(reqs)-1]
		if r.Done.IsZero() {
			return nil, nil, fmt.Errorf("run %d: the server did not finish its reply", i)
		}
		if i >= 3 { // the first runs warm the page cache and the connection
			total = append(total, shown.Sub(pressed))
			over = append(over, shown.Sub(pressed)-r.Done.Sub(r.Arrived))
		}
		// Clear the line (and zsh's ghost text) for the next run.
		f.Write([]byte("\x05\x15"))
		time.Sleep(30 * time.Millisecond)
	}
	return over, total, nil
}

// sessionConnections runs suggestSession suggestions in one `spark shell -c` (or, without a
// session, in plain bash) and returns how many TCP connections reached the server.
func sessionConnections(ctx context.Context, bin, work string, session bool) (int, error) {
	srv, err := llmtest.Start()
	if err != nil {
		return 0, err
	}
	defer srv.Close()
	srv.Repeat(llmtest.Step{Chunks: []string{"git ", "status"}})
	env, err := suggestBenchEnv(work, bin, "bash", srv.URL())
	if err != nil {
		return 0, err
	}
	loop := fmt.Sprintf(`for i in $(seq %d); do spark suggest --line "git st" >/dev/null || exit 1; done`, suggestSession)
	cmd := exec.CommandContext(ctx, "bash", "-c", loop)
	if session {
		cmd = exec.CommandContext(ctx, bin, "shell", "-c", loop)
	}
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	if n := len(srv.Requests()); n != suggestSession {
		return 0, fmt.Errorf("%d requests, want %d", n, suggestSession)
	}
	return srv.Conns(), nil
}

// measureSuggestStart times exec → request at the server for spark suggest, for spark suggest
// inside a session (through the relay's socket; the request the server sees is the relay's),
// and for curl, interleaved.
func measureSuggestStart(ctx context.Context, bin, work string) (spark, relayed, curl []time.Duration, err error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, nil, nil, err
	}
	defer srv.Close()
	env, err := suggestBenchEnv(work, bin, "bash", srv.URL())
	if err != nil {
		return nil, nil, nil, err
	}
	sessionEnv, stop, err := holdSession(ctx, bin, work, env)
	if err != nil {
		return nil, nil, nil, err
	}
	defer stop()

	body := `{"model":"bench","stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":128,"messages":[{"role":"user","content":"git st"}]}`
	drain(srv)
	for i := 0; i < suggestRuns+2; i++ {
		for _, tool := range []string{"spark", "relayed", "curl"} {
			srv.Append(llmtest.Step{Chunks: []string{"git status"}})
			var cmd *exec.Cmd
			switch tool {
			case "spark", "relayed":
				cmd = exec.CommandContext(ctx, bin, "suggest", "--line", "git st")
				cmd.Env = env
				if tool == "relayed" {
					cmd.Env = sessionEnv
				}
			default:
				cmd = exec.CommandContext(ctx, "curl", "-sN", "-o", "/dev/null", "-H", "Content-Type: application/json",
					"-H", "Authorization: Bearer sk-bench", "-d", body, srv.URL()+"/chat/completions")
				cmd.Env = env
			}
			cmd.Dir = work
			start := time.Now()
			if err := cmd.Start(); err != nil {
				return nil, nil, nil, err
			}
			req := <-srv.Arrived()
			if err := cmd.Wait(); err != nil {
				return nil, nil, nil, fmt.Errorf("%s: %w", tool, err)
			}
			if i < 2 {
				continue
			}
			d := req.Arrived.Sub(start)
			switch tool {
			case "spark":
				spark = append(spark, d)
			case "relayed":
				relayed = append(relayed, d)
			default:
				curl = append(curl, d)
			}
		}
	}
	return spark, relayed, curl, nil
}

// holdSession starts a spark shell session that waits (on a fifo) until stop, and returns the
// environment of a command run inside it: its SPARK_SESSION and SPARK_RELAY.
func holdSession(ctx context.Context, bin, work string, env []string) (sessionEnv []string, stop func(), err error) {
	dir, err := os.MkdirTemp(work, "session-")
	if err != nil {
		return nil, nil, err
	}
	fifo, info := filepath.Join(dir, "hold"), filepath.Join(dir, "session.env")
	if err := exec.Command("mkfifo", fifo).Run(); err != nil {
		return nil, nil, err
	}
	hold := exec.CommandContext(ctx, bin, "shell", "-c", `printf '%s\n%s\n' "$SPARK_SESSION" "$SPARK_RELAY" > `+info+`; read x < `+fifo)
	hold.Env = env
	if err := hold.Start(); err != nil {
		return nil, nil, err
	}
	stop = func() {
		os.WriteFile(fifo, []byte("\n"), 0o600)
		hold.Wait()
	}
	for deadline := time.Now().Add(suggestWaitTime); ; {
		b, _ := os.ReadFile(info)
		if lines := strings.Split(string(b), "\n"); len(lines) >= 2 && lines[1] != "" {
			return append(append([]string{}, env...), "SPARK_SESSION="+lines[0], "SPARK_RELAY="+lines[1]), stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("the session did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// measureSuggestRTT times spark suggest from start to exit (the answer printed) over a link with
// the given round-trip time, directly and through a session's relay, interleaved. Directly, each
// process pays the TCP connect; through the relay the connection is already open. (Over TLS a
// direct request would pay the handshake's round trips as well; the fake server is plain HTTP.)
func measureSuggestRTT(ctx context.Context, bin, work string, rtt time.Duration) (direct, relayed []time.Duration, err error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, nil, err
	}
	defer srv.Close()
	proxy, err := startDelayProxy(srv.Addr(), rtt)
	if err != nil {
		return nil, nil, err
	}
	defer proxy.Close()
	srv.Repeat(llmtest.Step{Chunks: []string{"git status"}})
	env, err := suggestBenchEnv(work, bin, "bash", "http://"+proxy.Addr()+"/v1")
	if err != nil {
		return nil, nil, err
	}
	sessionEnv, stop, err := holdSession(ctx, bin, work, env)
	if err != nil {
		return nil, nil, err
	}
	defer stop()
	const runs = 12
	for i := 0; i < runs+1; i++ {
		for _, relay := range []bool{false, true} {
			cmd := exec.CommandContext(ctx, bin, "suggest", "--line", "git st")
			cmd.Env = env
			if relay {
				cmd.Env = sessionEnv
			}
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "git status") {
				return nil, nil, fmt.Errorf("spark suggest: %v: %s", err, out)
			}
			if i == 0 {
				continue
			}
			if relay {
				relayed = append(relayed, time.Since(start))
			} else {
				direct = append(direct, time.Since(start))
			}
		}
	}
	return direct, relayed, nil
}
