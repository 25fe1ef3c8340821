package edit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
