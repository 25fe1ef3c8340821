package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// killGrace is how long a command interrupted with SIGINT has to exit before it is killed.
const killGrace = 3 * time.Second

// RunCommand runs argv in dir with stdout and stderr on one pipe, written to out in the order
// the command wrote them, and returns its exit status (128+n when signal n killed it). The
// command gets no stdin and runs in a process group of its own, so that the SIGINT which ends
// ctx reaches it once, from the caller, and the whole group is killed if it lingers. It returns
// ctx's error when ctx ended first, and an error when the command cannot be started.
func RunCommand(ctx context.Context, argv []string, dir string, out io.Writer) (status int, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out // the same writer: one pipe, the order the command wrote in
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = time.Second // a background child holding the pipe must not hang the caller
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("run %s: %w", argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		pgid := cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(killGrace):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
		return 0, fmt.Errorf("run %s: %w", argv[0], ctx.Err())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return exitStatus(exit.ProcessState), nil
	case errors.Is(err, exec.ErrWaitDelay):
		return exitStatus(cmd.ProcessState), nil
	}
	return 0, fmt.Errorf("run %s: %w", argv[0], err)
}

// Quote joins argv into a line a shell would read back the same, for messages and the
// prompt.
func Quote(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@%", r))
		}) < 0 {
			parts[i] = a
			continue
		}
		parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(parts, " ")
}
