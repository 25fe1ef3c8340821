package edit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrNothingToUndo is returned by Undo when there is no journal, or when every file in it is
// already back as it was before the edit.
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

// The journal is the undo record of the last edit: one file, replaced atomically, so that it is
// always the whole record of one edit. It is a magic line, a JSON header line, then the old
// contents of the files back to back, raw, so that large files cost no encoding.
const journalMagic = "spark undo journal 1\n"

type journalHeader struct {
	Time  time.Time     `json:"time"`
	Files []journalFile `json:"files"`
}

type journalFile struct {
	Path      string      `json:"path"`
	Real      string      `json:"real"`
	Mode      fs.FileMode `json:"mode"`
	OldSize   int         `json:"old_size"`   // bytes of old content in the body, in file order
	NewSHA256 string      `json:"new_sha256"` // of the content the edit wrote
	Old       []byte      `json:"-"`
}

func journalPath(stateDir string) string {
	return filepath.Join(stateDir, "undo", "last")
}

// Record saves the undo journal for changes in stateDir/undo/, replacing the previous one
// atomically: for each file its Real path, Path, mode, the whole old content and a hash of the new
// content. Changes whose New equals the old content are left out; when none is left the previous
// journal stays. The directories are created 0700 and the journal is 0600, fsynced. Commit calls
// Record itself before its renames when given a state directory; call it directly only for files
// written another way. It returns an error when a change has no Target or the journal cannot be
// written.
func Record(stateDir string, changes []Change) error {
	return record(journalPath(stateDir), changes)
}

// record writes the journal for changes to path.
func record(path string, changes []Change) error {
	h := journalHeader{Time: time.Now()}
	parts := [][]byte{[]byte(journalMagic), nil}
	for _, c := range changes {
		t := c.Target
		if t == nil {
			return errors.New("record undo journal: change without a target")
		}
		if bytes.Equal(c.New, t.Content) {
			continue
		}
		sum := sha256.Sum256(c.New)
		h.Files = append(h.Files, journalFile{
			Path:      t.Path,
			Real:      t.Real,
			Mode:      t.Mode,
			OldSize:   len(t.Content),
			NewSHA256: hex.EncodeToString(sum[:]),
		})
		parts = append(parts, t.Content)
	}
	if len(h.Files) == 0 {
		return nil
	}
	header, err := json.Marshal(h) // JSON escapes newlines inside strings: the header is one line
	if err != nil {
		return fmt.Errorf("record undo journal: %w", err)
	}
	parts[1] = append(header, '\n')
	if err := writePrivate(path, parts...); err != nil {
		return fmt.Errorf("record undo journal: %w", err)
	}
	return nil
}

// publishJournal makes the journal written to pending the one Undo reads. A missing pending
// journal (no change needed one) is not an error.
func publishJournal(pending, last string) error {
	if err := os.Rename(pending, last); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	return syncDir(filepath.Dir(last))
}

// readJournal parses a journal written by Record.
func readJournal(data []byte) ([]journalFile, error) {
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
	for i := range h.Files {
		f := &h.Files[i]
		if f.OldSize < 0 || f.OldSize > len(body) {
			return nil, errors.New("truncated content")
		}
		f.Old, body = body[:f.OldSize:f.OldSize], body[f.OldSize:]
	}
	if len(body) != 0 {
		return nil, errors.New("trailing data")
	}
	return h.Files, nil
}

// Undo restores the files of the last journal in stateDir byte for byte, all-or-nothing, with the
// same atomic writes as Commit (keeping each file's current mode, which Commit does not change),
// and returns their paths as they were named for the edit.
//
// A file that still holds what the edit wrote is restored; one that already holds its old content
// is left as it is (so that a journal from an interrupted commit can be finished). If any other
// file changed after the edit, or was removed, Undo returns an *UndoConflictError naming it and
// writes nothing. When there is no journal, or nothing in it to restore, it returns
// ErrNothingToUndo. On success it removes the journal, so a second Undo reports nothing to undo.
// Other errors come from reading the journal or the files, or from writing.
func Undo(stateDir string) ([]string, error) {
	p := journalPath(stateDir)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNothingToUndo
	}
	if err != nil {
		return nil, fmt.Errorf("read undo journal: %w", err)
	}
	files, err := readJournal(data)
	if err != nil {
		return nil, fmt.Errorf("read undo journal %s: %w", p, err)
	}
	var ws []*write
	var paths []string
	for _, f := range files {
		content, snap, err := readSnapshot(f.Real)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotRegular) {
			return nil, &UndoConflictError{Path: f.Path}
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Path, err)
		}
		sum := sha256.Sum256(content)
		switch {
		case hex.EncodeToString(sum[:]) == f.NewSHA256:
		case bytes.Equal(content, f.Old):
			continue
		default:
			return nil, &UndoConflictError{Path: f.Path}
		}
		path := f.Path
		ws = append(ws, &write{
			path: f.Path,
			real: f.Real,
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
		paths = append(paths, f.Path)
	}
	if len(ws) > 0 {
		if err := writeAll(ws, nil, nil); err != nil {
			return nil, err
		}
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return paths, fmt.Errorf("files restored, but remove undo journal: %w", err)
	}
	if len(ws) == 0 {
		return nil, ErrNothingToUndo
	}
	return paths, nil
}

// readSnapshot reads the regular file p whole and notes its state on disk.
func readSnapshot(p string) ([]byte, *snapshot, error) {
	readAt := time.Now()
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
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
	return content, &snapshot{
		real:    p,
		info:    fi,
		size:    fi.Size(),
		mtime:   fi.ModTime(),
		readAt:  readAt,
		content: content,
	}, nil
}
