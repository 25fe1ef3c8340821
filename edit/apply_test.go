package edit

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spark-cli/spark/edit/patch"
)

// applyCases are replies to the files "cmd/edit.go" and "notes.txt", with what they make of
// them: the new content by path, or the kind of error.
var applyCases = []struct {
	name   string
	format Format
	reply  string
	want   map[string]string // path -> new content; nil with wantErr
	// wantErr is the error's kind: "noedit", "refused:REASON", "hunk", "parse", "format" or
	// "control" or "syntax"; "refused:unnamed" is a file sent without a name.
	wantErr string
}{
	{
		name:  "v4a",
		reply: "Rename x.\n*** Begin Patch\n*** Update File: cmd/edit.go\n@@\n package cmd\n-var x = 1\n+var y = 1\n*** End Patch\n",
		want:  map[string]string{"cmd/edit.go": "package cmd\nvar y = 1\n"},
	},
	{
		name:  "search-replace two files",
		reply: "cmd/edit.go\n<<<<<<< SEARCH\nvar x = 1\n=======\nvar x = 2\n>>>>>>> REPLACE\nnotes.txt\n<<<<<<< SEARCH\nb\n=======\nB\n>>>>>>> REPLACE\n",
		want:  map[string]string{"cmd/edit.go": "package cmd\nvar x = 2\n", "notes.txt": "a\nB\nc\n"},
	},
	{
		name:  "leading directory dropped",
		reply: "*** Begin Patch\n*** Update File: edit.go\n@@\n-var x = 1\n+var x = 3\n*** End Patch\n",
		want:  map[string]string{"cmd/edit.go": "package cmd\nvar x = 3\n"},
	},
	{
		name:  "already there",
		reply: "*** Begin Patch\n*** Update File: notes.txt\n@@\n a\n-b\n+b\n c\n*** End Patch\n",
		want:  map[string]string{},
	},
	{
		name:    "words only",
		reply:   "The file already does this.\nNothing to change.\n",
		wantErr: "noedit",
	},
	{
		name:    "creates a file",
		reply:   "*** Begin Patch\n*** Add File: new.go\n+package cmd\n*** End Patch\n",
		wantErr: "refused:creates",
	},
	{
		name:    "deletes a file",
		reply:   "*** Begin Patch\n*** Delete File: notes.txt\n*** End Patch\n",
		wantErr: "refused:deletes",
	},
	{
		name:    "edits a file not named",
		reply:   "*** Begin Patch\n*** Update File: other.go\n@@\n-a\n+b\n*** End Patch\n",
		wantErr: "refused:edits",
	},
	{
		name:    "context not found",
		reply:   "*** Begin Patch\n*** Update File: notes.txt\n@@\n a\n-q\n+Q\n c\n*** End Patch\n",
		wantErr: "hunk",
	},
	{
		name:    "snippet passed off as a file",
		reply:   "notes.txt\n```\nB\n```\n",
		wantErr: "parse",
	},
	{
		name:   "whole file asked for",
		format: FormatWhole,
		reply:  "notes.txt\n```\na\nB\nc\n```\n",
		want:   map[string]string{"notes.txt": "a\nB\nc\n"},
	},
	{
		name:    "control bytes into a text file",
		reply:   "*** Begin Patch\n*** Update File: notes.txt\n@@\n a\n-b\n+b\x1b]52;c;eA==\x07\n c\n*** End Patch\n",
		wantErr: "control",
	},
	{
		name:    "breaks go syntax",
		reply:   "*** Begin Patch\n*** Update File: cmd/edit.go\n@@\n package cmd\n-var x = 1\n+var x = (1\n*** End Patch\n",
		wantErr: "syntax",
	},
	{
		name:   "whole file named in the prose",
		format: FormatWhole,
		reply:  "Here is the new `notes.txt`:\n```\na\nB\nc\n```\n",
		want:   map[string]string{"notes.txt": "a\nB\nc\n"},
	},
	{
		name:    "whole file without a name",
		format:  FormatWhole,
		reply:   "Here it is:\n```\na\nB\nc\n```\n",
		wantErr: "refused:unnamed",
	},
	{
		name:    "search-replace without a file name",
		reply:   "<<<<<<< SEARCH\nb\n=======\nB\n>>>>>>> REPLACE\n",
		wantErr: "refused:unnamed",
	},
	{
		name:    "fence without an edit",
		reply:   "no edit needed.\n```text\nhello world\n```\n",
		wantErr: "parse",
	},
}

