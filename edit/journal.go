package edit

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The undo directory, stateDir/undo, holds:
//
//	lock      the advisory lock every commit and undo takes (lockState)
//	intent    the commit or undo under way: written before its first rename, gone once it is done
//	<number>  the undo stack, one entry per spark command; the highest number is the top
//
// An entry, and the intent, is a journal: a magic line, a JSON header line, then contents back to
// back, raw, so that large files cost no encoding.
const (
	journalMagic = "spark undo journal 1\n"
	intentName   = "intent"
	legacyName   = "last"  // the single journal of earlier versions, taken in as the bottom entry
	maxEntries   = 20      // entries kept; older ones are dropped
	opCommit     = "edit"  // an intent that makes (or extends) its entry
	opUndo       = "undo"  // an intent that restores its entry's files and removes it
	entryDigits  = 16      // entry names are zero-padded numbers, so that names sort as numbers
	headerLimit  = 1 << 20 // the longest header undo --list reads
)

// ErrNothingToUndo is returned by Undo when the undo stack is empty.
var ErrNothingToUndo = errors.New("nothing to undo")

// UndoConflictError reports a file that changed after the edit that Undo would revert, so that
// restoring it would lose the later change.
type UndoConflictError struct {
	Path string
}

// Error says which file changed and that nothing was restored; the caller names the operation.
func (e *UndoConflictError) Error() string {
	return e.Path + " changed after the last edit; nothing restored"
}

type journalHeader struct {
	Time    time.Time `json:"time"`
	Command string    `json:"command,omitempty"`
	Op      string    `json:"op,omitempty"`    // intent only: opCommit or opUndo
	Entry   string    `json:"entry,omitempty"` // intent only: the entry it makes or removes
	// ID is random, chosen by the Committer that made the entry: entry numbers are reused once
	// undone, so a number alone does not tell a Committer its entry from another command's.
	ID    string        `json:"id,omitempty"`
	Files []journalFile `json:"files"`
}

type journalFile struct {
	Path      string      `json:"path"`
	Real      string      `json:"real"`
	Mode      fs.FileMode `json:"mode"`
	OldSize   int         `json:"old_size"`   // bytes of content before the command, in the body
	NewSHA256 string      `json:"new_sha256"` // of the content the command left
	// In an intent, for each file the operation writes: the temp file's name in the directory of
	// Real, the hash of what is written, and what a roll back puts back (Back when HasBack, else
	// Old), which follows Old in the body.
	Tmp      string `json:"tmp,omitempty"`
	ToSHA256 string `json:"to_sha256,omitempty"`
	HasBack  bool   `json:"has_back,omitempty"`
	BackSize int    `json:"back_size,omitempty"`

	Old  []byte `json:"-"`
	Back []byte `json:"-"`
}

// back is what a roll back of the operation puts in the file.
func (f *journalFile) back() []byte {
	if f.HasBack {
		return f.Back
	}
	return f.Old
}

func undoDirOf(stateDir string) string { return filepath.Join(stateDir, "undo") }

func entryName(n uint64) string { return fmt.Sprintf("%0*d", entryDigits, n) }

func isEntryName(s string) bool {
	if len(s) != entryDigits {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// entryNames lists the undo stack, bottom first.
func entryNames(undoDir string) ([]string, error) {
	des, err := os.ReadDir(undoDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range des {
		if isEntryName(de.Name()) {
			names = append(names, de.Name())
		}
	}
	return names, nil // ReadDir sorts by name
}

// encodeJournal returns h and its contents as one buffer, so that it goes to disk in one write.
func encodeJournal(h *journalHeader) ([]byte, error) {
	size := len(journalMagic) + 1
	for i := range h.Files {
		f := &h.Files[i]
		f.OldSize = len(f.Old)
		f.BackSize = 0
		if f.HasBack {
			f.BackSize = len(f.Back)
		}
		size += f.OldSize + f.BackSize
	}
	header, err := json.Marshal(h) // JSON escapes newlines inside strings: the header is one line
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, size+len(header))
	buf = append(buf, journalMagic...)
	buf = append(buf, header...)
	buf = append(buf, '\n')
	for _, f := range h.Files {
		buf = append(buf, f.Old...)
		if f.HasBack {
			buf = append(buf, f.Back...)
		}
	}
	return buf, nil
}

// readJournal parses a journal written by encodeJournal.
func readJournal(data []byte) (*journalHeader, error) {
	rest, ok := bytes.CutPrefix(data, []byte(journalMagic))
	if !ok {
		return nil, errors.New("not a spark undo journal")
	}
	line, body, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return nil, errors.New("truncated header")
	}
	var h journalHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, err
	}
	take := func(n int) ([]byte, error) {
		if n < 0 || n > len(body) {
			return nil, errors.New("truncated content")
		}
		b := body[:n:n]
		body = body[n:]
		return b, nil
	}
	for i := range h.Files {
		f := &h.Files[i]
		var err error
		if f.Old, err = take(f.OldSize); err != nil {
			return nil, err
		}
		if f.HasBack {
			if f.Back, err = take(f.BackSize); err != nil {
				return nil, err
			}
		}
	}
	if len(body) != 0 {
		return nil, errors.New("trailing data")
	}
	return &h, nil
}

