package edit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// StateDir returns spark's state directory: $XDG_STATE_HOME/spark, else ~/.local/state/spark,
// reading the environment through getenv (os.Getenv, or a map in tests). A relative
// XDG_STATE_HOME is ignored, as the XDG spec says. The directory is not created here; the
// functions that write into it create it 0700. It returns an error when neither variable holds an
// absolute path.
func StateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "spark"), nil
	}
	if home := getenv("HOME"); filepath.IsAbs(home) {
		return filepath.Join(home, ".local", "state", "spark"), nil
	}
	return "", errors.New("find state directory: set XDG_STATE_HOME or HOME")
}

// SaveReply stores a model reply that could not be applied as stateDir/replies/<time>.txt (0600,
// directories 0700), so the user can read it, and returns its path. It returns an error when the
// file cannot be written.
func SaveReply(stateDir string, reply string) (string, error) {
	dir := filepath.Join(stateDir, "replies")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("save reply: %w", err)
	}
	stamp := time.Now().Format("2006-01-02T15-04-05.000")
	for i := 1; ; i++ {
		name := stamp
		if i > 1 {
			name += "-" + strconv.Itoa(i)
		}
		p := filepath.Join(dir, name+".txt")
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("save reply: %w", err)
		}
		_, err = f.WriteString(reply)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(p)
			return "", fmt.Errorf("save reply: %w", err)
		}
		return p, nil
	}
}

// syncDir fsyncs the directory dir, so that a rename or a new file in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}

// lockWait bounds how long a command waits for another spark process's commit to finish.
// Commits take milliseconds; a lock held this long belongs to a stopped process.
const lockWait = 10 * time.Second

// LockError reports that another spark process held the state directory's lock for too long.
type LockError struct {
	Path string
}

// Error names the lock file and the way out.
func (e *LockError) Error() string {
	return "lock " + e.Path + ": another spark process has held it for " + lockWait.String() + " (a stopped spark? resume or end it)"
}

// lockState takes the exclusive advisory lock (flock) of stateDir/undo/lock that serialises the
// commits and undos of every spark process sharing the state directory, waiting for a holder to
// finish. The lock goes with the process: a crashed holder cannot leave it taken. It returns the
// function that releases it, or an error when the lock file cannot be opened or the wait is
// over (a *LockError).
func lockState(stateDir string) (unlock func(), err error) {
	dir := filepath.Join(stateDir, "undo")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "lock")
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(lockWait)
	pause := 50 * time.Microsecond
	for {
		err := ignoringEINTR(func() error { return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) })
		if err == nil {
			return func() { f.Close() }, nil // closing the last descriptor releases the lock
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, &fs.PathError{Op: "lock", Path: p, Err: err}
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, &LockError{Path: p}
		}
		time.Sleep(pause)
		pause = min(2*pause, 5*time.Millisecond)
	}
}
