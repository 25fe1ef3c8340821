package edit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// resolveAll resolves args in dir and fails the test on error.
func resolveAll(t *testing.T, dir string, args ...string) []*Target {
	t.Helper()
	ts, err := Resolve(args, ResolveOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// noTemps fails the test if a temp file of Commit is left in any of dirs.
func noTemps(t *testing.T, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), ".spark-") {
				t.Errorf("temp file %s left in %s", e.Name(), dir)
			}
		}
	}
}

// failRename makes the calls of renameIn numbered in fail (from 1) fail with EIO, for this test.
func failRename(t *testing.T, fail ...int) {
	t.Helper()
	calls := 0
	orig := renameIn
	renameIn = func(d *pinnedDir, from, to string) error {
		calls++
		for _, n := range fail {
			if calls == n {
				return &os.LinkError{Op: "rename", Old: d.join(from), New: d.join(to), Err: syscall.EIO}
			}
		}
		return orig(d, from, to)
	}
	t.Cleanup(func() { renameIn = orig })
}

// failTemp makes the calls of openTemp numbered in fail (from 1) fail with ENOSPC, for this test.
func failTemp(t *testing.T, fail ...int) {
	t.Helper()
	calls := 0
	orig := openTemp
	openTemp = func(d *pinnedDir, name string) (*os.File, error) {
		calls++
		for _, n := range fail {
			if calls == n {
				return nil, &fs.PathError{Op: "open", Path: d.join(name), Err: syscall.ENOSPC}
			}
		}
		return orig(d, name)
	}
	t.Cleanup(func() { openTemp = orig })
}

// stack returns the names of the undo entries in state, bottom first.
func stack(t *testing.T, state string) []string {
	t.Helper()
	names, err := entryNames(undoDirOf(state))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestCommit(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "one\n", "b.go": "two\n", "c.go": "same\n"})
	must(t, os.Chmod(filepath.Join(dir, "a.go"), 0o755))
	ts := resolveAll(t, dir, "a.go", "b.go", "c.go")
	err := Commit([]Change{
		{ts[0], []byte("ONE\n")},
		{ts[1], []byte("TWO\r\nno newline")},
		{ts[2], []byte("same\n")},
	}, "")
	if err != nil {
		t.Fatalf("Commit() = %v, want nil", err)
	}
	for name, want := range map[string]string{"a.go": "ONE\n", "b.go": "TWO\r\nno newline", "c.go": "same\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("after Commit(), %s = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]fs.FileMode{"a.go": 0o755, "b.go": 0o644} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode() != want {
			t.Errorf("after Commit(), mode of %s = %v, want %v", name, fi.Mode(), want)
		}
	}
	noTemps(t, dir)
}

func TestCommitSkipsNoOp(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(t.TempDir(), "state")
	writeTree(t, dir, map[string]string{"a.go": "one\n"})
	before, err := os.Stat(filepath.Join(dir, "a.go"))
	must(t, err)
	ts := resolveAll(t, dir, "a.go")
	if err := Commit([]Change{{ts[0], []byte("one\n")}}, state); err != nil {
		t.Fatalf("Commit(no-op) = %v, want nil", err)
	}
	after, err := os.Stat(filepath.Join(dir, "a.go"))
	must(t, err)
	if !os.SameFile(before, after) || !before.ModTime().Equal(after.ModTime()) {
		t.Errorf("Commit(no-op) replaced the file")
	}
	if _, err := os.Stat(state); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Commit(no-op) touched the state directory: %v", err)
	}
	if err := Commit(nil, state); err != nil {
		t.Errorf("Commit(nil) = %v, want nil", err)
	}
}

func TestCommitSymlink(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"real/a.go": "one\n", "link.go": "->real/a.go"})
	ts := resolveAll(t, dir, "link.go")
	if err := Commit([]Change{{ts[0], []byte("ONE\n")}}, ""); err != nil {
		t.Fatalf("Commit(through a symlink) = %v, want nil", err)
	}
	fi, err := os.Lstat(filepath.Join(dir, "link.go"))
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("after Commit(), link.go is %v, %v, want a symlink still", fi.Mode(), err)
	}
	if got := readFile(t, filepath.Join(dir, "real", "a.go")); got != "ONE\n" {
		t.Errorf("after Commit(), the link's target = %q, want %q", got, "ONE\n")
	}
	noTemps(t, dir, filepath.Join(dir, "real"))
}