func applyTargets() []*Target {
	return []*Target{
		{Path: "cmd/edit.go", Content: []byte("package cmd\nvar x = 1\n")},
		{Path: "notes.txt", Content: []byte("a\nb\nc\n")},
	}
}

// applyResult runs one reply, cut into pieces, through an Applier as a stream would (stopping
// at ErrEarlyMismatch), and describes the outcome, and the events seen when none stopped it.
func applyResult(format Format, pieces []string) (outcome, events string) {
	a := NewApplier(applyTargets(), ApplyOptions{Format: format})
	var ev strings.Builder
	// The start of a prose line shown before its newline depends on the cut; the line it
	// begins must follow.
	var part string
	badPart := ""
	a.Start(func(e Event) {
		switch {
		case e.Kind == EvProsePart:
			part += e.Text
			return
		case e.Kind == EvProse && !strings.HasPrefix(e.Text, part):
			badPart = fmt.Sprintf("prose line %q shown first as %q", e.Text, part)
		case e.Kind != EvProse && part != "":
			badPart = fmt.Sprintf("%s after the start of a prose line %q", e.Kind, part)
		}
		part = ""
		fmt.Fprintf(&ev, "%s %q %q\n", e.Kind, e.Path, e.Text)
	})
	defer func() {
		if badPart != "" {
			outcome = badPart
		}
	}()
	stopped := false
	for _, p := range pieces {
		if err := a.Feed(p); err != nil {
			if !errors.Is(err, ErrEarlyMismatch) {
				return "feed: " + err.Error(), ""
			}
			stopped = true
			break
		}
	}
	changes, err := a.Finish()
	if err != nil {
		return errorKind(err) + ": " + err.Error(), ""
	}
	var b strings.Builder
	for _, c := range changes {
		fmt.Fprintf(&b, "%s=%q\n", c.Target.Path, c.New)
	}
	if stopped {
		return "stopped without an error", ""
	}
	return b.String(), ev.String()
}

func errorKind(err error) string {
	var ne *NoEditError
	var re *RefusedPathError
	var he *patch.HunkError
	var pe *patch.ParseError
	var ce *ControlError
	var se *SyntaxError
	switch {
	case errors.As(err, &ce):
		return "control"
	case errors.As(err, &se):
		return "syntax"
	case errors.As(err, &ne):
		return "noedit"
	case errors.As(err, &re) && re.Path == "":
		return "refused:unnamed"
	case errors.As(err, &re):
		return "refused:" + re.Reason
	case errors.As(err, &he):
		return "hunk"
	case errors.As(err, &pe):
		return "parse"
	case errors.Is(err, ErrNoEditInFormat):
		return "format"
	}
	return "other"
}

