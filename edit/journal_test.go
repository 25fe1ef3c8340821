package edit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
			if names := stack(t, state); len(names) != 1 {
				t.Errorf("a refused Undo() left the undo stack as %q, want its entry", names)
			}
		})
	}
}

func TestUndoStack(t *testing.T) {
	state := t.TempDir()
	dir := t.TempDir()
	orig := map[string]string{"a.go": "a\n", "b.go": "b\r\nno newline"}
	writeTree(t, dir, orig)
	edits := []map[string]string{
		{"a.go": "A\n"},
		{"a.go": "AA\n", "b.go": "B"},
		{"b.go": ""},
	}
	var snapshots []map[string]string
	for _, e := range edits {
		snapshots = append(snapshots, map[string]string{"a.go": readFile(t, filepath.Join(dir, "a.go")), "b.go": readFile(t, filepath.Join(dir, "b.go"))})
		var changes []Change
		for _, name := range []string{"a.go", "b.go"} {
			if text, ok := e[name]; ok {
				changes = append(changes, Change{resolveAll(t, dir, name)[0], []byte(text)})
			}
		}
		c := &Committer{StateDir: state, Command: "spark edit"}
		must(t, c.Commit(changes))
	}
	for i := len(edits) - 1; i >= 0; i-- {
		if _, err := Undo(state); err != nil {
			t.Fatalf("Undo() of edit %d = %v", i, err)
		}
		for name, want := range snapshots[i] {
			if got := readFile(t, filepath.Join(dir, name)); got != want {
				t.Errorf("after undoing edit %d, %s = %q, want %q", i, name, got, want)
			}
		}
	}
	if _, err := Undo(state); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo() past the bottom = %v, want %v", err, ErrNothingToUndo)
	}
}

func TestUndoStackBounded(t *testing.T) {
	state := t.TempDir()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "0\n"})
	for i := 1; i <= maxEntries+5; i++ {
		must(t, Commit([]Change{{resolveAll(t, dir, "a.go")[0], []byte(strconv.Itoa(i) + "\n")}}, state))
	}
	if n := len(stack(t, state)); n != maxEntries {
		t.Fatalf("undo stack after %d commits holds %d entries, want %d", maxEntries+5, n, maxEntries)
	}
	for range maxEntries {
		must(t, errOnly(Undo(state)))
	}
	if got := readFile(t, filepath.Join(dir, "a.go")); got != "5\n" {
		t.Errorf("after %d undos a.go = %q, want %q", maxEntries, got, "5\n")
	}
	if _, err := Undo(state); !errors.Is(err, ErrNothingToUndo) {
		t.Errorf("Undo() past the bound = %v, want %v", err, ErrNothingToUndo)
	}
}

func errOnly[T any](_ T, err error) error { return err }

// TestCommitterOneEntry: the commits of one Committer (the fixes of one spark fix) make one undo
// entry, which restores every file as it was before the first; a commit of another command in
// between starts a new entry.
func TestCommitterOneEntry(t *testing.T) {
	state := t.TempDir()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "a\n", "b.go": "b\n", "c.go": "c\n"})
	fix := &Committer{StateDir: state, Command: "spark fix -- go test"}
	must(t, fix.Commit([]Change{{resolveAll(t, dir, "a.go")[0], []byte("A1\n")}}))
	must(t, fix.Commit([]Change{{resolveAll(t, dir, "a.go")[0], []byte("A2\n")}, {resolveAll(t, dir, "b.go")[0], []byte("B\n")}}))
	list, err := UndoList(state)
	if err != nil || len(list) != 1 || !slices.Equal(list[0].Paths, []string{"a.go", "b.go"}) || list[0].Command != "spark fix -- go test" {
		t.Fatalf("UndoList() after two fixes = %+v, %v, want one entry for a.go, b.go", list, err)
	}
	// Another command's commit in between: the fix's next commit gets an entry of its own.
	must(t, Commit([]Change{{resolveAll(t, dir, "c.go")[0], []byte("C\n")}}, state))
	must(t, fix.Commit([]Change{{resolveAll(t, dir, "a.go")[0], []byte("A3\n")}}))
	if n := len(stack(t, state)); n != 3 {
		t.Errorf("undo entries = %d, want 3", n)
	}
	for range 3 {
		must(t, errOnly(Undo(state)))
	}
	for name, want := range map[string]string{"a.go": "a\n", "b.go": "b\n", "c.go": "c\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("after three undos, %s = %q, want %q", name, got, want)
		}
	}
}

func TestUndoList(t *testing.T) {
	state := t.TempDir()
	if list, err := UndoList(state); err != nil || len(list) != 0 {
		t.Errorf("UndoList() of nothing = %v, %v, want empty", list, err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "a\n", "b.go": "b\n"})
	before := time.Now()
	must(t, (&Committer{StateDir: state, Command: "first"}).Commit([]Change{{resolveAll(t, dir, "a.go")[0], []byte("A\n")}}))
	must(t, (&Committer{StateDir: state, Command: "second"}).Commit([]Change{
		{resolveAll(t, dir, "b.go")[0], []byte("B\n")}, {resolveAll(t, dir, "a.go")[0], []byte("AA\n")}}))
	list, err := UndoList(state)
	if err != nil || len(list) != 2 {
		t.Fatalf("UndoList() = %+v, %v, want two entries", list, err)
	}
	for i, want := range []struct {
		cmd   string
		paths []string
	}{{"second", []string{"b.go", "a.go"}}, {"first", []string{"a.go"}}} {
		e := list[i]
		if e.Command != want.cmd || !slices.Equal(e.Paths, want.paths) || e.Time.Before(before.Add(-time.Second)) {
			t.Errorf("UndoList()[%d] = %+v, want %s %q", i, e, want.cmd, want.paths)
		}
	}
}

func TestJournalPerms(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	commitFiles(t, state, map[string]string{"a.go": "a\n"}, map[string]string{"a.go": "A\n"})
	undo := undoDirOf(state)
	for p, want := range map[string]fs.FileMode{
		state:                             fs.ModeDir | 0o700,
		undo:                              fs.ModeDir | 0o700,
		filepath.Join(undo, "lock"):       0o600,
		filepath.Join(undo, entryName(1)): 0o600,
	} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != want {
			t.Errorf("mode of %s = %v, %v, want %v", p, fi.Mode(), err, want)
		}
	}
	entries, err := os.ReadDir(undo)
	if err != nil || len(entries) != 2 {
		t.Errorf("undo directory holds %v, %v, want the lock and one entry", entries, err)
	}
}

func TestUndoBadJournal(t *testing.T) {
	state := t.TempDir()
	dir := commitFiles(t, state, map[string]string{"a.go": "a\n"}, map[string]string{"a.go": "A\n"})
	top := filepath.Join(undoDirOf(state), entryName(1))
	good, err := os.ReadFile(top)
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
		writeFile(t, top, tt.data)
		_, err := Undo(state)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Undo() with a journal that is %s = %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
	if got := readFile(t, filepath.Join(dir, "a.go")); got != "A\n" {
		t.Errorf("Undo() with a bad journal changed a.go to %q", got)
	}
	writeFile(t, top, string(good))
	if _, err := Undo(state); err != nil {
		t.Errorf("Undo() with the journal put back = %v, want nil", err)
	}
}
