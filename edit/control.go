package edit

import (
	"bytes"
	"fmt"
)

// ControlError reports a change that puts control characters into a text file that had none:
// NUL, ESC, BEL, backspace and the like have no place in source text, and in a file they act on
// every terminal that later shows it (cat, git diff, less -r).
type ControlError struct {
	Path string
	Line int  // 1-based line of the first one in the new content
	Byte byte // the first one
}

// Error names the file, the line and the character.
func (e *ControlError) Error() string {
	return fmt.Sprintf("edit %s: the reply puts control character %s into line %d of a text file that has none; refused",
		e.Path, controlName(e.Byte), e.Line)
}

func controlName(c byte) string {
	names := map[byte]string{0: "NUL", 7: "BEL", 8: "BS", 0x0b: "VT", 0x1b: "ESC", 0x7f: "DEL"}
	if n, ok := names[c]; ok {
		return fmt.Sprintf("%s (0x%02x)", n, c)
	}
	return fmt.Sprintf("0x%02x", c)
}

// unwantedControl reports whether c is a control byte other than tab, newline, carriage return
// and form feed, the ones text files really hold.
func unwantedControl(c byte) bool {
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f
}

func firstControl(b []byte) int {
	for i, c := range b {
		if unwantedControl(c) {
			return i
		}
	}
	return -1
}

// CheckControls returns a *ControlError for the first change whose new content holds a control
// byte (other than tab, CR, LF and FF) while its old content held none. A file that already had
// some (a log with colour codes, a form with ESC sequences) may keep getting them: that is what
// it is made of. Commit checks too; callers that print a change instead of writing it (a dry
// run, a filter) check with this first.
func CheckControls(changes []Change) error {
	for _, c := range changes {
		if c.Target == nil {
			continue
		}
		i := firstControl(c.New)
		if i < 0 || firstControl(c.Target.Content) >= 0 {
			continue
		}
		return &ControlError{Path: c.Target.Path, Line: bytes.Count(c.New[:i], []byte("\n")) + 1, Byte: c.New[i]}
	}
	return nil
}