func TestCommitOwnerAndSetuid(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "one\n"})
	p := filepath.Join(dir, "a.go")
	must(t, os.Chown(p, 1234, 5678))
	must(t, os.Chmod(p, 0o755|fs.ModeSetuid))
	ts := resolveAll(t, dir, "a.go")
	must(t, Commit([]Change{{ts[0], []byte("ONE\n")}}, ""))
	fi, err := os.Stat(p)
	must(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 1234 || st.Gid != 5678 || fi.Mode() != 0o755 {
		t.Errorf("after Commit(), owner %d:%d mode %v, want 1234:5678 %v", st.Uid, st.Gid, fi.Mode(), fs.FileMode(0o755))
	}
}

func TestCommitConflict(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		check  func(t *testing.T, dir string)
	}{
		{
			name:   "edited",
			change: func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "b.go"), "mine\n") },
			check: func(t *testing.T, dir string) {
				if got := readFile(t, filepath.Join(dir, "b.go")); got != "mine\n" {
					t.Errorf("b.go = %q, want the user's %q", got, "mine\n")
				}
			},
		},
		{
			name: "replaced by a directory",
			change: func(t *testing.T, dir string) {
				must(t, os.Remove(filepath.Join(dir, "b.go")))
				must(t, os.Mkdir(filepath.Join(dir, "b.go"), 0o755))
			},
			check: func(t *testing.T, dir string) {
				if fi, err := os.Stat(filepath.Join(dir, "b.go")); err != nil || !fi.IsDir() {
					t.Errorf("b.go = %v, %v, want the directory left alone", fi, err)
				}
			},
		},
		{
			name:   "removed",
			change: func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, "b.go"))) },
			check: func(t *testing.T, dir string) {
				if _, err := os.Stat(filepath.Join(dir, "b.go")); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("b.go came back: %v", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			state := t.TempDir()
			writeTree(t, dir, map[string]string{"a.go": "one\n", "b.go": "two\n"})
			ts := resolveAll(t, dir, "a.go", "b.go")
			tt.change(t, dir)
			err := Commit([]Change{{ts[0], []byte("ONE\n")}, {ts[1], []byte("TWO\n")}}, state)
			var conflict *ConflictError
			if !errors.As(err, &conflict) || conflict.Path != "b.go" {
				t.Fatalf("Commit() after b.go was %s = %v, want a *ConflictError for b.go", tt.name, err)
			}
			want := "b.go changed on disk while the model was writing; nothing written (run the edit again)"
			if err.Error() != want {
				t.Errorf("Commit() = %q, want %q", err, want)
			}
			if got := readFile(t, filepath.Join(dir, "a.go")); got != "one\n" {
				t.Errorf("a.go = %q, want it unchanged", got)
			}
			if names := stack(t, state); len(names) != 0 {
				t.Errorf("undo entries %q were written for a refused commit", names)
			}
			if _, err := os.Stat(filepath.Join(undoDirOf(state), intentName)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("an intent log was left by a refused commit: %v", err)
			}
			tt.check(t, dir)
			noTemps(t, dir)
		})
	}
}

