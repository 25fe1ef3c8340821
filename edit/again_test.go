package edit

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A kept conversation is private, read back by Retake, refused once the file changed, and removed
// with its entry by Undo.
func TestKeepRetake(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	file := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(file, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	targets, err := Resolve([]string{"a.txt"}, ResolveOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := &Committer{StateDir: state, Command: "spark edit a.txt x"}
	if err := c.Commit([]Change{{Target: targets[0], New: []byte("b\n")}}); err != nil {
		t.Fatal(err)
	}
	conv := &Conversation{Model: "m", Format: FormatV4A, Dir: dir, Targets: NewSentTargets([]string{"a.txt"}, targets),
		Messages: []Message{{Role: "user", Content: "x"}}, Reply: "r"}
	if err := c.Keep(conv); err != nil {
		t.Fatal(err)
	}
	p := conversationPath(undoDirOf(state), c.entry)
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("conversation file: %v, %v; want mode 0600", fi, err)
	}
	r, err := Retake(state)
	if err != nil {
		t.Fatal(err)
	}
	if r.Conversation.Reply != "r" || string(r.Before[0]) != "a\n" || r.Command != "spark edit a.txt x" {
		t.Fatalf("Retake = %+v, before %q", r.Conversation, r.Before)
	}

	os.WriteFile(file, []byte("c\n"), 0o644)
	var conflict *UndoConflictError
	if _, err := Retake(state); !errors.As(err, &conflict) {
		t.Fatalf("Retake after a change: %v, want an *UndoConflictError", err)
	}
	if _, err := UndoID(state, "other"); !errors.Is(err, ErrStackMoved) {
		t.Fatalf("UndoID of another entry: %v, want ErrStackMoved", err)
	}
	os.WriteFile(file, []byte("b\n"), 0o644)
	if _, err := UndoID(state, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("conversation after undo: %v, want gone", err)
	}
	if _, err := Retake(state); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("Retake of an empty stack: %v", err)
	}
}
