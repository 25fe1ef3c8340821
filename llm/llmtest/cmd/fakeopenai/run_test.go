package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startRun runs the command until the test ends and returns its URL and request log file.
func startRun(t *testing.T, args ...string) (url string, logf string) {
	t.Helper()
	logf = filepath.Join(t.TempDir(), "requests.log")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, append(args, "-log", logf), pw, io.Discard); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v", err)
	}
	go io.Copy(io.Discard, pr)
	return strings.TrimSpace(line), logf
}

func chat(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","stream":true,"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestReplyFlags(t *testing.T) {
	reply := filepath.Join(t.TempDir(), "reply.txt")
	os.WriteFile(reply, []byte("abcdefgh"), 0o644)
	url, logf := startRun(t, "-reply", reply, "-chunk", "3")
	for i := 0; i < 2; i++ {
		status, body := chat(t, url)
		if status != 200 || !strings.Contains(body, `"content":"abc"`) || !strings.Contains(body, `"content":"gh"`) || !strings.HasSuffix(body, "data: [DONE]\n\n") {
			t.Errorf("request %d: %d %s", i, status, body)
		}
	}
	// The server logs a request as it ends, after the client has its reply: wait for both lines.
	var b []byte
	var lines []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		b, _ = os.ReadFile(logf)
		lines = strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "request 2 unix_ns=") || !strings.Contains(lines[1], "path=/v1/chat/completions") {
		t.Errorf("log = %q", b)
	}
}

func TestScript(t *testing.T) {
	script := filepath.Join(t.TempDir(), "steps.json")
	os.WriteFile(script, []byte(`[{"status":429,"retry_after":"1"},{"reply":"hello world","chunk_delay":"1ms"}]`), 0o644)
	url, _ := startRun(t, "-script", script, "-chunk", "5")
	if status, _ := chat(t, url); status != 429 {
		t.Errorf("step 0: status %d, want 429", status)
	}
	if status, body := chat(t, url); status != 200 || !strings.Contains(body, `"content":"hello"`) {
		t.Errorf("step 1: %d %s", status, body)
	}
	if status, _ := chat(t, url); status != 500 {
		t.Errorf("beyond the script without -repeat: status %d, want 500", status)
	}
}