// TestCommitAllOrNothing makes the second of two files fail at each step and checks that the
// first is left (or put back) as it was, and that no temp file is left in either directory.
func TestCommitAllOrNothing(t *testing.T) {
	tests := []struct {
		name    string
		nonRoot bool // root would not fail
		setup   func(t *testing.T, dir string)
		wantErr string
	}{
		{
			name:    "read-only directory",
			nonRoot: true,
			setup: func(t *testing.T, dir string) {
				must(t, os.Chmod(filepath.Join(dir, "d2"), 0o555))
				t.Cleanup(func() { os.Chmod(filepath.Join(dir, "d2"), 0o755) })
			},
			wantErr: "write d2/b.go: open %s: permission denied; nothing written",
		},
		{
			name:    "temp file cannot be created",
			setup:   func(t *testing.T, dir string) { failTemp(t, 2) },
			wantErr: "write d2/b.go: open %s: no space left on device; nothing written",
		},
		{
			name:    "second rename fails",
			setup:   func(t *testing.T, dir string) { failRename(t, 2) },
			wantErr: "write d2/b.go: rename %s: input/output error; restored d1/a.go, nothing changed",
		},
		{
			name:    "first rename fails",
			setup:   func(t *testing.T, dir string) { failRename(t, 1) },
			wantErr: "write d1/a.go: rename %s: input/output error; nothing written",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.nonRoot && os.Geteuid() == 0 {
				t.Skip("root writes into read-only directories; the temp-file case covers this path")
			}
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"d1/a.go": "one\n", "d2/b.go": "two\n"})
			ts := resolveAll(t, dir, "d1/a.go", "d2/b.go")
			tt.setup(t, dir)
			state := t.TempDir()
			err := Commit([]Change{{ts[0], []byte("ONE\n")}, {ts[1], []byte("TWO\n")}}, state)
			if err == nil || !matchesWithPath(err.Error(), tt.wantErr) {
				t.Errorf("Commit() = %v, want %s", err, tt.wantErr)
			}
			for name, want := range map[string]string{"d1/a.go": "one\n", "d2/b.go": "two\n"} {
				if got := readFile(t, filepath.Join(dir, name)); got != want {
					t.Errorf("after a failed Commit(), %s = %q, want %q", name, got, want)
				}
			}
			noTemps(t, filepath.Join(dir, "d1"), filepath.Join(dir, "d2"))
			if names := stack(t, state); len(names) != 0 {
				t.Errorf("undo entries %q after a failed Commit(), want none", names)
			}
			if msg, err := Recover(state); msg != "" || err != nil {
				t.Errorf("Recover() after a failed Commit() = %q, %v, want nothing to recover", msg, err)
			}
		})
	}
}

// matchesWithPath reports whether got equals the pattern want, where a %s in want stands for a
// path and anything up to the next ": ".
func matchesWithPath(got, want string) bool {
	before, after, ok := strings.Cut(want, "%s")
	if !ok {
		return got == want
	}
	if !strings.HasPrefix(got, before) {
		return false
	}
	rest := got[len(before):]
	i := strings.Index(rest, ": ")
	return i >= 0 && rest[i:] == after
}

func TestCommitRestoreFails(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "one\n", "b.go": "two\n"})
	ts := resolveAll(t, dir, "a.go", "b.go")
	state := t.TempDir()
	failRename(t, 2, 3)
	err := Commit([]Change{{ts[0], []byte("ONE\n")}, {ts[1], []byte("TWO\n")}}, state)
	want := "a.go already written and could not be restored"
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("Commit() = %v, want one line saying %q", err, want)
	}
	noTemps(t, dir)
	// The intent log stays, and the next command finishes the roll back.
	renameIn = renameAt
	msg, err := Recover(state)
	if want := "rolled back an interrupted edit of a.go, b.go"; err != nil || msg != want {
		t.Errorf("Recover() = %q, %v, want %q", msg, err, want)
	}
	for name, want := range map[string]string{"a.go": "one\n", "b.go": "two\n"} {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("after Recover(), %s = %q, want %q", name, got, want)
		}
	}
}