func TestApplier(t *testing.T) {
	for _, tt := range applyCases {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApplier(applyTargets(), ApplyOptions{Format: tt.format})
			a.Feed(tt.reply)
			changes, err := a.Finish()
			if tt.wantErr != "" {
				if got := errorKind(err); got != tt.wantErr {
					t.Fatalf("Finish() = %v (%s), want a %s error", err, got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Finish() = %v, want changes", err)
			}
			got := map[string]string{}
			for _, c := range changes {
				got[c.Target.Path] = string(c.New)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Finish() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestApplierSplits feeds every reply cut at every byte boundary, and byte by byte: the
// changes, the error and the events never depend on how the stream was cut.
func TestApplierSplits(t *testing.T) {
	for _, tt := range applyCases {
		t.Run(tt.name, func(t *testing.T) {
			want, wantEvents := applyResult(tt.format, []string{tt.reply})
			for i := 1; i < len(tt.reply); i++ {
				got, events := applyResult(tt.format, []string{tt.reply[:i], tt.reply[i:]})
				if got != want || events != wantEvents {
					t.Fatalf("cut at byte %d: %s%s\nwant %s%s", i, got, events, want, wantEvents)
				}
			}
			bytes := make([]string, len(tt.reply))
			for i := range tt.reply {
				bytes[i] = tt.reply[i : i+1]
			}
			if got, events := applyResult(tt.format, bytes); got != want || events != wantEvents {
				t.Errorf("byte by byte: %s%s\nwant %s%s", got, events, want, wantEvents)
			}
		})
	}
}

// TestApplierRepair checks the repair policy: one round only, for errors about the reply, and
// for a small single file a request for the whole file, read as one.
func TestApplierRepair(t *testing.T) {
	hunk := "*** Begin Patch\n*** Update File: notes.txt\n@@\n a\n-q\n+Q\n c\n*** End Patch\n"
	tests := []struct {
		name    string
		targets []*Target
		wantAsk string // a line the repair prompt must hold
		whole   bool   // the next reply is read as a whole file
	}{
		{"two files", applyTargets(), "Send the whole edit again", false},
		{"one small file", applyTargets()[1:], "send the complete new content of the file", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApplier(tt.targets, ApplyOptions{})
			a.Feed(hunk)
			_, err := a.Finish()
			prompt, ok := a.Repair(err)
			if !ok || !strings.Contains(prompt, tt.wantAsk) || !strings.Contains(prompt, "Hunk 1 for notes.txt") {
				t.Fatalf("Repair(%v) = %q, %v; want a prompt asking %q", err, prompt, ok, tt.wantAsk)
			}
			if _, whole := a.Prediction(); whole != tt.whole {
				t.Errorf("after Repair, whole-file reply = %v, want %v", whole, tt.whole)
			}
			if prompt, ok := a.Repair(err); ok {
				t.Errorf("second Repair(%v) = %q, true; want no second round", err, prompt)
			}
		})
	}
	a := NewApplier(applyTargets(), ApplyOptions{})
	if prompt, ok := a.Repair(errors.New("connection reset")); ok {
		t.Errorf("Repair(connection reset) = %q, true; want no repair for an error not about the reply", prompt)
	}
	// Control bytes are refused whole: a model that sends them is not asked for more.
	if prompt, ok := a.Repair(&ControlError{Path: "notes.txt", Line: 2, Byte: 0x1b}); ok {
		t.Errorf("Repair(ControlError) = %q, true; want no repair", prompt)
	}
}

// TestApplierUnnamed: a file sent without a name, with several targets, is refused with the
// names to choose from, and the repair round lists them.
func TestApplierUnnamed(t *testing.T) {
	a := NewApplier(applyTargets(), ApplyOptions{})
	a.Feed("<<<<<<< SEARCH\nb\n=======\nB\n>>>>>>> REPLACE\n")
	_, err := a.Finish()
	const want = "refused: the reply sent a file without naming it; name one of: cmd/edit.go, notes.txt"
	if err == nil || err.Error() != want {
		t.Fatalf("Finish() = %v, want %q", err, want)
	}
	prompt, ok := a.Repair(err)
	if !ok || !strings.Contains(prompt, "without naming it") || !strings.Contains(prompt, "one of cmd/edit.go, notes.txt") {
		t.Errorf("Repair(%v) = %q, %v; want a prompt listing cmd/edit.go, notes.txt", err, prompt, ok)
	}
}

// TestApplierSyntaxRepair: an edit that breaks a Go file that parsed is never a change; it goes
// to the repair round with the parse error and the lines there, and a good second reply applies.
func TestApplierSyntaxRepair(t *testing.T) {
	a := NewApplier(applyTargets(), ApplyOptions{})
	a.Feed("*** Begin Patch\n*** Update File: cmd/edit.go\n@@\n package cmd\n-var x = 1\n+var x = (1\n*** End Patch\n")
	changes, err := a.Finish()
	var se *SyntaxError
	if !errors.As(err, &se) || changes != nil || se.Path != "cmd/edit.go" {
		t.Fatalf("Finish() = %v, %v; want a *SyntaxError for cmd/edit.go and no changes", changes, err)
	}
	prompt, ok := a.Repair(err)
	if !ok || !strings.Contains(prompt, "leaves cmd/edit.go with a Go syntax error at line 2") || !strings.Contains(prompt, "var x = (1") {
		t.Fatalf("Repair(%v) = %q, %v; want the syntax error's repair hint", err, prompt, ok)
	}
	a.Start(nil)
	a.Feed("*** Begin Patch\n*** Update File: cmd/edit.go\n@@\n package cmd\n-var x = 1\n+var x = (1)\n*** End Patch\n")
	changes, err = a.Finish()
	if err != nil || len(changes) != 1 || string(changes[0].New) != "package cmd\nvar x = (1)\n" {
		t.Errorf("after the repair, Finish() = %v, %v; want cmd/edit.go with var x = (1)", changes, err)
	}
}
