package shell

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// foreignDir returns a directory owned by another user, closed to writes by others: a temp
// directory given to nobody when the test runs as root, else the root directory.
func foreignDir(t *testing.T) string {
	t.Helper()
	if os.Getuid() != 0 {
		return "/"
	}
	dir := t.TempDir()
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sessionIn makes dir look like a live session's (a pid file of this process) with mode perm.
func sessionIn(t *testing.T, dir string, perm os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, perm); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLookupSessionTrust(t *testing.T) {
	foreign := foreignDir(t)
	if foreign != "/" {
		sessionIn(t, foreign, 0o700)
	}
	cases := []struct {
		name      string
		dir       string
		untrusted string // the reason, "" when the session is used
		none      bool   // no session at all
	}{
		{"private", sessionIn(t, t.TempDir(), 0o700), "", false},
		{"readable by others", sessionIn(t, t.TempDir(), 0o755), "", false},
		{"world-writable", sessionIn(t, t.TempDir(), 0o777), "writable by others", false},
		{"group-writable", sessionIn(t, t.TempDir(), 0o770), "writable by others", false},
		{"another user's", foreign, "owned by uid", false},
		{"missing", filepath.Join(t.TempDir(), "gone"), "", true},
		{"not absolute", "relative/dir", "", true},
	}
	for _, c := range cases {
		getenv := func(k string) string {
			if k == EnvSession {
				return c.dir
			}
			return ""
		}
		dir, err := LookupSession(getenv)
		var ue *UntrustedDirError
		switch {
		case c.untrusted != "":
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.untrusted) || dir != "" {
				t.Errorf("%s: LookupSession = %q, %v; want an UntrustedDirError saying %q", c.name, dir, err, c.untrusted)
			}
			if _, err := ReadRecords(c.dir); !errors.As(err, &ue) {
				t.Errorf("%s: ReadRecords = %v, want an UntrustedDirError", c.name, err)
			}
		case c.none:
			if err == nil || errors.As(err, &ue) {
				t.Errorf("%s: LookupSession = %q, %v; want no session", c.name, dir, err)
			}
		default:
			if err != nil || dir != c.dir {
				t.Errorf("%s: LookupSession = %q, %v; want %q", c.name, dir, err, c.dir)
			}
		}
		if _, ok := SessionDir(getenv); ok != (c.untrusted == "" && !c.none) {
			t.Errorf("%s: SessionDir ok = %v", c.name, ok)
		}
	}
}

// TestNewSessionPassesOverUntrustedBase checks that a session never goes into a runtime
// directory others can write to or that belongs to someone else: it goes to the state directory,
// after one line of warning.
func TestNewSessionPassesOverUntrustedBase(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, runtime string)
		warn  string
	}{
		{"world-writable spark dir", func(t *testing.T, runtime string) {
			d := filepath.Join(runtime, "spark")
			os.Mkdir(d, 0o777)
			os.Chmod(d, 0o777)
		}, "writable by others"},
		{"world-writable runtime dir", func(t *testing.T, runtime string) { os.Chmod(runtime, 0o777) }, "runtime directory"},
		{"another user's spark dir", func(t *testing.T, runtime string) {
			if os.Getuid() != 0 {
				t.Skip("needs root to give a directory away")
			}
			d := filepath.Join(runtime, "spark")
			os.Mkdir(d, 0o755)
			if err := os.Chown(d, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 65534"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runtime, state := t.TempDir(), t.TempDir()
			c.setup(t, runtime)
			getenv := func(k string) string {
				return map[string]string{"XDG_RUNTIME_DIR": runtime, "XDG_STATE_HOME": state}[k]
			}
			var warn bytes.Buffer
			s, err := newSession(getenv, nil, &warn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.close()
			if !strings.HasPrefix(s.dir, filepath.Join(state, "spark", "sessions")+"/") {
				t.Errorf("session directory %s, want one under the state directory", s.dir)
			}
			if w := warn.String(); !strings.Contains(w, c.warn) || strings.Count(w, "\n") != 1 {
				t.Errorf("warning %q, want one line saying %q", w, c.warn)
			}
		})
	}
}

// TestSessionFilesPrivate checks, in each real shell under a permissive umask, that everything
// the session creates in its directory is this user's alone: files 0600, directories 0700.
func TestSessionFilesPrivate(t *testing.T) {
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{rc: "umask 022"})
		s.run(1, "echo one")
		s.run(2, "false")
		dir := s.sessionDir()
		n := 0
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n++
			switch {
			case fi.IsDir():
				if fi.Mode().Perm() != 0o700 {
					t.Errorf("%s: directory %s has mode %#o, want 0700", sh, path, fi.Mode().Perm())
				}
			case fi.Mode()&os.ModeSocket != 0:
				if fi.Mode().Perm()&0o077 != 0 {
					t.Errorf("%s: socket %s has mode %#o, want 0600", sh, path, fi.Mode().Perm())
				}
			default:
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: file %s has mode %#o, want 0600", sh, path, fi.Mode().Perm())
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "bash-scratch")); sh == "bash" && err != nil {
			t.Errorf("bash: no bash-scratch in the session directory: %v", err)
		}
		if n < 3 {
			t.Errorf("%s: only %d entries in the session directory", sh, n)
		}
	})
}
