package edit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// commitFiles writes files into a new directory, resolves them, commits newContent (name -> new
// text) with a journal in state, and returns the directory.
func commitFiles(t *testing.T, state string, files, newContent map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	var names []string
	for name := range newContent {
		names = append(names, name)
	}
	slices.Sort(names)
	var changes []Change
	for i, tg := range resolveAll(t, dir, names...) {
		changes = append(changes, Change{tg, []byte(newContent[names[i]])})
	}
	if err := Commit(changes, state); err != nil {
		t.Fatalf("Commit() = %v", err)
	}
	return dir
}

func TestUndoRoundTrip(t *testing.T) {
	old := map[string]string{
		"crlf.go":   "package main\r\n\r\nfunc main() {}\r\n",
		"bom.txt":   "\ufeffhello\n",
		"nonl.go":   "no final newline",
		"sub/x.txt": "keep\n",
		"same.txt":  "unchanged\n",
	}
	state := filepath.Join(t.TempDir(), "state")
	dir := commitFiles(t, state, old, map[string]string{
		"crlf.go":   "package main\r\n\r\nfunc main() { println() }\r\n",
		"bom.txt":   "\ufeffHELLO\n",
		"nonl.go":   "no final newline, still",
		"sub/x.txt": "",
		"same.txt":  "unchanged\n",
	})
	must(t, os.Chmod(filepath.Join(dir, "crlf.go"), 0o755))
	paths, err := Undo(state)
	want := []string{"bom.txt", "crlf.go", "nonl.go", "sub/x.txt"}
	if err != nil || !slices.Equal(paths, want) {
		t.Fatalf("Undo() = %q, %v, want %q", paths, err, want)
	}
	for name, content := range old {
		if got := readFile(t, filepath.Join(dir, name)); got != content {
			t.Errorf("after Undo(), %s = %q, want %q", name, got, content)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "crlf.go")); err != nil || fi.Mode() != 0o755 {
		t.Errorf("after Undo(), mode of crlf.go = %v, %v, want %v", fi.Mode(), err, fs.FileMode(0o755))
	}
	noTemps(t, dir, filepath.Join(dir, "sub"))
	if _, err := Undo(state); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("second Undo() = %v, want %v", err, ErrNothingToUndo)
	}
}

func TestUndoNothing(t *testing.T) {
	state := t.TempDir()
	for range 2 {
		paths, err := Undo(state)
		if !errors.Is(err, ErrNothingToUndo) || err.Error() != "nothing to undo" || paths != nil {
			t.Errorf("Undo() with no journal = %q, %v, want nothing to undo", paths, err)
		}
	}
}

func TestUndoRefusesLaterChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, p string)
	}{
		{"edited", func(t *testing.T, p string) { writeFile(t, p, "B, by hand\n") }},
		{"edited, same size", func(t *testing.T, p string) { writeFile(t, p, "X\n") }},
		{"removed", func(t *testing.T, p string) { must(t, os.Remove(p)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			dir := commitFiles(t, state, map[string]string{"a.go": "a\n", "b.go": "b\n"},
				map[string]string{"a.go": "A\n", "b.go": "B\n"})
			p := filepath.Join(dir, "b.go")
			tt.change(t, p)
			var later string
			if b, err := os.ReadFile(p); err == nil {
				later = string(b)
			}
			_, err := Undo(state)
			var conflict *UndoConflictError
			if !errors.As(err, &conflict) || conflict.Path != "b.go" {
				t.Fatalf("Undo() after b.go was %s = %v, want an *UndoConflictError for b.go", tt.name, err)
			}
			if want := "b.go changed after the last edit; nothing restored"; err.Error() != want {
				t.Errorf("Undo() = %q, want %q", err, want)
			}
			if got := readFile(t, filepath.Join(dir, "a.go")); got != "A\n" {
				t.Errorf("after a refused Undo(), a.go = %q, want %q", got, "A\n")
			}
			if later != "" {
				if got := readFile(t, p); got != later {
					t.Errorf("after a refused Undo(), b.go = %q, want the later %q", got, later)
				}
			}
			if _, err := os.Stat(journalPath(state)); err != nil {
				t.Errorf("a refused Undo() removed the journal: %v", err)
			}
		})
	}
}

