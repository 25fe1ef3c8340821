package edit

import (
	"fmt"
	"strings"

	"github.com/spark-cli/spark/edit/patch"
)

// Format names the edit format a model is asked to reply in; see package edit/patch.
type Format = patch.Format

// The edit formats. FormatAuto stands for "not chosen yet": DefaultFormat chooses.
const (
	FormatAuto          = patch.FormatAuto
	FormatV4A           = patch.FormatV4A
	FormatSearchReplace = patch.FormatSearchReplace
	FormatWhole         = patch.FormatWhole
	FormatUnified       = patch.FormatUnified
)

// FormatError is a format name that ParseFormat does not know.
type FormatError struct{ Name string }

func (e *FormatError) Error() string {
	return fmt.Sprintf("unknown format %q: want auto, v4a, search-replace, whole or unified", e.Name)
}

// ParseFormat accepts the format names people type, with their short spellings; "" and "auto"
// are FormatAuto. Anything else is a *FormatError.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return FormatAuto, nil
	case "v4a", "apply_patch", "apply-patch", "patch":
		return FormatV4A, nil
	case "search-replace", "search_replace", "sr", "diff-fenced":
		return FormatSearchReplace, nil
	case "whole", "whole-file":
		return FormatWhole, nil
	case "unified", "udiff":
		return FormatUnified, nil
	}
	return "", &FormatError{Name: s}
}

// DefaultFormat picks apply_patch (V4A) for OpenAI's models, which are trained on it, and
// SEARCH/REPLACE for everything else, which small local models follow more reliably.
func DefaultFormat(openAIModel bool) Format {
	if openAIModel {
		return FormatV4A
	}
	return FormatSearchReplace
}

// Event is one step of a reply as an Applier reads it, for display; see patch.Event.
type Event = patch.Event

// EventKind tells what an Event carries.
type EventKind = patch.EventKind

// The kinds of Event.
const (
	EvProse    = patch.EvProse
	EvFile     = patch.EvFile
	EvHunk     = patch.EvHunk
	EvContext  = patch.EvContext
	EvDelete   = patch.EvDelete
	EvInsert   = patch.EvInsert
	EvHunkDone = patch.EvHunkDone
	// EvProsePart is the start of a prose line, shown before its newline; its EvProse follows.
	EvProsePart = patch.EvProsePart
)

// Diff returns the change as a unified diff of its file.
func (c Change) Diff() string { return patch.Unified(c.Target.Path, c.Target.Content, c.New) }

// Stat counts the lines a change from old to new adds and deletes, as a diff shows them.
func Stat(old, new []byte) (added, deleted int) { return patch.Stat(old, new) }
