package edit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Change is the new content for one target.
type Change struct {
	Target *Target
	New    []byte
}

// ConflictError reports a target that changed on disk after it was read, so that writing the
// model's version would overwrite the user's edit.
type ConflictError struct {
	Path string
}

// Error names the file and says that nothing was written.
func (e *ConflictError) Error() string {
	return e.Path + " changed on disk while the model was writing; nothing written (run the edit again)"
}

// Seams for tests that make a write fail half-way.
var (
	createTemp = os.CreateTemp
	rename     = os.Rename
)

// Commit writes every change atomically and all-or-nothing, and records the undo journal in
// stateDir before any file is replaced (no journal when stateDir is "").
//
// The steps: changes whose New equals the old content are dropped; every target is checked
// against disk (a *ConflictError if one changed since Resolve read it, or is no longer a regular
// file); each new content goes to a temp file in the directory of its Real path, with the file's
// current permission bits (never setuid or setgid) and, where allowed, its owner, and is fsynced,
// while the journal is written and fsynced alongside (see Record); the targets are checked again,
// which narrows the window for a concurrent edit to the renames alone; then, once the journal is
// safe on disk (so that a crash during the renames leaves a journal Undo can finish from), each
// temp is renamed over its Real path, which replaces a symlink's target and keeps the link; last,
// the directories are fsynced.
//
// If anything fails before the renames, the temp files are removed and no target changed. If a
// rename fails, the files already renamed are put back (atomically again) and the error says
// whether that worked. A journal left by such a failure is harmless: Undo finds the files as they
// were and reports nothing to undo. Commit takes no context: it cannot be interrupted half-way and
// takes milliseconds. The Targets are not updated; Resolve again before a further edit.
//
// Errors: a *ConflictError; a *ControlError (see CheckControls), before anything is written; a
// change without a Target, with a Target not made by Resolve, or changing the same file as
// another; and failures to write a temp file, record the journal,
// rename or sync, each naming the file and saying what was left on disk.
func Commit(changes []Change, stateDir string) error {
	if err := CheckControls(changes); err != nil {
		return err
	}
	ws, err := commitWrites(changes)
	if err != nil || len(ws) == 0 {
		return err
	}
	for _, w := range ws {
		if err := w.check(); err != nil {
			return err
		}
	}
	var journal, publish func() error
	if stateDir != "" {
		// The journal is written beside the previous one and takes its place only once this
		// commit is sure to go ahead: a commit that fails before its renames keeps the last
		// edit undoable.
		last := journalPath(stateDir)
		pending := last + ".pending"
		defer os.Remove(pending)
		journal = func() error { return record(pending, changes) }
		publish = func() error { return publishJournal(pending, last) }
	}
	return writeAll(ws, journal, publish)
}

// commitWrites turns changes into writes, dropping no-ops.
func commitWrites(changes []Change) ([]*write, error) {
	var ws []*write
	seen := map[string]bool{}
	for _, c := range changes {
		t := c.Target
		if t == nil {
			return nil, errors.New("commit: change without a target")
		}
		if bytes.Equal(c.New, t.Content) {
			continue
		}
		if t.snap.real == "" {
			return nil, fmt.Errorf("commit %s: not read from disk", t.Path)
		}
		if seen[t.Real] {
			return nil, fmt.Errorf("commit %s: the same file is changed twice", t.Path)
		}
		seen[t.Real] = true
		ws = append(ws, &write{
			path: t.Path,
			real: t.Real,
			data: c.New,
			old:  t.Content,
			check: func() error {
				changed, err := t.Changed()
				if err != nil {
					return fmt.Errorf("commit: %w", err)
				}
				if changed {
					return &ConflictError{Path: t.Path}
				}
				return nil
			},
		})
	}
	return ws, nil
}

// write is one file to replace atomically.
type write struct {
	path  string       // as the user named it, for messages
	real  string       // the file to replace
	data  []byte       // its new content
	old   []byte       // its content now, put back if a later rename fails
	check func() error // right before the renames: a conflict error if real changed
	tmp   string       // the temp file holding data, until renamed
}

