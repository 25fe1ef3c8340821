package shell

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
)

func TestRunCommandStatus(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		if os.Getenv("SPARK_TEST_REQUIRE_TOOLS") != "" {
			t.Fatalf("sh not found: %v", err)
		} else {
			t.Skipf("sh not found: %v", err)
		}
	}
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
		status, err := RunCommand(context.Background(), []string{"sh", "-c", tt.script}, t.TempDir(), &out)
		if err != nil || status != tt.status || out.String() != tt.out {
			t.Errorf("RunCommand(sh -c %q) = %d, %v, output %q; want %d, output %q", tt.script, status, err, out.String(), tt.status, tt.out)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RunCommand(ctx, []string{"sh", "-c", "sleep 30"}, t.TempDir(), &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("RunCommand with a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := RunCommand(context.Background(), []string{"/nonexistent/command"}, t.TempDir(), &bytes.Buffer{}); err == nil {
		t.Errorf("RunCommand(/nonexistent/command) = nil error, want one")
	}
}
