package edit

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spark-cli/spark/edit/patch"
)

// The rules every edit prompt starts with. They never vary within a format, so that a provider's
// prompt cache can reuse them across edits; anything per-edit goes after them.
const baseRules = `You are spark, a precise code editor. You receive files and one instruction, and you answer with the smallest edit that does the job.

Rules:
- Change only what the instruction asks for. No unrequested refactors, renames, reformatting, reordering or comment changes.
- Keep the file's existing style: indentation, quotes, naming, line width.
- Edit only the files given, using their paths exactly as given.
- First write one short sentence saying what you change. Then the edit. Nothing after the edit.
- If the instruction is already satisfied, say so in one sentence and send no edit.`

const v4aRules = `
Edit format (apply_patch):
*** Begin Patch
*** Update File: path/as/given.go
@@ func enclosingFunction(
 context line, copied exactly, starting with one space
-line to remove
+line to add
 context line
*** End Patch

- Give up to 3 lines of unchanged context before and after each change, copied exactly.
- Start each separate change with its own @@ line naming the enclosing function, type or section, in file order.
- Several files: one *** Update File: section each, inside one Begin/End Patch pair.`

const searchReplaceRules = `
Edit format (search/replace blocks):
path/as/given.go
<<<<<<< SEARCH
lines copied exactly from the file, just enough to be unique
=======
the lines that replace them
>>>>>>> REPLACE

- The SEARCH part must match the file exactly, including indentation, and be as short as uniqueness allows.
- One block per separate change, in file order; the path line before every block.`

const wholeRules = `
Edit format (whole file):
path/as/given.go
` + "```" + `
the complete new content of the file
` + "```" + `

- Repeat every unchanged line exactly; never elide with comments like "rest unchanged".`

// SystemPrompt returns the system message for an edit in format f, followed by the project's
// conventions (which are stable for a project, so the whole message stays cacheable).
func SystemPrompt(f patch.Format, conventions string) string {
	var b strings.Builder
	b.WriteString(baseRules)
	switch f {
	case patch.FormatSearchReplace:
		b.WriteString(searchReplaceRules)
	case patch.FormatWhole:
		b.WriteString(wholeRules)
	default:
		b.WriteString(v4aRules)
	}
	if conventions != "" {
		b.WriteString("\n\nProject conventions (follow them in the lines you write):\n")
		b.WriteString(conventions)
	}
	return b.String()
}

// UserPrompt returns the user message: the files (each with its .editorconfig properties), then
// the session context (if any), then the instruction, last, where the model reads it right before
// answering. A target with a line range
// contributes only that range, and the message says that only those lines may change.
func UserPrompt(targets []*Target, context, instruction string) string {
	var b strings.Builder
	for _, t := range targets {
		_, region, _ := t.Region()
		text := string(region)
		if t.Start > 0 {
			fmt.Fprintf(&b, "Lines %d-%d of %s (only these lines are shown and only they may change; your edit applies to them alone):\n", t.Start, t.End, t.Path)
		} else {
			fmt.Fprintf(&b, "%s:\n", t.Path)
		}
		if ec := fileConventions(t.abs()); ec != "" {
			fmt.Fprintf(&b, "(.editorconfig: %s)\n", ec)
		}
		fence := fenceFor(text)
		b.WriteString(fence)
		b.WriteByte('\n')
		b.WriteString(text)
		if text != "" && !strings.HasSuffix(text, "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(fence)
		b.WriteString("\n\n")
	}
	if context = strings.TrimSpace(context); context != "" {
		b.WriteString("Recent shell activity:\n")
		b.WriteString(context)
		b.WriteString("\n\n")
	}
	b.WriteString("Instruction: ")
	b.WriteString(strings.TrimSpace(instruction))
	b.WriteByte('\n')
	return b.String()
}

// abs is the file's absolute path, for finding its .editorconfig; stdin shown under a name is
// taken as that name in the working directory.
func (t *Target) abs() string {
	if t.Real != "" {
		return t.Real
	}
	p, err := filepath.Abs(t.Path)
	if err != nil {
		return t.Path
	}
	return p
}

// RepairPrompt returns the user message of the repair round: what failed, and a request for a
// corrected edit of the same change.
func RepairPrompt(problem string) string {
	return "Your edit did not apply, so nothing was changed.\n" + strings.TrimSpace(problem) +
		"\n\nSend the whole edit again, corrected, in the same format. Copy context lines exactly from the file as given."
}

// SteerPrompt returns the user message that continues an interrupted turn: the user's one-line
// nudge, and a request for the complete edit again with it taken into account (the interrupted
// reply is never applied, so the new one must stand alone).
func SteerPrompt(nudge string) string {
	return "I interrupted you. " + strings.TrimSpace(nudge) +
		"\n\nTaking this into account, send the complete edit again from the start, in the same format, with one sentence first."
}

// RepairWholePrompt is RepairPrompt for a small file: instead of another patch, it asks for the
// whole new file, which cannot fail to apply.
func RepairWholePrompt(problem string) string {
	return "Your edit did not apply, so nothing was changed.\n" + strings.TrimSpace(problem) +
		"\n\nInstead of a patch, send the complete new content of the file, changed only as the instruction asks." +
		wholeRules
}

// fenceFor returns a markdown fence longer than any run of backticks in text, so a file that
// contains fences itself (a README) cannot end the block early.
func fenceFor(text string) string {
	longest, run := 0, 0
	for i := 0; i < len(text); i++ {
		if text[i] == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	if longest < 3 {
		return "```"
	}
	return strings.Repeat("`", longest+1)
}

// AgainPrompt is the user message that asks again after an edit was taken back: the nudge, or,
// without one, a request for another, different attempt.
func AgainPrompt(nudge string) string {
	nudge = strings.TrimSpace(nudge)
	if nudge == "" {
		nudge = "That is not what I want: make another, different attempt."
	}
	return "I took that edit back: the files are again as I first sent them. " + nudge +
		"\n\nTaking this into account, send the complete edit again, against the files as first sent, in the same format, with one sentence first."
}