// TestUndoAfterInterruptedCommit plays a crash after the first of two renames: Undo restores the
// renamed file and leaves the other, which still holds its old content.
func TestUndoAfterInterruptedCommit(t *testing.T) {
	state := t.TempDir()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "a\n", "b.go": "b\n"})
	ts := resolveAll(t, dir, "a.go", "b.go")
	must(t, Record(state, []Change{{ts[0], []byte("A\n")}, {ts[1], []byte("B\n")}}))
	writeFile(t, filepath.Join(dir, "a.go"), "A\n")
	paths, err := Undo(state)
	if err != nil || !slices.Equal(paths, []string{"a.go"}) {
		t.Fatalf("Undo() = %q, %v, want [a.go]", paths, err)
	}
	for name, want := range map[string]string{"a.go": "a\n", "b.go": "b\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("after Undo(), %s = %q, want %q", name, got, want)
		}
	}
	// A crash before any rename: nothing to restore.
	must(t, Record(state, []Change{{ts[0], []byte("A\n")}}))
	if _, err := Undo(state); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo() with nothing renamed = %v, want %v", err, ErrNothingToUndo)
	}
	if _, err := os.Stat(journalPath(state)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("journal left after Undo() found nothing to do: %v", err)
	}
}

func TestRecordKeepsLastEdit(t *testing.T) {
	state := t.TempDir()
	dir := commitFiles(t, state, map[string]string{"a.go": "a\n", "b.go": "b\n"}, map[string]string{"a.go": "A\n"})
	// A second edit replaces the journal; a no-op edit leaves it.
	b := resolveAll(t, dir, "b.go")[0]
	must(t, Commit([]Change{{b, []byte("B\n")}}, state))
	a := resolveAll(t, dir, "a.go")[0]
	must(t, Commit([]Change{{a, []byte("A\n")}}, state))
	paths, err := Undo(state)
	if err != nil || !slices.Equal(paths, []string{"b.go"}) {
		t.Fatalf("Undo() = %q, %v, want [b.go]", paths, err)
	}
	if got := readFile(t, filepath.Join(dir, "a.go")); got != "A\n" {
		t.Errorf("Undo() reverted an older edit: a.go = %q", got)
	}
}

func TestJournalPerms(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	commitFiles(t, state, map[string]string{"a.go": "a\n"}, map[string]string{"a.go": "A\n"})
	for p, want := range map[string]fs.FileMode{
		state:                        fs.ModeDir | 0o700,
		filepath.Join(state, "undo"): fs.ModeDir | 0o700,
		journalPath(state):           0o600,
	} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("mode of %s = %v, %v, want %v", p, fi.Mode(), err, want)
		}
	}
	entries, err := os.ReadDir(filepath.Join(state, "undo"))
	if err != nil || len(entries) != 1 {
		t.Errorf("undo directory holds %v, %v, want the journal alone", entries, err)
	}
}

func TestUndoBadJournal(t *testing.T) {
	state := t.TempDir()
	dir := commitFiles(t, state, map[string]string{"a.go": "a\n"}, map[string]string{"a.go": "A\n"})
	good, err := os.ReadFile(journalPath(state))
	must(t, err)
	tests := []struct {
		name, data, want string
	}{
		{"not a journal", "{not json", "not a spark undo journal"},
		{"truncated header", journalMagic + `{"files":[`, "truncated header"},
		{"bad header", journalMagic + "{not json\n", "invalid character"},
		{"truncated content", string(good[:len(good)-1]), "truncated content"},
		{"trailing data", string(good) + "x", "trailing data"},
	}
	for _, tt := range tests {
		writeFile(t, journalPath(state), tt.data)
		_, err := Undo(state)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Undo() with a journal that is %s = %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
	if got := readFile(t, filepath.Join(dir, "a.go")); got != "A\n" {
		t.Errorf("Undo() with a bad journal changed a.go to %q", got)
	}
	writeFile(t, journalPath(state), string(good))
	if _, err := Undo(state); err != nil {
		t.Errorf("Undo() with the journal put back = %v, want nil", err)
	}
}
