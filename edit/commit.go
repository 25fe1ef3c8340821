package edit

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Change is the new content for one target.
type Change struct {
	Target *Target
	New    []byte
}

// ConflictError reports a target that changed on disk after it was read, so that writing the
// model's version would overwrite someone else's edit (the user's, or another spark process's).
type ConflictError struct {
	Path string
}

// Error names the file and says that nothing was written.
func (e *ConflictError) Error() string {
	return e.Path + " changed on disk while the model was writing; nothing written (run the edit again)"
}

// Committer commits the edits of one spark command. All its commits take the state directory's
// lock, and together they make one entry of the undo stack, so that a `spark fix` that applied
// several fixes is undone in one step. The zero value commits without a lock or a journal.
type Committer struct {
	// StateDir is where the lock, the intent log and the undo stack live; "" for none.
	StateDir string
	// Command is what `spark undo --list` shows for the entry, such as "spark edit a.go 'x'".
	Command string
	// Notify, if not nil, is given the one-line account of an interrupted commit of another
	// process that Commit found, and recovered, before its own.
	Notify func(string)

	entry string // the undo entry the commits so far made, "" before the first
}

// Commit writes every change atomically and all-or-nothing with a journal in stateDir; it is
// (&Committer{StateDir: stateDir}).Commit(changes).
func Commit(changes []Change, stateDir string) error {
	return (&Committer{StateDir: stateDir}).Commit(changes)
}

// Commit writes every change atomically and all-or-nothing, crash-consistent across files when
// c.StateDir is set.
//
// Changes whose New equals the old content are dropped; with none left, nothing happens. Then,
// under the state directory's lock (see lockState), which serialises all spark processes that
// share it: an operation a crash interrupted is recovered first (see Recover); the targets are
// checked against disk; the intent log is written (the undo entry, with the names of the temp
// files about to be made); each new content goes to a temp file in its target's directory, with
// the file's current permission bits (never setuid or setgid) and, where allowed, its owner, and
// is fsynced, as is the intent log; the targets are checked again, and only then is each temp
// renamed over its file, through the directory handle opened when the file was read (a symlink's
// target is replaced and the link kept); the directories are fsynced; last, the intent log
// becomes the entry on top of the undo stack (or replaces this Committer's earlier entry), and
// the stack is cut to its 20 newest entries.
//
// If anything fails before the renames, the temp files and the intent are removed and no target
// changed. If a rename fails, the files already renamed are put back (atomically again) and the
// error says whether that worked; if it did not, the intent log stays for the next command to
// finish the rollback. A crash at any instant leaves the intent log, and the next Recover puts
// every file back as it was (or, when every rename was done, completes the entry). Commit takes no
// context: it cannot be interrupted half-way and takes milliseconds. The Targets are not updated;
// Resolve again before a further edit.
//
// Errors: a *ConflictError when a target changed since Resolve read it (its content, its identity,
// or its directory's), or is no longer a regular file; a *ControlError (see CheckControls), before
// anything is written; a *LockError; a change without a Target,
// with a Target not made by Resolve, or changing the same file as another; and failures to
// recover, write a temp file, record the journal, rename or sync, each naming the file and saying
// what was left on disk.
func (c *Committer) Commit(changes []Change) error {
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
	if c.StateDir == "" {
		return writeAll(ws, nil)
	}
	unlock, err := lockState(c.StateDir)
	if err != nil {
		return fmt.Errorf("commit: %w; nothing written", err)
	}
	defer unlock()
	undoDir := undoDirOf(c.StateDir)
	msg, err := recoverLocked(undoDir)
	if err != nil {
		return fmt.Errorf("commit: %w; nothing written", err)
	}
	if msg != "" && c.Notify != nil {
		c.Notify(msg)
	}
	in, err := c.intentFor(undoDir, ws)
	if err != nil {
		return fmt.Errorf("record undo journal: %w; nothing written", err)
	}
	if err := writeAll(ws, in); err != nil {
		return err
	}
	c.entry = in.h.Entry
	return nil
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
		if t.snap.dir == nil {
			return nil, fmt.Errorf("commit %s: not read from disk", t.Path)
		}
		if seen[t.Real] {
			return nil, fmt.Errorf("commit %s: the same file is changed twice", t.Path)
		}
		seen[t.Real] = true
		ws = append(ws, &write{
			path: t.Path,
			dir:  t.snap.dir,
			name: t.snap.name,
			mode: t.Mode,
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

// write is one file to replace atomically, through its directory's handle.
type write struct {
	path  string       // as the user named it, for messages
	dir   *pinnedDir   // the directory the file was read through
	name  string       // the file's name in dir
	mode  fs.FileMode  // for the journal
	data  []byte       // its new content
	old   []byte       // its content now, put back if a later rename fails
	check func() error // right before the renames: a conflict error if the file changed
	tmp   string       // the temp file's name in dir, chosen before it is made
	made  bool         // the temp file exists
}

// real is the file's path, for messages and the journal.
func (w *write) real() string { return w.dir.join(w.name) }

// tempName returns a new temp file name for the file name: hidden, marked as spark's, and
// random, so that it can be chosen (and recorded in the intent log) before it is made.
func tempName(name string) string {
	var b [8]byte
	rand.Read(b[:])
	return "." + name + ".spark-" + hex.EncodeToString(b[:])
}

// writeAll replaces every file with its data: temps first, then the checks, then the renames,
// rolling back the done ones if a rename fails. in, if not nil, is the intent log: written before
// the first temp is made, durable before the first rename, and finished after the last.
func writeAll(ws []*write, in *intent) (err error) {
	for _, w := range ws {
		w.tmp = tempName(w.name)
	}
	var synced chan error
	if in != nil {
		in.add(ws)
		if err := in.write(); err != nil {
			return fmt.Errorf("record undo journal: %w; nothing written", err)
		}
		// The fsyncs of the intent log overlap with those of the temp files.
		synced = make(chan error, 1)
		go func() { synced <- in.sync() }()
	}
	renamed := false
	defer func() {
		if synced != nil {
			<-synced // never leave before the goroutine is done with the intent file
		}
		for _, w := range ws {
			if w.made {
				w.dir.remove(w.tmp)
			}
		}
		if in != nil && !renamed {
			in.discard()
		}
	}()
	for _, w := range ws {
		if err := w.prepare(); err != nil {
			return fmt.Errorf("write %s: %w; nothing written", w.path, err)
		}
	}
	if synced != nil {
		serr := <-synced
		synced = nil
		if serr != nil {
			return fmt.Errorf("record undo journal: %w; nothing written", serr)
		}
	}
	for _, w := range ws {
		if err := w.check(); err != nil {
			return err
		}
	}
	renamed = true
	for i, w := range ws {
		if err := renameIn(w.dir, w.tmp, w.name); err != nil {
			err, ok := rollback(ws[:i], w, err)
			if ok && in != nil {
				in.discard()
			}
			return err
		}
		w.made = false
	}
	if err := syncDirs(ws); err != nil {
		return err
	}
	if in != nil {
		if err := in.finish(); err != nil {
			return fmt.Errorf("written, but record undo journal: %w", err)
		}
	}
	return nil
}

// prepare writes w.data to the new temp file w.tmp next to the file, with the file's mode and
// owner, fsynced.
func (w *write) prepare() (err error) {
	st, err := w.dir.lstat(w.name)
	if err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return errNotRegular
	}
	f, err := openTemp(w.dir, w.tmp)
	if err != nil {
		return err
	}
	w.made = true
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.dir.remove(w.tmp)
			w.made = false
		}
	}()
	if err := chownLike(f, st); err != nil {
		return err
	}
	// Chmod is not subject to the umask, so the new file gets exactly the old bits.
	if err := f.Chmod(os.FileMode(st.Mode & 0o777)); err != nil {
		return err
	}
	if _, err := f.Write(w.data); err != nil {
		return err
	}
	return f.Sync()
}