// topEntry returns the name and header of the newest entry of the undo stack, or
// ErrNothingToUndo.
func topEntry(undoDir string) (string, *journalHeader, error) {
	names, err := entryNames(undoDir)
	if err != nil {
		return "", nil, fmt.Errorf("read undo journal: %w", err)
	}
	if len(names) == 0 {
		return "", nil, ErrNothingToUndo
	}
	name := names[len(names)-1]
	h, err := readEntry(undoDir, name)
	return name, h, err
}

func readEntry(undoDir, name string) (*journalHeader, error) {
	p := filepath.Join(undoDir, name)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read undo journal: %w", err)
	}
	h, err := readJournal(data)
	if err != nil {
		return nil, fmt.Errorf("read undo journal %s: %w", p, err)
	}
	return h, nil
}

// intent is the intent log of one commit or undo: what is about to be written, so that a crash
// at any instant can be rolled back (or forward) by the next spark command.
type intent struct {
	dir string // the undo directory
	h   journalHeader
	f   *os.File // open from write until sync
}

func (in *intent) path() string { return filepath.Join(in.dir, intentName) }

// add records the writes of the operation: for each file, its temp file, the hash of its new
// content and what a roll back puts back. A file not yet in the header is added with its current
// content as Old.
func (in *intent) add(ws []*write) {
	for _, w := range ws {
		real := w.real()
		i := slices.IndexFunc(in.h.Files, func(f journalFile) bool { return f.Real == real })
		if i < 0 {
			in.h.Files = append(in.h.Files, journalFile{Path: w.path, Real: real, Mode: w.mode, Old: w.old})
			i = len(in.h.Files) - 1
		}
		f := &in.h.Files[i]
		f.Tmp = w.tmp
		f.ToSHA256 = sha256Hex(w.data)
		if in.h.Op == opCommit {
			f.NewSHA256 = f.ToSHA256
		}
		if !bytes.Equal(w.old, f.Old) {
			f.HasBack, f.Back = true, w.old
		}
	}
}

// write creates the intent file with the whole log in one write, before any temp file is made:
// even a SIGKILL right after it leaves a log that names every temp file there can be.
func (in *intent) write() error {
	buf, err := encodeJournal(&in.h)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(in.path(), os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		os.Remove(in.path())
		return err
	}
	in.f = f
	return nil
}

// sync makes the intent log durable, its name included, and closes it.
func (in *intent) sync() error {
	err := in.f.Sync()
	if cerr := in.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(in.dir)
	}
	return err
}

// discard removes the intent log of an operation that changed no file.
func (in *intent) discard() { os.Remove(in.path()) }

// finish completes the operation once every file is written: a commit's log becomes its entry
// on the undo stack (replacing the entry's earlier version), an undo's entry is removed. Neither
// needs an fsync: if a crash loses it, the intent log is still there and Recover finishes it.
func (in *intent) finish() error {
	target := filepath.Join(in.dir, in.h.Entry)
	if in.h.Op == opUndo {
		if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return os.Remove(in.path())
	}
	if err := os.Rename(in.path(), target); err != nil {
		return err
	}
	names, err := entryNames(in.dir)
	if err != nil {
		return err
	}
	for len(names) > maxEntries {
		os.Remove(filepath.Join(in.dir, names[0]))
		os.Remove(conversationPath(in.dir, names[0]))
		names = names[1:]
	}
	return nil
}

