package edit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
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

// writePrivate replaces the file p with the parts of data, in order, atomically: a 0600 temp file in the same directory,
// fsynced, renamed over p, and the directory fsynced. Missing directories are created 0700.
func writePrivate(p string, data ...[]byte) (err error) {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(p)+".*") // created 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	for _, b := range data {
		if _, err := f.Write(b); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return err
	}
	return syncDir(dir)
}
