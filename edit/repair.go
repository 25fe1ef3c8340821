package edit

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/spark-cli/spark/edit/patch"
)

// wholeFallbackLines is the size up to which a failed patch is retried as a whole-file rewrite:
// small enough that rewriting costs little and cannot fail to apply.
const wholeFallbackLines = 200

// Repair decides on the one repair round an edit gets after a reply that did not apply (err,
// from Finish). It returns the user message that tells the model what failed; ok is false when
// another round cannot help (err is not about the reply, or the round was had already). For a
// single small file the round asks for the whole file, which cannot fail to apply, and the
// next reply is read as one.
func (a *Applier) Repair(err error) (prompt string, ok bool) {
	if a.repaired || !repairable(err) {
		return "", false
	}
	a.repaired = true
	if a.smallSingleFile() {
		a.whole = true
		return RepairWholePrompt(repairHint(err)), true
	}
	return RepairPrompt(repairHint(err)), true
}

func (a *Applier) smallSingleFile() bool {
	if len(a.targets) != 1 || a.whole {
		return false
	}
	_, region, _ := a.targets[0].Region()
	return bytes.Count(region, []byte("\n")) <= wholeFallbackLines
}

// repairable reports whether another round with the model can fix err.
func repairable(err error) bool {
	var he *patch.HunkError
	var pe *patch.ParseError
	var re *RefusedPathError
	var se *SyntaxError
	return errors.As(err, &he) || errors.As(err, &pe) || errors.As(err, &re) || errors.As(err, &se) ||
		errors.Is(err, ErrNoEditInFormat)
}

// repairHint is what the model is told about its failed edit.
func repairHint(err error) string {
	var he *patch.HunkError
	var re *RefusedPathError
	var se *SyntaxError
	switch {
	case errors.As(err, &he):
		return he.RepairHint()
	case errors.As(err, &se):
		return se.RepairHint()
	case errors.As(err, &re) && re.Path == "":
		return fmt.Sprintf("Your reply sent a file without naming it. Name the file on the line before each block: one of %s.", strings.Join(re.Allowed, ", "))
	case errors.As(err, &re):
		return fmt.Sprintf("Your reply %s %s. Edit only these files: %s.", re.Reason, re.Path, strings.Join(re.Allowed, ", "))
	}
	return fmt.Sprintf("The reply could not be read as an edit: %s. Use the edit format exactly as described.", err)
}
