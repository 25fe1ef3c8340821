package edit

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

type savedFile struct {
	data []byte
	mode fs.FileMode
}

// saveTree returns every regular file under roots, as a crash would leave them on disk.
func saveTree(t *testing.T, roots ...string) map[string]savedFile {
	t.Helper()
	saved := map[string]savedFile{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			saved[p] = savedFile{data, fi.Mode()}
			return nil
		})
		must(t, err)
	}
	return saved
}

// restoreTree puts roots back as saved: files not saved are removed, saved ones rewritten.
func restoreTree(t *testing.T, saved map[string]savedFile, roots ...string) {
	t.Helper()
	for p := range saveTree(t, roots...) {
		if _, ok := saved[p]; !ok {
			must(t, os.Remove(p))
		}
	}
	for p, f := range saved {
		must(t, os.WriteFile(p, f.data, f.mode))
		must(t, os.Chmod(p, f.mode))
	}
}

// TestRecoverAtEveryRename plays a crash before each rename of a commit (and of an undo), and
// after the last one, by saving the disk as it is at that instant and putting it back once the
// operation is over; Recover must then leave every file of the operation all-old or all-new, the
// undo stack to match, and no temp file or intent log behind.
func TestRecoverAtEveryRename(t *testing.T) {
	files := map[string]string{"d1/a.go": "a\n", "d1/b.go": "b\n", "d2/c.go": "c\n"}
	tests := []struct {
		name string
		// setup prepares dir and state and returns the operation to crash and the contents of
		// the files before and after it.
		setup func(t *testing.T, dir, state string) (op func() error, before, after map[string]string)
	}{
		{"edit", func(t *testing.T, dir, state string) (func() error, map[string]string, map[string]string) {
			ts := resolveAll(t, dir, "d1/a.go", "d1/b.go", "d2/c.go")
			return func() error {
					return Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}, {ts[2], []byte("C\n")}}, state)
				},
				map[string]string{"d1/a.go": "a\n", "d1/b.go": "b\n", "d2/c.go": "c\n"},
				map[string]string{"d1/a.go": "A\n", "d1/b.go": "B\n", "d2/c.go": "C\n"}
		}},
		{"second fix of one command", func(t *testing.T, dir, state string) (func() error, map[string]string, map[string]string) {
			c := &Committer{StateDir: state, Command: "spark fix -- make"}
			must(t, c.Commit([]Change{{resolveAll(t, dir, "d1/a.go")[0], []byte("A1\n")}}))
			ts := resolveAll(t, dir, "d1/a.go", "d1/b.go", "d2/c.go")
			return func() error {
					return c.Commit([]Change{{ts[0], []byte("A2\n")}, {ts[1], []byte("B\n")}, {ts[2], []byte("C\n")}})
				},
				map[string]string{"d1/a.go": "A1\n", "d1/b.go": "b\n", "d2/c.go": "c\n"},
				map[string]string{"d1/a.go": "A2\n", "d1/b.go": "B\n", "d2/c.go": "C\n"}
		}},
		{"undo", func(t *testing.T, dir, state string) (func() error, map[string]string, map[string]string) {
			ts := resolveAll(t, dir, "d1/a.go", "d1/b.go", "d2/c.go")
			must(t, Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}, {ts[2], []byte("C\n")}}, state))
			return func() error { return errOnly(Undo(state)) },
				map[string]string{"d1/a.go": "A\n", "d1/b.go": "B\n", "d2/c.go": "C\n"},
				map[string]string{"d1/a.go": "a\n", "d1/b.go": "b\n", "d2/c.go": "c\n"}
		}},
	}
	const renames = 3
	for _, tt := range tests {
		for crash := 1; crash <= renames+1; crash++ {
			dir, state := t.TempDir(), t.TempDir()
			writeTree(t, dir, files)
			op, before, after := tt.setup(t, dir, state)
			stackBefore := len(stack(t, state))
			var saved map[string]savedFile
			calls := 0
			renameIn = func(d *pinnedDir, from, to string) error {
				calls++
				if calls == min(crash, renames) {
					saved = saveTree(t, dir, state)
					if crash > renames { // after the last rename
						f := saved[d.join(from)]
						delete(saved, d.join(from))
						saved[d.join(to)] = f
					}
				}
				return renameAt(d, from, to)
			}
			err := op()
			renameIn = renameAt
			if err != nil || calls != renames {
				t.Fatalf("%s: the operation = %v with %d renames, want nil and %d", tt.name, err, calls, renames)
			}
			restoreTree(t, saved, dir, state)

			msg, err := Recover(state)
			want, wantMsg, wantStack := before, "rolled back an interrupted ", stackBefore
			if crash > renames {
				want, wantMsg = after, "completed an interrupted "
				if tt.name == "undo" {
					wantStack--
				} else if stackBefore == 0 {
					wantStack++
				}
			}
			if err != nil || !strings.HasPrefix(msg, wantMsg) || !strings.HasSuffix(msg, "of d1/a.go, d1/b.go, d2/c.go") {
				t.Errorf("%s, crash before rename %d: Recover() = %q, %v, want %q...", tt.name, crash, msg, err, wantMsg)
			}
			for name, text := range want {
				if got := readFile(t, filepath.Join(dir, name)); got != text {
					t.Errorf("%s, crash before rename %d: after Recover(), %s = %q, want %q", tt.name, crash, name, got, text)
				}
			}
			noTemps(t, filepath.Join(dir, "d1"), filepath.Join(dir, "d2"))
			if _, err := os.Stat(filepath.Join(undoDirOf(state), intentName)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s, crash before rename %d: intent log left after Recover(): %v", tt.name, crash, err)
			}
			if n := len(stack(t, state)); n != wantStack {
				t.Errorf("%s, crash before rename %d: %d undo entries after Recover(), want %d", tt.name, crash, n, wantStack)
			}
			if msg, err := Recover(state); msg != "" || err != nil {
				t.Errorf("%s: second Recover() = %q, %v, want nothing to do", tt.name, msg, err)
			}
		}
	}
}

