package patch

import "fmt"

// Format names a patch format a model can reply in.
type Format string

// The formats Parse understands. FormatAuto detects the format from the first sentinel line.
const (
	FormatAuto          Format = ""               // detect from sentinel lines
	FormatV4A           Format = "v4a"            // *** Begin Patch / *** Update File: / @@ / ' ' '-' '+' / *** End of File / *** End Patch
	FormatSearchReplace Format = "search-replace" // path line, then <<<<<<< SEARCH / ======= / >>>>>>> REPLACE
	FormatWhole         Format = "whole"          // path line then a fenced block holding the whole new file
	FormatUnified       Format = "unified"        // --- a/x / +++ b/x / @@ -1,3 +1,4 @@
)

// Op is what a FilePatch does to its file.
type Op int

// The file operations. Only OpUpdate is an edit; OpAdd and OpDelete come from "*** Add File:",
// "*** Delete File:" and /dev/null headers, so that a caller can refuse them by name.
const (
	OpUpdate Op = iota
	OpAdd
	OpDelete
)

// String returns "update", "add" or "delete".
func (o Op) String() string {
	switch o {
	case OpAdd:
		return "add"
	case OpDelete:
		return "delete"
	}
	return "update"
}

// Hunk is one replacement: the lines a hunk expects in the file and the lines that replace them.
type Hunk struct {
	Anchors []string // text of "@@ <anchor>" lines preceding the hunk; empty if none
	Old     []string // lines the hunk expects: context + removed, in order, no line endings
	New     []string // lines that replace them: context + added, in order
	AtEOF   bool     // "*** End of File" (or "\ No newline at end of file"): Old must match at the end of the file
	Line    int      // 1-based line in the reply where the hunk starts (for error messages)

	// OldStart is the 1-based old line number of a unified "@@ -l,n +l,n @@" header, 0 if
	// unknown. It only breaks ties between equally good matches, never overrides the text.
	OldStart int
	// Same pairs New with Old as the patch marks them: Same[j] is the index in Old of New[j]
	// when the patch marks it as a context line, -1 when it marks it as added. It is nil for
	// SEARCH/REPLACE blocks, which have no marks: their lines are paired by a line diff.
	Same []int
	// OldNoEOL and NewNoEOL record a "\ No newline at end of file" after the last old-side or
	// new-side line, so that a hunk at the end of the file can add or remove the final newline.
	OldNoEOL, NewNoEOL bool
}

// FilePatch is everything a patch does to one file.
type FilePatch struct {
	Path    string // cleaned: a/ b/ prefixes, quotes, backticks, surrounding spaces removed; "" if the reply names no file
	Op      Op
	Hunks   []Hunk
	Whole   bool   // whole-file replacement: Content is the complete new text
	Content string // the new text when Whole, or the text of an OpAdd file
	MoveTo  string // V4A "*** Move to:" target; empty if none
}

// Patch is a parsed model reply.
type Patch struct {
	Format Format
	Files  []FilePatch
	Prose  string // text outside the patch (the model's explanation), trimmed
}

// ParseError reports a reply that cannot be read as a patch. Line is the 1-based reply line, 0
// when the problem is the reply as a whole.
type ParseError struct {
	Line int
	Msg  string
}

// Error returns "reply line 12: <msg>", or "reply: <msg>" when Line is 0.
func (e *ParseError) Error() string {
	if e.Line <= 0 {
		return "reply: " + e.Msg
	}
	return fmt.Sprintf("reply line %d: %s", e.Line, e.Msg)
}

// EventKind tells what a streaming Event carries.
type EventKind int

// The kinds of Event, in the order they typically arrive for one hunk.
const (
	EvProse    EventKind = iota // a line of text outside the patch
	EvFile                      // a new file starts; Path and File are set
	EvHunk                      // an "@@" line (Text is its anchor, possibly empty) or the start of a hunk without one
	EvContext                   // a context line
	EvDelete                    // a removed line (SEARCH lines too)
	EvInsert                    // an added line (REPLACE lines and whole-file content too)
	EvHunkDone                  // the hunk is complete; Hunk is set
)

var kindNames = [...]string{"prose", "file", "hunk", "context", "delete", "insert", "hunk-done", "prose-part"}

// String returns a short lowercase name such as "insert".
func (k EventKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one step of a streamed parse.
type Event struct {
	Kind EventKind
	Text string // the line without its marker (EvContext, EvDelete, EvInsert, EvProse); the anchor for EvHunk
	Path string // current file path (EvFile and later events)
	File int    // index into Patch.Files of the current file, -1 before the first
	Op   Op     // what the current file's patch does (EvFile and later events)
	Hunk *Hunk  // for EvHunkDone: the complete hunk, never mutated afterwards
}