func TestCommitRefuses(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "one\n", "link.go": "->a.go"})
	a := resolveAll(t, dir, "a.go")[0]
	link := resolveAll(t, dir, "link.go")[0]
	tests := []struct {
		name    string
		changes []Change
		want    string
	}{
		{"same file twice", []Change{{a, []byte("x\n")}, {link, []byte("y\n")}}, "commit link.go: the same file is changed twice"},
		{"not resolved", []Change{{&Target{Path: "-", Content: []byte("x")}, []byte("y")}}, "commit -: not read from disk"},
		{"no target", []Change{{nil, []byte("y")}}, "commit: change without a target"},
	}
	for _, tt := range tests {
		err := Commit(tt.changes, "")
		if err == nil || err.Error() != tt.want {
			t.Errorf("Commit(%s) = %v, want %v", tt.name, err, tt.want)
		}
	}
	if got := readFile(t, filepath.Join(dir, "a.go")); got != "one\n" {
		t.Errorf("a.go = %q after refused commits, want it unchanged", got)
	}
}

// TestCommitIntentBeforeRenames checks that the intent log is on disk, whole, when the first
// rename runs, naming every temp file, and that it is the undo entry once the commit is done.
func TestCommitIntentBeforeRenames(t *testing.T) {
	dir := t.TempDir()
	state := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "one\n", "b.go": "two\n"})
	ts := resolveAll(t, dir, "a.go", "b.go")
	var seen error = errors.New("rename never called")
	renameIn = func(d *pinnedDir, from, to string) error {
		if seen != nil {
			var data []byte
			data, seen = os.ReadFile(filepath.Join(undoDirOf(state), intentName))
			if seen == nil {
				var h *journalHeader
				if h, seen = readJournal(data); seen == nil && (len(h.Files) != 2 || h.Files[0].Tmp != from) {
					seen = fmt.Errorf("intent %+v does not name the temp file %s", h.Files, from)
				}
			}
		}
		return renameAt(d, from, to)
	}
	t.Cleanup(func() { renameIn = renameAt })
	must(t, Commit([]Change{{ts[0], []byte("ONE\n")}, {ts[1], []byte("TWO\n")}}, state))
	if seen != nil {
		t.Errorf("intent log at the first rename: %v, want it written", seen)
	}
	if names := stack(t, state); len(names) != 1 {
		t.Errorf("undo entries after Commit() = %q, want one", names)
	}
	if _, err := os.Stat(filepath.Join(undoDirOf(state), intentName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("intent log after Commit(): %v, want it gone", err)
	}
}

func BenchmarkCommit(b *testing.B) {
	var text strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&text, "\tline %d of a file that is being edited by the model, more or less\n", i)
	}
	versions := [2][]byte{[]byte(text.String()), []byte(strings.Replace(text.String(), "line 5000 ", "LINE 5000 ", 1))}
	for _, bench := range []struct {
		name    string
		journal bool
	}{{"journal", true}, {"no-journal", false}} {
		b.Run(bench.name, func(b *testing.B) {
			dir := b.TempDir()
			state := ""
			if bench.journal {
				state = b.TempDir()
			}
			p := filepath.Join(dir, "big.go")
			if err := os.WriteFile(p, versions[0], 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(versions[0])))
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ts, err := Resolve([]string{p}, ResolveOptions{Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := Commit([]Change{{ts[0], versions[(i+1)%2]}}, state); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFailedCommitKeepsUndo: a commit that fails before its renames leaves the previous edit's
// journal in place, so that edit can still be undone.
func TestFailedCommitKeepsUndo(t *testing.T) {
	dir := t.TempDir()
	state := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "one\n", "b.go": "two\n"})
	ts := resolveAll(t, dir, "a.go", "b.go")
	must(t, Commit([]Change{{ts[0], []byte("ONE\n")}}, state))

	orig := openTemp
	failTemp(t, 1)
	if err := Commit([]Change{{ts[1], []byte("TWO\n")}}, state); err == nil {
		t.Fatal("Commit with no space for its temp file succeeded")
	}
	openTemp = orig

	restored, err := Undo(state)
	if err != nil || len(restored) != 1 || restored[0] != "a.go" {
		t.Fatalf("Undo after a failed commit = %q, %v; want the earlier edit of a.go undone", restored, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.go")); string(got) != "one\n" {
		t.Errorf("a.go after undo = %q, want %q", got, "one\n")
	}
	if names := stack(t, state); len(names) != 0 {
		t.Errorf("undo stack after undo holds %q, want nothing", names)
	}
}