// TestRecoverLeavesLaterChange: a file changed by hand between the crash and the recovery is
// left as it is, and the message says so.
func TestRecoverLeavesLaterChange(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "a\n", "b.go": "b\n", "c.go": "c\n"})
	ts := resolveAll(t, dir, "a.go", "b.go", "c.go")
	var saved map[string]savedFile
	calls := 0
	renameIn = func(d *pinnedDir, from, to string) error {
		if calls++; calls == 3 {
			saved = saveTree(t, dir, state)
		}
		return renameAt(d, from, to)
	}
	t.Cleanup(func() { renameIn = renameAt })
	must(t, Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}, {ts[2], []byte("C\n")}}, state))
	restoreTree(t, saved, dir, state)
	writeFile(t, filepath.Join(dir, "b.go"), "mine\n")
	msg, err := Recover(state)
	if want := "rolled back an interrupted edit of a.go, b.go, c.go; b.go changed since, left as it is"; err != nil || msg != want {
		t.Errorf("Recover() = %q, %v, want %q", msg, err, want)
	}
	for name, want := range map[string]string{"a.go": "a\n", "b.go": "mine\n", "c.go": "c\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("after Recover(), %s = %q, want %q", name, got, want)
		}
	}
}

// TestRecoverIncompleteIntent: an intent log cut short (a crash while it was written, before
// any temp file or rename) is dropped.
func TestRecoverIncompleteIntent(t *testing.T) {
	state := t.TempDir()
	must(t, os.MkdirAll(undoDirOf(state), 0o700))
	writeFile(t, filepath.Join(undoDirOf(state), intentName), journalMagic+`{"files":[`)
	msg, err := Recover(state)
	if err != nil || !strings.Contains(msg, "had written nothing") {
		t.Errorf("Recover() = %q, %v, want the incomplete record discarded", msg, err)
	}
	if _, err := os.Stat(filepath.Join(undoDirOf(state), intentName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("incomplete intent log left: %v", err)
	}
}

// TestCommitRecoversFirst: a commit finds the intent log a crashed process left, recovers it,
// tells Notify, and goes on.
func TestCommitRecoversFirst(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "a\n", "b.go": "b\n"})
	ts := resolveAll(t, dir, "a.go", "b.go")
	var saved map[string]savedFile
	calls := 0
	renameIn = func(d *pinnedDir, from, to string) error {
		if calls++; calls == 2 {
			saved = saveTree(t, dir, state)
		}
		return renameAt(d, from, to)
	}
	t.Cleanup(func() { renameIn = renameAt })
	must(t, Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}}, state))
	renameIn = renameAt
	restoreTree(t, saved, dir, state)

	c := &Committer{StateDir: state}
	var told []string
	c.Notify = func(s string) { told = append(told, s) }
	b := resolveAll(t, dir, "b.go")[0] // read before the recovery: b.go is still as it was
	err := c.Commit([]Change{{b, []byte("B2\n")}})
	if err != nil || len(told) != 1 || told[0] != "rolled back an interrupted edit of a.go, b.go" {
		t.Errorf("Commit() after a crash = %v, told %q, want nil and the roll back", err, told)
	}
	for name, want := range map[string]string{"a.go": "a\n", "b.go": "B2\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// TestAdoptLegacyJournal: the single journal of earlier versions becomes the bottom entry.
func TestAdoptLegacyJournal(t *testing.T) {
	state := t.TempDir()
	dir := commitFiles(t, state, map[string]string{"a.go": "a\n"}, map[string]string{"a.go": "A\n"})
	undo := undoDirOf(state)
	must(t, os.Rename(filepath.Join(undo, entryName(1)), filepath.Join(undo, legacyName)))
	msg, err := Recover(state)
	if msg != "" || err != nil {
		t.Errorf("Recover() with a legacy journal = %q, %v, want nothing to say", msg, err)
	}
	if paths, err := Undo(state); err != nil || len(paths) != 1 {
		t.Fatalf("Undo() of the legacy journal = %q, %v", paths, err)
	}
	if got := readFile(t, filepath.Join(dir, "a.go")); got != "a\n" {
		t.Errorf("a.go = %q, want %q", got, "a\n")
	}
}

// crashAt runs op and puts dir and state back as they were right before rename number n, as a
// SIGKILL at that instant would leave them.
func crashAt(t *testing.T, n int, op func() error, roots ...string) {
	t.Helper()
	var saved map[string]savedFile
	calls := 0
	renameIn = func(d *pinnedDir, from, to string) error {
		if calls++; calls == n {
			saved = saveTree(t, roots...)
		}
		return renameAt(d, from, to)
	}
	err := op()
	renameIn = renameAt
	if err != nil || saved == nil {
		t.Fatalf("the operation to crash = %v after %d renames, want nil and at least %d", err, calls, n)
	}
	restoreTree(t, saved, roots...)
}

// TestRecoverHalfDoneWithLaterChange: a crash between the renames of two files, then a change by
// hand of the file not yet renamed. Recover must not complete the operation (the user never saw
// it succeed, and the entry would record a content never on disk): it puts the renamed file back,
// leaves the changed one, and the undo stack as it was.
func TestRecoverHalfDoneWithLaterChange(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, state string) func() error
		want  map[string]string // after Recover
		stack int               // entries after Recover
		msg   string
	}{
		{"edit", func(t *testing.T, dir, state string) func() error {
			ts := resolveAll(t, dir, "d1/a.go", "d2/b.go")
			return func() error { return Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}}, state) }
		}, map[string]string{"d1/a.go": "a\n", "d2/b.go": "mine\n"}, 0,
			"rolled back an interrupted edit of d1/a.go, d2/b.go; d2/b.go changed since, left as it is"},
		{"undo", func(t *testing.T, dir, state string) func() error {
			ts := resolveAll(t, dir, "d1/a.go", "d2/b.go")
			must(t, Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}}, state))
			return func() error { return errOnly(Undo(state)) }
		}, map[string]string{"d1/a.go": "A\n", "d2/b.go": "mine\n"}, 1,
			"rolled back an interrupted undo of d1/a.go, d2/b.go; d2/b.go changed since, left as it is"},
	}
	for _, tt := range tests {
		dir, state := t.TempDir(), t.TempDir()
		writeTree(t, dir, map[string]string{"d1/a.go": "a\n", "d2/b.go": "b\n"})
		crashAt(t, 2, tt.setup(t, dir, state), dir, state)
		writeFile(t, filepath.Join(dir, "d2/b.go"), "mine\n")
		msg, err := Recover(state)
		if err != nil || msg != tt.msg {
			t.Errorf("%s: Recover() = %q, %v, want %q", tt.name, msg, err, tt.msg)
		}
		for name, want := range tt.want {
			if got := readFile(t, filepath.Join(dir, name)); got != want {
				t.Errorf("%s: after Recover(), %s = %q, want %q", tt.name, name, got, want)
			}
		}
		if n := len(stack(t, state)); n != tt.stack {
			t.Errorf("%s: %d undo entries after Recover(), want %d", tt.name, n, tt.stack)
		}
		noTemps(t, filepath.Join(dir, "d1"), filepath.Join(dir, "d2"))
		if tt.name == "undo" {
			// The entry is intact: undoing it now is refused for the changed file, not forever.
			var conflict *UndoConflictError
			if _, err := Undo(state); !errors.As(err, &conflict) || conflict.Path != "d2/b.go" {
				t.Errorf("%s: Undo() after Recover() = %v, want a conflict on d2/b.go", tt.name, err)
			}
		}
	}
}

