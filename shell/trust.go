package shell

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// UntrustedDirError reports a session or runtime directory that spark will not use: it is not
// a directory of this user that nobody else can write to. Someone else who can put files there
// could feed records (which spark fix sends to the model) or read what a session stores.
type UntrustedDirError struct {
	Dir    string
	Reason string // "owned by uid 0", "writable by others (mode 0777)", ...
}

// Error says which directory and why, in one line.
func (e *UntrustedDirError) Error() string {
	return fmt.Sprintf("%s: %s", e.Dir, e.Reason)
}

// errNoSession reports that SPARK_SESSION names no live session.
var errNoSession = errors.New("no spark shell session")

// trustedDir checks dir the way ssh checks ~/.ssh: it must be a directory (after symlinks), owned
// by this user, and writable by nobody else. It returns nil or an *UntrustedDirError, or the
// error of stat.
func trustedDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return &UntrustedDirError{Dir: dir, Reason: "not a directory"}
	case !ok || int(st.Uid) != os.Getuid():
		uid := -1
		if ok {
			uid = int(st.Uid)
		}
		return &UntrustedDirError{Dir: dir, Reason: fmt.Sprintf("owned by uid %d, not by this user (uid %d)", uid, os.Getuid())}
	case fi.Mode().Perm()&0o022 != 0:
		return &UntrustedDirError{Dir: dir, Reason: fmt.Sprintf("writable by others (mode %#o)", fi.Mode().Perm())}
	}
	return nil
}
