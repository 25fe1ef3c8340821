package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

func init() { suites["codex"] = runCodexBench }

const (
	// codexVersion is the @openai/codex release compared against; SPARK_BENCH_CODEX_VERSION
	// picks another (or "latest").
	codexVersion = "0.169.0"
	codexRuns    = 15
	codexWarmup  = 2
)

// codexConfig is $CODEX_HOME/config.toml: the local fake server as a custom Responses API
// provider, and everything that would reach the network at start-up turned off (update check,
// analytics, feedback, telemetry export, the plugin marketplace sync and connector apps).
const codexConfig = `model = "gpt-4.1-mini"
model_provider = "local"
check_for_update_on_startup = false

[model_providers.local]
name = "local"
base_url = "%s"
wire_api = "responses"
env_key = "SPARK_BENCH_CODEX_KEY"

[analytics]
enabled = false

[feedback]
enabled = false

[otel]
exporter = "none"

[features]
plugins = false
remote_plugin = false
plugin_sharing = false
apps = false
`

// runCodexBench installs OpenAI's Codex CLI from the npm registry into a temporary directory and
// times codex exec and spark edit against the same local fake server, interleaved: process start
// → request at the server, and last token → exit. It skips, and says why, when npm or the
// registry is not there.
func runCodexBench(ctx context.Context, _ []string) error {
	skip := func(format string, args ...any) error {
		fmt.Printf("\n**Codex comparison skipped**: %s\n", fmt.Sprintf(format, args...))
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return skip("npm is not installed (it installs @openai/codex from the npm registry)")
	}
	work, err := os.MkdirTemp("", "spark-bench-codex")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	version := codexVersion
	if v := os.Getenv("SPARK_BENCH_CODEX_VERSION"); v != "" {
		version = v
	}
	fmt.Fprintf(os.Stderr, "codex: npm install @openai/codex@%s\n", version)
	ictx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	install := exec.CommandContext(ictx, npm, "install", "--prefix", filepath.Join(work, "npm"), "--no-audit", "--no-fund",
		"--no-save", "--loglevel=error", "--fetch-retries=1", "--fetch-timeout=30000", "@openai/codex@"+version)
	out, err := install.CombinedOutput()
	cancel()
	if err != nil {
		return skip("npm install @openai/codex@%s failed (%v): %s", version, err, firstLines(string(out), 2))
	}
	native, shim, installed, err := findCodex(filepath.Join(work, "npm"))
	if err != nil {
		return skip("%v", err)
	}
	bin, err := buildSpark(ctx, work)
	if err != nil {
		return err
	}

	srv, err := llmtest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	trap, err := startTrap()
	if err != nil {
		return err
	}
	defer trap.Close()

	// CODEX_HOME is outside /tmp, where codex refuses to set up its helper commands.
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = work
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	codexHome, err := os.MkdirTemp(cache, "spark-bench-codex-home-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(codexHome)
	cfg := fmt.Sprintf(codexConfig, srv.URL())
	if err := os.WriteFile(filepath.Join(codexHome, "config.toml"), []byte(cfg), 0o600); err != nil {
		return err
	}
	proj := filepath.Join(work, "project")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		return err
	}
	file := filepath.Join(proj, "main.go")
	codexEnv := append(benchEnv(work, srv.URL()), "CODEX_HOME="+codexHome, "SPARK_BENCH_CODEX_KEY=sk-bench")
	// In the warm-up runs, anything that tries the network past the fake goes to the trap and
	// is counted; the timed runs have no proxy settings, as a user's would not.
	trapEnv := append(append([]string(nil), codexEnv...), "HTTPS_PROXY=http://"+trap.Addr(), "HTTP_PROXY=http://"+trap.Addr(),
		"ALL_PROXY=http://"+trap.Addr(), "NO_PROXY=127.0.0.1,localhost")
	prompt := "In main.go, rename x to y."
	tools := []struct {
		name string
		args []string
		env  []string
	}{
		{"spark edit", []string{bin, "edit", "main.go", "rename x to y"}, benchEnv(work, srv.URL())},
		{"codex exec (native binary)", []string{native, "exec", "--skip-git-repo-check", prompt}, codexEnv},
		{"codex exec (npm's codex command)", []string{shim, "exec", "--skip-git-repo-check", prompt}, codexEnv},
	}
	req := make([][]time.Duration, len(tools))
	tail := make([][]time.Duration, len(tools))
	bodies := make([]int, len(tools))
	for i := 0; i < codexWarmup+codexRuns; i++ {
		for j, tl := range tools {
			if err := os.WriteFile(file, []byte(smallFile), 0o644); err != nil {
				return err
			}
			srv.Append(llmtest.Step{Chunks: llmtest.Split(smallReply, 16)})
			env := tl.env
			if i < codexWarmup && j > 0 {
				env = trapEnv
			}
			rctx, cancel := context.WithTimeout(ctx, time.Minute)
			r := runSpark(rctx, srv, tl.args[0], proj, env, tl.args[1:]...)
			cancel()
			if r.err != nil {
				return fmt.Errorf("%s: %w", tl.name, r.err)
			}
			if len(r.reqs) != 1 || r.reqs[0].Done.IsZero() {
				return fmt.Errorf("%s: %d requests, the last complete: %v; want one", tl.name, len(r.reqs), len(r.reqs) > 0 && !r.reqs[len(r.reqs)-1].Done.IsZero())
			}
			// Each must have read the reply: spark applied it, codex printed it.
			if got, _ := os.ReadFile(file); j == 0 && !strings.Contains(string(got), "y := 1") {
				return fmt.Errorf("%s: main.go not edited", tl.name)
			}
			if j > 0 && !strings.Contains(r.stdout, "*** End Patch") {
				return fmt.Errorf("%s: the reply is not in its output: %s", tl.name, lastLines(r.stdout+r.stderr, 5))
			}
			if i < codexWarmup {
				continue // first runs create codex's state databases
			}
			req[j] = append(req[j], r.reqs[0].Arrived.Sub(r.start))
			tail[j] = append(tail[j], r.exited.Sub(r.reqs[0].Done))
			bodies[j] = len(r.reqs[0].Body)
		}
	}
	drain(srv)

	t := &mdTable{
		title: fmt.Sprintf("spark edit vs OpenAI Codex CLI %s, same fake server, same machine, same run (medians of %d, interleaved, after %d warm-up runs each)",
			installed, codexRuns, codexWarmup),
		header: []string{"", "start → request at server", "last token → exit", "request body"},
		timed:  true,
	}
	for j, tl := range tools {
		t.add(tl.name, spread(req[j]), spread(tail[j]), fmt.Sprintf("%d bytes", bodies[j]))
	}
	for j := 1; j < len(tools); j++ {
		t.add("spark ÷ "+tools[j].name, ratio(req[0], req[j]), ratio(tail[0], tail[j]), "")
	}
	t.notes = append(t.notes,
		"Codex speaks the Responses API (POST /v1/responses, wire_api = \"responses\"), spark Chat Completions; the fake "+
			"answers both from the same script. Last token: the server flushed response.completed (codex) or [DONE] (spark). "+
			"spark then applies the patch and writes main.go; codex prints the reply, since the reply is text and not a tool call.",
		fmt.Sprintf("Codex runs with CODEX_HOME holding only this config.toml:\n\n```toml\n%s```\n\nand `codex exec --skip-git-repo-check`. "+
			"In its warm-up runs, with HTTPS_PROXY, HTTP_PROXY and ALL_PROXY pointed at a trap (NO_PROXY=127.0.0.1), "+
			"connection attempts to anything but the fake: %d.", cfg, trap.count.Load()),
		"Targets: spark's time to request ≤ 1/10 of codex's, and its time from last token to exit ≤ 1/10.",
		loadNote())
	t.print()
	return nil
}

