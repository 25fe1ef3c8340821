package edit

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A pinnedDir is a directory opened once, when its files were read: every later look at those
// files, and every write, goes through it (fstatat, openat, renameat), so that a directory swapped
// for a symlink, or moved, after the read can never redirect a write elsewhere.
type pinnedDir struct {
	f    *os.File
	path string // the absolute, symlink-free path it was opened at
}

// errDirMoved reports a pinned directory that is no longer at its path.
var errDirMoved = errors.New("its directory was moved or replaced")

// pinDir opens the directory at the absolute, symlink-free path p and checks, after opening, that
// p still leads to it without a symlink: a swap before the open is caught here, one after it no
// longer matters.
func pinDir(p string) (*pinnedDir, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	d := &pinnedDir{f: f, path: p}
	if real, err := filepath.EvalSymlinks(p); err != nil || real != p {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: p, Err: errDirMoved}
	}
	if moved, err := d.moved(); err != nil || moved {
		f.Close()
		if err == nil {
			err = &fs.PathError{Op: "open", Path: p, Err: errDirMoved}
		}
		return nil, err
	}
	return d, nil
}

// moved reports whether d's path no longer names d: the directory was renamed, removed, or
// replaced (by another directory or a symlink to one).
func (d *pinnedDir) moved() (bool, error) {
	now, err := os.Stat(d.path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	pinned, err := d.f.Stat()
	if err != nil {
		return false, err
	}
	return !os.SameFile(now, pinned), nil
}

// join returns the path of name in d, for messages and the journal.
func (d *pinnedDir) join(name string) string { return filepath.Join(d.path, name) }

// fd calls fn with d's descriptor, keeping d open meanwhile.
func (d *pinnedDir) fd(fn func(fd int) error) error {
	rc, err := d.f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// lstat returns the state of name in d, not following a symlink.
func (d *pinnedDir) lstat(name string) (*unix.Stat_t, error) {
	var st unix.Stat_t
	err := d.fd(func(fd int) error {
		return ignoringEINTR(func() error { return unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) })
	})
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: d.join(name), Err: err}
	}
	return &st, nil
}

// open opens name in d with flags, never following a symlink in its place.
func (d *pinnedDir) open(name string, flags int, perm uint32) (*os.File, error) {
	var nfd int
	err := d.fd(func(fd int) error {
		return ignoringEINTR(func() (err error) {
			nfd, err = unix.Openat(fd, name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm)
			return err
		})
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: d.join(name), Err: err}
	}
	return os.NewFile(uintptr(nfd), d.join(name)), nil
}

// remove unlinks the file name in d; a missing one is not an error.
func (d *pinnedDir) remove(name string) error {
	err := d.fd(func(fd int) error { return unix.Unlinkat(fd, name, 0) })
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return &fs.PathError{Op: "remove", Path: d.join(name), Err: err}
	}
	return nil
}

// renameIn renames from to to inside d; a seam for tests that make a rename fail.
var renameIn = renameAt

func renameAt(d *pinnedDir, from, to string) error {
	err := d.fd(func(fd int) error { return unix.Renameat(fd, from, fd, to) })
	if err != nil {
		return &os.LinkError{Op: "rename", Old: d.join(from), New: d.join(to), Err: err}
	}
	return nil
}

// sync fsyncs d, so that renames in it survive a crash.
func (d *pinnedDir) sync() error {
	if err := d.f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}

func ignoringEINTR(fn func() error) error {
	for {
		if err := fn(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// readIn reads the regular file name in d whole and notes its state, without following a symlink
// in its place. It fails with errNotRegular for anything but a regular file.
func readIn(d *pinnedDir, name string) ([]byte, *snapshot, error) {
	readAt := time.Now()
	f, err := d.open(name, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, nil, errNotRegular
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, errNotRegular
	}
	content, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, err
	}
	return content, newSnapshot(d, name, fi, readAt, content), nil
}

func newSnapshot(d *pinnedDir, name string, fi fs.FileInfo, readAt time.Time, content []byte) *snapshot {
	s := &snapshot{dir: d, name: name, size: fi.Size(), mtime: fi.ModTime(), readAt: readAt, content: content}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino = uint64(st.Dev), st.Ino
	}
	return s
}

// changed reports whether the file s was read from is no longer as read: its directory moved,
// it was removed or replaced by something that is not a regular file, or its content differs. A
// same-size file with the same identity and mtime is taken as unchanged unless that mtime is too
// close to the read to prove anything; then the content is compared.
func (s *snapshot) changed() (bool, error) {
	if moved, err := s.dir.moved(); err != nil || moved {
		return moved, err
	}
	st, err := s.dir.lstat(s.name)
	if errors.Is(err, unix.ENOENT) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != s.size {
		return true, nil
	}
	mtime := time.Unix(st.Mtim.Unix())
	if uint64(st.Dev) == s.dev && st.Ino == s.ino && mtime.Equal(s.mtime) && s.mtime.Before(s.readAt.Add(-racyWindow)) {
		return false, nil
	}
	same, err := sameContentIn(s.dir, s.name, s.content)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, errNotRegular) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !same, nil
}

// sameContentIn reports whether the regular file name in d holds exactly want. It compares as it
// reads, which is cheaper than hashing and stops at the first difference.
func sameContentIn(d *pinnedDir, name string, want []byte) (bool, error) {
	f, err := d.open(name, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if errors.Is(err, unix.ELOOP) {
		return false, errNotRegular
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return false, err
	} else if !fi.Mode().IsRegular() {
		return false, errNotRegular
	}
	buf := make([]byte, min(len(want)+1, 64<<10))
	for {
		n, err := io.ReadFull(f, buf)
		if n > len(want) || !bytes.Equal(buf[:n], want[:n]) {
			return false, nil
		}
		want = want[n:]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return len(want) == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}