// writeAll replaces every file with its data: temps first, then the checks, then the renames,
// rolling back the done ones if a rename fails. journal, if not nil, runs alongside the temp
// writes (both end in fsyncs, which then overlap) and must succeed before the first rename;
// publish, if not nil, then makes it the journal Undo reads.
func writeAll(ws []*write, journal, publish func() error) error {
	journaled := make(chan error, 1)
	if journal == nil {
		journaled <- nil
	} else {
		go func() { journaled <- journal() }()
	}
	waited := false
	defer func() {
		if !waited {
			<-journaled
		}
		for _, w := range ws {
			if w.tmp != "" {
				os.Remove(w.tmp)
			}
		}
	}()
	for _, w := range ws {
		if err := w.prepare(); err != nil {
			return fmt.Errorf("write %s: %w; nothing written", w.path, err)
		}
	}
	for _, w := range ws {
		if err := w.check(); err != nil {
			return err
		}
	}
	waited = true
	if err := <-journaled; err != nil {
		return fmt.Errorf("%w; nothing written", err)
	}
	if publish != nil {
		if err := publish(); err != nil {
			return fmt.Errorf("record undo journal: %w; nothing written", err)
		}
	}
	for i, w := range ws {
		if err := rename(w.tmp, w.real); err != nil {
			return rollback(ws[:i], w, err)
		}
		w.tmp = ""
	}
	return syncDirs(ws)
}

// prepare writes w.data to a new temp file next to w.real with w.real's mode and owner, fsynced.
func (w *write) prepare() (err error) {
	fi, err := os.Lstat(w.real)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errNotRegular
	}
	f, err := createTemp(filepath.Dir(w.real), "."+filepath.Base(w.real)+".spark-*")
	if err != nil {
		return err
	}
	w.tmp = f.Name()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(w.tmp)
			w.tmp = ""
		}
	}()
	if err := chownLike(f, fi); err != nil {
		return err
	}
	// Chmod is not subject to the umask, so the new file gets exactly the old bits.
	if err := f.Chmod(fi.Mode().Perm()); err != nil {
		return err
	}
	if _, err := f.Write(w.data); err != nil {
		return err
	}
	return f.Sync()
}

// chownLike gives f the owner and group of fi when they differ, as far as the process may: root
// restores both, others may set a group they belong to. A refusal is not an error.
func chownLike(f *os.File, fi fs.FileInfo) error {
	want, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	tfi, err := f.Stat()
	if err != nil {
		return err
	}
	have, ok := tfi.Sys().(*syscall.Stat_t)
	if !ok || have.Uid == want.Uid && have.Gid == want.Gid {
		return nil
	}
	if err := f.Chown(int(want.Uid), int(want.Gid)); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}

// rollback puts the old content of the already renamed files back after the rename of failed
// failed with cause, and returns the error to report.
func rollback(done []*write, failed *write, cause error) error {
	if len(done) == 0 {
		return fmt.Errorf("write %s: %w; nothing written", failed.path, cause)
	}
	var restored, lost, restoreErrs []string
	for _, d := range done {
		back := &write{path: d.path, real: d.real, data: d.old}
		err := back.prepare()
		if err == nil {
			err = rename(back.tmp, back.real)
		}
		if err != nil {
			if back.tmp != "" {
				os.Remove(back.tmp)
			}
			lost = append(lost, d.path)
			restoreErrs = append(restoreErrs, err.Error()) // one line, whatever the count
			continue
		}
		restored = append(restored, d.path)
	}
	if len(lost) == 0 {
		return fmt.Errorf("write %s: %w; restored %s, nothing changed", failed.path, cause, strings.Join(restored, ", "))
	}
	return fmt.Errorf("write %s: %w; %s already written and could not be restored (%s)", failed.path, cause, strings.Join(lost, ", "), strings.Join(restoreErrs, "; "))
}

// syncDirs fsyncs the directories of ws, so that the renames survive a crash.
func syncDirs(ws []*write) error {
	done := map[string]bool{}
	for _, w := range ws {
		dir := filepath.Dir(w.real)
		if done[dir] {
			continue
		}
		done[dir] = true
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("written, but sync %s: %w", dir, err)
		}
	}
	return nil
}

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