// ratio formats median(a)/median(b).
func ratio(a, b []time.Duration) string {
	return fmt.Sprintf("%.3f (1/%.0f)", float64(median(a))/float64(median(b)), float64(median(b))/float64(median(a)))
}

// findCodex locates the codex binary npm installed for this platform, and npm's codex command
// (the node launcher that runs it), and reads the installed version.
func findCodex(prefix string) (native, shim, version string, err error) {
	shim = filepath.Join(prefix, "node_modules", ".bin", "codex")
	if _, err := os.Stat(shim); err != nil {
		return "", "", "", fmt.Errorf("npm installed no codex command: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(prefix, "node_modules", "@openai", "codex-*", "vendor", "*", "bin", "codex"))
	if len(matches) == 0 {
		return "", "", "", errors.New("the @openai/codex package has no native binary for this platform")
	}
	out, err := exec.Command(matches[0], "--version").Output()
	if err != nil {
		return "", "", "", fmt.Errorf("%s --version: %v", matches[0], err)
	}
	return matches[0], shim, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "codex-cli")), nil
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " / ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

// trap is a listener that counts and refuses every connection: the proxy codex is given, so
// that any attempt to reach the network beyond the fake server shows up in the figures.
type trap struct {
	ln    net.Listener
	count atomic.Int64
}

func startTrap() (*trap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &trap{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.count.Add(1)
			c.Close()
		}
	}()
	return t, nil
}

func (t *trap) Addr() string { return t.ln.Addr().String() }
func (t *trap) Close()       { t.ln.Close() }
