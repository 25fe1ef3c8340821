package shell

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("writer exploded") }

// TestPanicRestoresTerminal runs a session whose output side panics: Run recovers, hangs the
// shell up, returns the panic as an error and leaves the terminal as it found it.
func TestPanicRestoresTerminal(t *testing.T) {
	bash := shellPath(t, "bash")
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	_, err = Run(context.Background(), Config{
		Shell:   bash,
		Command: "echo boom; sleep 30",
		Env:     []string{"PATH=/usr/bin:/bin", "HOME=" + home, "XDG_RUNTIME_DIR=" + home},
		Stdin:   tty,
		Stdout:  panicWriter{},
		Stderr:  os.Stderr,
		Term:    tty,
	})
	if err == nil || !strings.Contains(err.Error(), "writer exploded") {
		t.Errorf("Run = %v, want the panic as an error", err)
	}
	after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil || *after != *before {
		t.Errorf("terminal modes after the panic: %+v, want %+v", after, before)
	}
}