// intentFor starts the intent log of a commit of ws: on top of the undo stack, extending this
// Committer's entry when it is still the top (the same number and the Committer's ID) and its files
// are as the entry left them.
func (c *Committer) intentFor(undoDir string, ws []*write) (*intent, error) {
	names, err := entryNames(undoDir)
	if err != nil {
		return nil, err
	}
	if c.id == "" {
		var b [8]byte
		rand.Read(b[:])
		c.id = hex.EncodeToString(b[:])
	}
	in := &intent{dir: undoDir, h: journalHeader{Time: time.Now(), Command: c.Command, Op: opCommit, ID: c.id}}
	if n := len(names); c.entry != "" && n > 0 && names[n-1] == c.entry {
		if prev, err := readEntry(undoDir, c.entry); err == nil && prev.ID == c.id && continues(prev, ws) {
			in.h.Entry = c.entry
			for _, f := range prev.Files {
				in.h.Files = append(in.h.Files, journalFile{Path: f.Path, Real: f.Real, Mode: f.Mode, NewSHA256: f.NewSHA256, Old: f.Old})
			}
			return in, nil
		}
	}
	next := uint64(1)
	if n := len(names); n > 0 {
		last, _ := strconv.ParseUint(names[n-1], 10, 64)
		next = last + 1
	}
	in.h.Entry = entryName(next)
	return in, nil
}

// continues reports whether every file of ws that entry knows holds what entry left in it.
func continues(entry *journalHeader, ws []*write) bool {
	for _, w := range ws {
		real := w.real()
		for _, f := range entry.Files {
			if f.Real == real && f.NewSHA256 != sha256Hex(w.old) {
				return false
			}
		}
	}
	return true
}

// Recover finds a commit or undo that a crash (or SIGKILL) interrupted in any directory, and
// finishes it: when every file was already written it completes the undo entry (roll forward);
// otherwise it puts back the files already written (roll back: the user never saw success). A file
// changed by hand (or removed) since the crash is left as it is, and counts as not written: the
// others are put back. The temp files of the interrupted operation are removed. It returns a
// one-line account of what it did, or "" when nothing was interrupted; it costs one stat when
// nothing was. It takes the state directory's lock. Errors come from reading the intent log,
// opening a file's directory (moved, or replaced by a symlink, since) or restoring a file; the
// log then stays for the next attempt.
func Recover(stateDir string) (string, error) {
	undoDir := undoDirOf(stateDir)
	_, err1 := os.Lstat(filepath.Join(undoDir, intentName))
	_, err2 := os.Lstat(filepath.Join(undoDir, legacyName))
	if errors.Is(err1, fs.ErrNotExist) && errors.Is(err2, fs.ErrNotExist) {
		return "", nil
	}
	unlock, err := lockState(stateDir)
	if err != nil {
		return "", fmt.Errorf("recover: %w", err)
	}
	defer unlock()
	return recoverLocked(undoDir)
}

// recoverLocked is Recover under the lock.
func recoverLocked(undoDir string) (string, error) {
	adoptLegacy(undoDir)
	p := filepath.Join(undoDir, intentName)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("recover: read %s: %w", p, err)
	}
	h, err := readJournal(data)
	if err != nil {
		// The log is written in one write before any temp file exists and made durable before
		// the first rename: a log cut short was never durable, so nothing was renamed. But the
		// temp files are fsynced while the log is, so a machine crash can leave some behind.
		removeCutTemps(data)
		os.Remove(p)
		return "discarded the incomplete record of an interrupted edit, which had written nothing", nil
	}
	what := "edit"
	if h.Op == opUndo {
		what = "undo"
	}
	type file struct {
		f   *journalFile
		dir *pinnedDir
	}
	var done []file
	var all, changed []string
	forward := true // every file was written: complete the operation
	for i := range h.Files {
		f := &h.Files[i]
		if f.Tmp == "" {
			continue
		}
		all = append(all, f.Path)
		d, err := pinDir(filepath.Dir(f.Real))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			// The directory is gone, and the temp file with it.
			changed = append(changed, f.Path)
			forward = false
			continue
		}
		if err != nil {
			// The temp file may still be in the directory: the log, which names it, stays.
			return "", fmt.Errorf("recover interrupted %s: %w; kept %s for the next attempt", what, err, p)
		}
		for _, tmp := range []string{f.Tmp, backName(f.Tmp)} {
			if err := d.remove(tmp); err != nil {
				return "", fmt.Errorf("recover interrupted %s: %w", what, err)
			}
		}
		content, _, err := readIn(d, filepath.Base(f.Real))
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotRegular):
			changed = append(changed, f.Path)
			forward = false
		case err != nil:
			return "", fmt.Errorf("recover interrupted %s: read %s: %w", what, f.Path, err)
		case sha256Hex(content) == f.ToSHA256:
			done = append(done, file{f, d})
		case bytes.Equal(content, f.back()):
			forward = false
		default:
			changed = append(changed, f.Path)
			forward = false
		}
	}
	if forward {
		in := &intent{dir: undoDir, h: *h}
		if err := in.finish(); err != nil {
			return "", fmt.Errorf("recover interrupted %s: %w", what, err)
		}
		return fmt.Sprintf("completed an interrupted %s of %s", what, strings.Join(all, ", ")), nil
	}
	// Not every file was written, so the user never saw the operation succeed: the written ones
	// go back, even when another file changed since (completing would record a content that was
	// never on disk).
	left := ""
	if len(changed) > 0 {
		left = "; " + strings.Join(changed, ", ") + " changed since, left as it is"
	}
	for _, d := range done {
		if err := putBack(d.dir, filepath.Base(d.f.Real), backName(d.f.Tmp), d.f.back()); err != nil {
			return "", fmt.Errorf("recover interrupted %s: restore %s: %w", what, d.f.Path, err)
		}
		if err := d.dir.sync(); err != nil {
			return "", fmt.Errorf("recover interrupted %s: restore %s: %w", what, d.f.Path, err)
		}
	}
	if err := os.Remove(p); err != nil {
		return "", fmt.Errorf("recover interrupted %s: %w", what, err)
	}
	return fmt.Sprintf("rolled back an interrupted %s of %s%s", what, strings.Join(all, ", "), left), nil
}

