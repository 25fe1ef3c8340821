package patch

import (
	"fmt"
	"strings"
)

// HunkKind says why a hunk does not apply, so that callers decide by it and never by the text
// of Reason.
type HunkKind int

// The reasons a hunk does not apply.
const (
	HunkNotFound       HunkKind = iota // the hunk's context matches nowhere in the file
	HunkPastEnd                        // the context's best match runs past the end of the file
	HunkNotAtEnd                       // the context matches, but not at the end of the file as the hunk requires
	HunkAmbiguous                      // the context matches in more than one place
	HunkOverlaps                       // the hunk overlaps an earlier hunk of the same file
	HunkNoContext                      // the hunk has no context lines, and its @@ line or line number places it before the end
	HunkBeforeStart                    // the context's best match starts above the first line of the file
	HunkAnchorNotFound                 // the line the hunk's @@ line names is not in the file
	HunkNotBelowAnchor                 // the context matches, but not below the line its @@ line names
)

// namesLines reports whether a Reason of kind k already names lines, so that no "near line N"
// is added.
func (k HunkKind) namesLines() bool {
	switch k {
	case HunkAmbiguous, HunkOverlaps, HunkNoContext, HunkBeforeStart, HunkAnchorNotFound, HunkNotBelowAnchor:
		return true
	}
	return false
}

// HunkError reports a hunk that cannot be applied to its file. It carries what a model needs to
// repair the hunk: see RepairHint.
type HunkError struct {
	Path    string
	Hunk    int      // 1-based index of the hunk in its file
	Kind    HunkKind // why it does not apply
	Reason  string   // for people: "context not found", "ambiguous: 3 matches (lines 10, 40, 70)", ...
	Line    int      // 1-based file line nearest to where the hunk should be (0 if unknown)
	Want    string   // the first line of the hunk's Old that does not match at the best candidate position
	Got     string   // the real line there
	Nearest []string // a few real lines around the best candidate, formatted "  40| text"
}

// Error returns one line such as "edit/main.go: hunk 2: context not found near line 40".
func (e *HunkError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "hunk %d: %s", e.Hunk, e.Reason)
	if e.Line > 0 && !e.Kind.namesLines() {
		fmt.Fprintf(&b, " near line %d", e.Line)
	}
	return b.String()
}

// RepairHint returns text for the model's repair round: which hunk failed and why, the first
// line that differs (wanted and found), the nearest real lines with their numbers, and what to
// do about it.
func (e *HunkError) RepairHint() string {
	var b strings.Builder
	name := e.Path
	if name == "" {
		name = "the file"
	}
	fmt.Fprintf(&b, "Hunk %d for %s did not apply: %s", e.Hunk, name, e.Reason)
	if e.Line > 0 && !e.Kind.namesLines() {
		fmt.Fprintf(&b, " near line %d", e.Line)
	}
	b.WriteString(".\n")
	switch {
	case e.Kind == HunkAmbiguous:
		b.WriteString("The context lines match more than one place. Add context lines that occur only at the intended place, or an @@ line naming the enclosing function or class.\n")
	case e.Kind == HunkOverlaps:
		b.WriteString("Hunks must not overlap. Merge the two hunks into one.\n")
	case e.Kind == HunkNoContext:
		b.WriteString("Include a few unchanged lines around the change as context so that it can be located.\n")
	case e.Kind == HunkAnchorNotFound:
		b.WriteString("An @@ line must repeat a line of the file above the change, such as the header of the enclosing function or class, or be left out.\n")
	case e.Kind == HunkNotBelowAnchor:
		b.WriteString("The hunk's lines must come after the line its @@ line names: name the function or class that encloses the change.\n")
	case e.Line == 0:
		b.WriteString("None of the hunk's lines were found in the file.\n")
	default:
		b.WriteString("First line that differs:\n")
		fmt.Fprintf(&b, "  wanted: %q\n", e.Want)
		switch e.Kind {
		case HunkPastEnd:
			b.WriteString("  found:  the end of the file\n")
		case HunkBeforeStart:
			b.WriteString("  found:  the start of the file\n")
		default:
			fmt.Fprintf(&b, "  found:  %q\n", e.Got)
		}
	}
	if len(e.Nearest) > 0 {
		fmt.Fprintf(&b, "Nearest real lines of %s:\n", name)
		for _, l := range e.Nearest {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	b.WriteString("Copy context lines exactly from the file, including indentation, and send the corrected hunk.\n")
	return b.String()
}
