package shell

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spark-cli/spark/internal/testenv"
)

func TestRunCommandStatus(t *testing.T) {
	sh := testenv.LookPath(t, "sh")
	tests := []struct {
		script string
		status int
		out    string
	}{
		{"echo out; echo err >&2", 0, "out\nerr\n"},
		{"exit 3", 3, ""},
		{"kill -TERM $$", 143, ""},
		{"kill -INT $$", 130, ""},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		status, err := RunCommand(context.Background(), []string{sh, "-c", tt.script}, t.TempDir(), &out)
		if err != nil || status != tt.status || out.String() != tt.out {
			t.Errorf("RunCommand(sh -c %q) = %d, %v, output %q; want %d, output %q", tt.script, status, err, out.String(), tt.status, tt.out)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RunCommand(ctx, []string{sh, "-c", "sleep 30"}, t.TempDir(), &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("RunCommand with a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := RunCommand(context.Background(), []string{"/nonexistent/command"}, t.TempDir(), &bytes.Buffer{}); err == nil {
		t.Errorf("RunCommand(/nonexistent/command) = nil error, want one")
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"go", "test", "./..."}, "go test ./..."},
		{[]string{"sh", "-c", "echo hi; exit 1"}, "sh -c 'echo hi; exit 1'"},
		{[]string{"printf", "it's"}, `printf 'it'\''s'`},
		{[]string{"x", ""}, "x ''"},
		{[]string{"make", "CFLAGS=-O2", "-j4"}, "make CFLAGS=-O2 -j4"},
	}
	for _, tt := range tests {
		if got := Quote(tt.argv); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}

// TestRunCommandKillsLingering: a command that ignores SIGINT is killed, with its group, after
// the grace period.
func TestRunCommandKillsLingering(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the kill grace period")
	}
	sh := testenv.LookPath(t, "sh")
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(started); err == nil {
				cancel()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	begin := time.Now()
	// The command would sleep for far longer than any wait here: ending before that, it was killed.
	_, err := RunCommand(ctx, []string{sh, "-c", "trap '' INT; touch " + started + "; sleep 300"}, dir, &bytes.Buffer{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("RunCommand = %v, want context.Canceled", err)
	}
	if d := time.Since(begin); d < killGrace || d > killGrace+waitTime {
		t.Errorf("a command ignoring SIGINT ended after %s, want after the %s grace period, killed", d, killGrace)
	}
}