// TestRecoverUnpinnableDir: a file whose directory was replaced by a symlink after the crash is
// an error that keeps the intent log (its temp file is still named there), not a change; once
// the directory is back, Recover rolls back and removes that temp file.
func TestRecoverUnpinnableDir(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{"d1/a.go": "a\n", "d2/b.go": "b\n"})
	ts := resolveAll(t, dir, "d1/a.go", "d2/b.go")
	crashAt(t, 2, func() error { return Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}}, state) }, dir, state)
	d2, moved := filepath.Join(dir, "d2"), filepath.Join(dir, "d2.moved")
	must(t, os.Rename(d2, moved))
	must(t, os.Symlink(moved, d2))
	if msg, err := Recover(state); err == nil {
		t.Errorf("Recover() with a directory replaced by a symlink = %q, nil, want an error", msg)
	}
	if _, err := os.Stat(filepath.Join(undoDirOf(state), intentName)); err != nil {
		t.Fatalf("intent log after a failed Recover(): %v, want it kept", err)
	}
	must(t, os.Remove(d2))
	must(t, os.Rename(moved, d2))
	msg, err := Recover(state)
	if want := "rolled back an interrupted edit of d1/a.go, d2/b.go"; err != nil || msg != want {
		t.Errorf("Recover() with the directory back = %q, %v, want %q", msg, err, want)
	}
	for name, want := range map[string]string{"d1/a.go": "a\n", "d2/b.go": "b\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("after Recover(), %s = %q, want %q", name, got, want)
		}
	}
	noTemps(t, filepath.Join(dir, "d1"), d2)
}