// removeCutTemps removes the temp files that an intent log cut short names: for each file whose
// record got as far as its path, the temp file recorded (and its put-back's), or when the record
// stops before it (or names something else), every temp file of spark's naming for that file. Under the lock no other spark
// process sharing the state directory has a temp file there. Failures are ignored: a stray temp
// file is hidden and harmless.
func removeCutTemps(data []byte) {
	for _, f := range cutFiles(data) {
		d, err := pinDir(filepath.Dir(f.Real))
		if err != nil {
			continue
		}
		if isTempOf(f.Tmp, filepath.Base(f.Real)) {
			d.remove(f.Tmp)
			d.remove(backName(f.Tmp))
		} else if names, err := d.f.Readdirnames(-1); err == nil {
			for _, name := range names {
				if isTempOf(name, filepath.Base(f.Real)) {
					d.remove(name)
				}
			}
		}
		d.f.Close()
	}
}

// isTempOf reports whether name is one of spark's temp files for the file base: tempName's
// pattern, or a put-back's (backName).
func isTempOf(name, base string) bool {
	rest, ok := strings.CutPrefix(name, "."+base+".spark-")
	if !ok {
		return false
	}
	rest = strings.TrimSuffix(rest, backName(""))
	if len(rest) != 16 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil && strings.ToLower(rest) == rest
}

// cutFiles returns the files that the header of a journal cut short records, as far as each
// record goes (Real, and Tmp when it got that far): the tokens before the cut are whole.
func cutFiles(data []byte) []journalFile {
	rest, ok := bytes.CutPrefix(data, []byte(journalMagic))
	if !ok {
		return nil
	}
	line, _, _ := bytes.Cut(rest, []byte{'\n'})
	dec := json.NewDecoder(bytes.NewReader(line))
	var files []journalFile
	var objects []bool // per open container, outermost first: whether it is an object
	key, wantKey := "", false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				if v == '{' && len(objects) == 2 { // an element of the header's "files"
					files = append(files, journalFile{})
				}
				objects = append(objects, v == '{')
				wantKey = v == '{'
				continue
			}
			objects = objects[:len(objects)-1]
		case string:
			if wantKey {
				key, wantKey = v, false
				continue
			}
			if len(objects) == 3 && len(files) > 0 {
				switch key {
				case "real":
					files[len(files)-1].Real = v
				case "tmp":
					files[len(files)-1].Tmp = v
				}
			}
		}
		wantKey = len(objects) > 0 && objects[len(objects)-1] // a value ended
	}
	return slices.DeleteFunc(files, func(f journalFile) bool { return !filepath.IsAbs(f.Real) })
}

// adoptLegacy takes the single journal of earlier versions in as the bottom of the stack.
func adoptLegacy(undoDir string) {
	last := filepath.Join(undoDir, legacyName)
	if _, err := os.Lstat(last); err != nil {
		return
	}
	os.Remove(last + ".pending")
	bottom := filepath.Join(undoDir, entryName(0))
	if _, err := os.Lstat(bottom); errors.Is(err, fs.ErrNotExist) {
		os.Rename(last, bottom)
		return
	}
	os.Remove(last)
}