// openTemp creates the new file name in d, private until its mode is set; a seam for tests.
var openTemp = func(d *pinnedDir, name string) (*os.File, error) {
	return d.open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL, 0o600)
}

// chownLike gives f the owner and group of st when they differ, as far as the process may: root
// restores both, others may set a group they belong to. A refusal is not an error.
func chownLike(f *os.File, want *unix.Stat_t) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	have, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || have.Uid == want.Uid && have.Gid == want.Gid {
		return nil
	}
	if err := f.Chown(int(want.Uid), int(want.Gid)); err != nil && !errors.Is(err, os.ErrPermission) {
		return err
	}
	return nil
}

// rollback puts the old content of the already renamed files back after the rename of failed
// failed with cause, and returns the error to report and whether every file is as it was.
func rollback(done []*write, failed *write, cause error) (error, bool) {
	if len(done) == 0 {
		return fmt.Errorf("write %s: %w; nothing written", failed.path, cause), true
	}
	var restored, lost, restoreErrs []string
	for _, d := range done {
		if err := putBack(d.dir, d.name, d.old); err != nil {
			lost = append(lost, d.path)
			restoreErrs = append(restoreErrs, err.Error()) // one line, whatever the count
			continue
		}
		restored = append(restored, d.path)
	}
	if len(lost) == 0 {
		return fmt.Errorf("write %s: %w; restored %s, nothing changed", failed.path, cause, strings.Join(restored, ", ")), true
	}
	return fmt.Errorf("write %s: %w; %s already written and could not be restored (%s); the next spark edit, fix or undo retries",
		failed.path, cause, strings.Join(lost, ", "), strings.Join(restoreErrs, "; ")), false
}

// putBack replaces the file name in d with data, atomically.
func putBack(d *pinnedDir, name string, data []byte) error {
	back := &write{dir: d, name: name, data: data, tmp: tempName(name)}
	err := back.prepare()
	if err == nil {
		err = renameIn(d, back.tmp, name)
	}
	if err != nil && back.made {
		d.remove(back.tmp)
	}
	return err
}

// syncDirs fsyncs the directories of ws, so that the renames survive a crash.
func syncDirs(ws []*write) error {
	done := map[*pinnedDir]bool{}
	for _, w := range ws {
		if done[w.dir] {
			continue
		}
		done[w.dir] = true
		if err := w.dir.sync(); err != nil {
			return fmt.Errorf("written, but sync %s: %w", w.dir.path, err)
		}
	}
	return nil
}

// sha256Hex is the hash the journal keeps of a content.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
