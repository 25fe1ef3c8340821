package edit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNoConversation is returned by Retake when the top undo entry has no stored conversation:
// it was made by an older spark, or its conversation file was lost.
var ErrNoConversation = errors.New("the last edit's conversation was not stored (made by an older spark?)")

// ErrSeveralCommits is returned by Retake when the top entry holds more than one commit (a
// spark fix -- COMMAND that applied several fixes): its last conversation saw files that
// taking the whole entry back would not restore.
var ErrSeveralCommits = errors.New("the last command applied several edits; spark undo it and ask anew")

// ErrStackMoved is returned by UndoID when the top of the undo stack is no longer the entry asked for.
var ErrStackMoved = errors.New("the undo stack changed meanwhile; nothing restored")

// Message is one message of a stored conversation.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// SentTarget is one target of a stored conversation: the argument that named it and the hash of
// the content the model was shown.
type SentTarget struct {
	Arg    string `json:"arg"`  // as given to Resolve: PATH or PATH:START-END
	Path   string `json:"path"` // Target.Path
	Real   string `json:"real"`
	Start  int    `json:"start,omitempty"`
	End    int    `json:"end,omitempty"`
	SHA256 string `json:"sha256"`
}

// Conversation is what one spark command sent the model for the edit on top of the undo stack,
// exactly as sent (already redacted), and the reply it applied, so that `spark again` can ask
// again with a byte-identical prefix.
type Conversation struct {
	ID       string       `json:"id"` // the undo entry's ID
	Model    string       `json:"model"`
	Format   Format       `json:"format"`
	Dir      string       `json:"dir"` // where the targets were resolved
	Targets  []SentTarget `json:"targets"`
	Messages []Message    `json:"messages"`
	Reply    string       `json:"reply"`
}

// NewSentTargets records the targets resolved from args (one target per arg, as for explicit
// paths) with the hash of what was sent.
func NewSentTargets(args []string, targets []*Target) []SentTarget {
	out := make([]SentTarget, len(targets))
	for i, t := range targets {
		arg := t.Path
		if i < len(args) && len(args) == len(targets) {
			arg = args[i]
		} else if t.Start > 0 {
			arg = fmt.Sprintf("%s:%d-%d", t.Path, t.Start, t.End)
		}
		out[i] = SentTarget{Arg: arg, Path: t.Path, Real: t.Real, Start: t.Start, End: t.End, SHA256: sha256Hex(t.Content)}
	}
	return out
}

func conversationPath(undoDir, entry string) string { return filepath.Join(undoDir, entry+".conv") }

// Keep stores conv with the entry the Committer's commits made, replacing an earlier one, in a
// file only the user can read. It does nothing before the first commit or without a state
// directory.
func (c *Committer) Keep(conv *Conversation) error {
	if c.StateDir == "" || c.entry == "" {
		return nil
	}
	conv.ID = c.id
	data, err := json.Marshal(conv)
	if err != nil {
		return err
	}
	undoDir := undoDirOf(c.StateDir)
	p := conversationPath(undoDir, c.entry)
	tmp := p + "." + tempName("conv")[1:]
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("store conversation: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store conversation: %w", err)
	}
	return nil
}

// Retaken is the top undo entry and the conversation that made it, ready to be asked again.
type Retaken struct {
	ID           string
	Command      string
	Conversation *Conversation
	// Before is, for each of the conversation's targets, its content before the entry's
	// command: what the model saw.
	Before [][]byte
}

// Retake reads the top entry of the undo stack in stateDir and its conversation, and checks
// that its files still hold what the command left. It changes nothing. Errors:
// ErrNothingToUndo, an *UndoConflictError naming a file changed since, ErrNoConversation,
// ErrSeveralCommits, and failures to read.
func Retake(stateDir string) (*Retaken, error) {
	undoDir := undoDirOf(stateDir)
	name, h, err := topEntry(undoDir)
	if err != nil {
		return nil, err
	}
	for _, f := range h.Files {
		content, err := os.ReadFile(f.Real)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &UndoConflictError{Path: f.Path}
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Path, err)
		}
		if sha256Hex(content) != f.NewSHA256 {
			return nil, &UndoConflictError{Path: f.Path}
		}
	}
	data, err := os.ReadFile(conversationPath(undoDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoConversation
	}
	if err != nil {
		return nil, fmt.Errorf("read conversation: %w", err)
	}
	var conv Conversation
	if err := json.Unmarshal(data, &conv); err != nil || conv.ID != h.ID || len(conv.Messages) == 0 {
		return nil, ErrNoConversation
	}
	r := &Retaken{ID: h.ID, Command: h.Command, Conversation: &conv}
	for _, t := range conv.Targets {
		var before []byte
		known := false
		for _, f := range h.Files {
			if f.Real == t.Real {
				before, known = f.Old, true
			}
		}
		if !known {
			if before, err = os.ReadFile(t.Real); err != nil {
				return nil, fmt.Errorf("read %s: %w", t.Path, err)
			}
		}
		if sha256Hex(before) != t.SHA256 {
			if known {
				return nil, ErrSeveralCommits
			}
			return nil, &UndoConflictError{Path: t.Path}
		}
		r.Before = append(r.Before, before)
	}
	return r, nil
}

// UndoID is Undo, but only when the top entry is the one with the ID id (see Retaken.ID);
// otherwise it returns ErrStackMoved and changes nothing.
func UndoID(stateDir, id string) ([]string, error) {
	return undo(stateDir, id)
}