// Undo pops the undo stack in stateDir: it restores the files of its top entry (the last spark
// command that changed files) byte for byte, all-or-nothing and crash-consistent, with the same
// writes as Commit (keeping each file's current mode, which Commit does not change), and returns
// their paths as they were named for the edit. It recovers an interrupted commit first.
//
// A file that still holds what the command left is restored; one that already holds its old
// content is left as it is. If any other file changed after the command, was removed, or its
// directory moved, Undo returns an *UndoConflictError naming it and changes nothing, the entry
// included. With an empty stack it returns ErrNothingToUndo. Other errors come from the lock,
// from reading the journal or the files, or from writing.
func Undo(stateDir string) ([]string, error) {
	return undo(stateDir, "")
}

// undo is Undo of the top entry, when id is "" or the entry's ID.
func undo(stateDir, id string) ([]string, error) {
	unlock, err := lockState(stateDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	undoDir := undoDirOf(stateDir)
	if _, err := recoverLocked(undoDir); err != nil {
		return nil, err
	}
	name, h, err := topEntry(undoDir)
	if err != nil {
		return nil, err
	}
	if id != "" && h.ID != id {
		return nil, ErrStackMoved
	}
	dirs := map[string]*pinnedDir{}
	var ws []*write
	var paths []string
	for _, f := range h.Files {
		paths = append(paths, f.Path)
		dirPath := filepath.Dir(f.Real)
		d := dirs[dirPath]
		if d == nil {
			if d, err = pinDir(dirPath); errors.Is(err, fs.ErrNotExist) || errors.Is(err, errDirMoved) {
				return nil, &UndoConflictError{Path: f.Path}
			} else if err != nil {
				return nil, fmt.Errorf("read %s: %w", f.Path, err)
			}
			dirs[dirPath] = d
		}
		content, snap, err := readIn(d, filepath.Base(f.Real))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotRegular) {
			return nil, &UndoConflictError{Path: f.Path}
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Path, err)
		}
		switch {
		case sha256Hex(content) == f.NewSHA256:
		case bytes.Equal(content, f.Old):
			continue
		default:
			return nil, &UndoConflictError{Path: f.Path}
		}
		path := f.Path
		ws = append(ws, &write{
			path: f.Path,
			dir:  d,
			name: filepath.Base(f.Real),
			mode: f.Mode,
			data: f.Old,
			old:  content,
			check: func() error {
				changed, err := snap.changed()
				if err != nil {
					return fmt.Errorf("check %s: %w", path, err)
				}
				if changed {
					return &UndoConflictError{Path: path}
				}
				return nil
			},
		})
	}
	if len(ws) == 0 {
		os.Remove(conversationPath(undoDir, name))
		if err := os.Remove(filepath.Join(undoDir, name)); err != nil {
			return nil, fmt.Errorf("remove undo journal: %w", err)
		}
		return paths, nil
	}
	in := &intent{dir: undoDir, h: journalHeader{Time: time.Now(), Command: h.Command, Op: opUndo, Entry: name}}
	if err := writeAll(ws, in); err != nil {
		return nil, err
	}
	os.Remove(conversationPath(undoDir, name))
	return paths, nil
}

// UndoEntry is one entry of the undo stack: one spark command's changes.
type UndoEntry struct {
	Time    time.Time // when the command last wrote
	Command string    // the command line, as the command recorded it; may be empty
	Paths   []string  // the files, as named for the edit
}

// UndoList returns the undo stack in stateDir, top (newest) first, reading only the headers. An
// entry that cannot be read is listed with the Command "(unreadable: reason)". It returns an
// error when the undo directory cannot be read.
func UndoList(stateDir string) ([]UndoEntry, error) {
	undoDir := undoDirOf(stateDir)
	names, err := entryNames(undoDir)
	if err != nil {
		return nil, fmt.Errorf("read undo journal: %w", err)
	}
	var out []UndoEntry
	for _, name := range slices.Backward(names) {
		h, err := readHeader(filepath.Join(undoDir, name))
		if err != nil {
			out = append(out, UndoEntry{Command: "(unreadable: " + err.Error() + ")"})
			continue
		}
		e := UndoEntry{Time: h.Time, Command: h.Command}
		for _, f := range h.Files {
			e.Paths = append(e.Paths, f.Path)
		}
		out = append(out, e)
	}
	return out, nil
}

// readHeader reads the header of the journal at p, not its contents.
func readHeader(p string) (*journalHeader, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(journalMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != journalMagic {
		return nil, errors.New("not a spark undo journal")
	}
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) || len(line) > headerLimit {
			return nil, errors.New("truncated header")
		}
	}
	var h journalHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, err
	}
	return &h, nil
}