// TestRecoverKilledPutBack: a rename fails, and the process is killed while it puts a file back;
// Recover must remove the put-back's temp file too, which the intent log names only through the
// temp file of the write it undoes.
func TestRecoverKilledPutBack(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "a\n", "b.go": "b\n", "c.go": "c\n"})
	ts := resolveAll(t, dir, "a.go", "b.go", "c.go")
	var saved map[string]savedFile
	calls := 0
	renameIn = func(d *pinnedDir, from, to string) error {
		switch calls++; calls {
		case 3:
			return &os.LinkError{Op: "rename", Old: d.join(from), New: d.join(to), Err: syscall.EIO}
		case 4: // putting a.go back
			saved = saveTree(t, dir, state)
		}
		return renameAt(d, from, to)
	}
	t.Cleanup(func() { renameIn = renameAt })
	err := Commit([]Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}, {ts[2], []byte("C\n")}}, state)
	renameIn = renameAt
	if err == nil || saved == nil {
		t.Fatalf("Commit() with the third rename failing = %v after %d renames, want an error and a put-back", err, calls)
	}
	restoreTree(t, saved, dir, state)
	msg, err := Recover(state)
	if want := "rolled back an interrupted edit of a.go, b.go, c.go"; err != nil || msg != want {
		t.Errorf("Recover() = %q, %v, want %q", msg, err, want)
	}
	for name, want := range map[string]string{"a.go": "a\n", "b.go": "b\n", "c.go": "c\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("after Recover(), %s = %q, want %q", name, got, want)
		}
	}
	noTemps(t, dir)
}

// TestRecoverCutIntentRemovesTemps: the temp files are fsynced while the intent log is, so a
// machine crash can leave temp files on disk and the log cut short. Recover removes the temp
// files the remains of the log name (for a file whose record was cut before its temp file's name,
// spark's temp files of that file), and no other file.
func TestRecoverCutIntentRemovesTemps(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "a\n", "b.go": "b\n", "c.go": "c\n"})
	real, err := filepath.EvalSymlinks(dir)
	must(t, err)
	h := &journalHeader{Op: opCommit, Entry: entryName(1), Files: []journalFile{
		{Path: "a.go", Real: filepath.Join(real, "a.go"), Tmp: tempName("a.go"), Old: []byte("a\n")},
		{Path: "b.go", Real: filepath.Join(real, "b.go"), Tmp: tempName("b.go"), Old: []byte("b\n")},
	}}
	data, err := encodeJournal(h)
	must(t, err)
	cut := bytes.Index(data, []byte(`"real":"`+h.Files[1].Real+`"`)) + len(`"real":"`+h.Files[1].Real+`"`)
	must(t, os.MkdirAll(undoDirOf(state), 0o700))
	writeFile(t, filepath.Join(undoDirOf(state), intentName), string(data[:cut]))
	for _, name := range []string{h.Files[0].Tmp, backName(h.Files[0].Tmp), h.Files[1].Tmp} {
		writeFile(t, filepath.Join(dir, name), "new\n")
	}
	other := tempName("c.go") // not named by the log: not Recover's to remove
	writeFile(t, filepath.Join(dir, other), "c2\n")
	msg, err := Recover(state)
	if err != nil || !strings.Contains(msg, "had written nothing") {
		t.Errorf("Recover() = %q, %v, want the incomplete record discarded", msg, err)
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{other, "a.go", "b.go", "c.go"}; !slices.Equal(names, want) {
		t.Errorf("files after Recover() = %q, want %q", names, want)
	}
}
