// Package safe makes text that came from outside spark (a model's reply, a file's lines, a
// server's error body, a recorded command's output) safe to print on a terminal.
//
// Text shows every character it holds and none of them acts: the control characters a terminal
// interprets (escape sequences that set the clipboard, the title or links, clear the screen, move
// the cursor; BEL; backspace and carriage return that hide what came before) and the invisible
// characters that reorder or hide text (bidirectional overrides and isolates, zero-width
// characters, a byte order mark) are replaced by visible, inert notations in the style of less
// and git. The same text is printed on a terminal and on a pipe, so that what a user sees is what
// a script gets.
//
// The package is a leaf: it imports only the standard library, so that every spark package may
// use it.
package safe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text returns s with every unsafe character replaced by a visible notation; tab and newline are
// kept, and so is a carriage return right before a newline, which hides nothing:
//
//   - C0 controls and DEL in caret notation: ESC is ^[, BEL ^G, backspace ^H, NUL ^@, DEL ^?;
//   - C1 controls (U+0080–U+009F) and invisible or direction-changing characters as <U+XXXX>;
//   - bytes that are not UTF-8 as \xHH.
//
// Text returns s itself, without copying, when there is nothing to replace.
func Text(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
				b.WriteByte(c)
			case c < 0x20 && c != '\t' && c != '\n':
				b.WriteByte('^')
				b.WriteByte(c + '@')
			case c == 0x7f:
				b.WriteString("^?")
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, c)
		case Unsafe(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Line is Text for text shown as one line: a newline is shown as ^J too.
func Line(s string) string {
	return strings.ReplaceAll(Text(s), "\n", "^J")
}

// firstUnsafe returns the index of the first byte of s that Text replaces, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && !(c == '\r' && i+1 < len(s) && s[i+1] == '\n')) || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || Unsafe(r) {
			return i
		}
		i += n
	}
	return -1
}

// Unsafe reports whether r, outside ASCII, is a C1 control or a character that is invisible or
// changes the direction of the text around it: zero-width space and joiners, the left-to-right
// and right-to-left marks (U+200B–U+200F), the line and paragraph separators, the embeddings and
// overrides (U+202A–U+202E), the word joiner and invisible operators (U+2060–U+2064), the
// isolates (U+2066–U+2069), the Arabic letter mark (U+061C) and the byte order mark (U+FEFF).
func Unsafe(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f,
		r >= 0x200b && r <= 0x200f,
		r >= 0x2028 && r <= 0x202e,
		r >= 0x2060 && r <= 0x2064,
		r >= 0x2066 && r <= 0x2069,
		r == 0x061c, r == 0xfeff:
		return true
	}
	return false
}

// JSON returns the encoding/json output b with the characters Unsafe reports, and DEL, written as
// \uXXXX escapes. The JSON means exactly the same (they can only occur inside strings, where the
// escape is their equivalent); printed on a terminal, it shows them instead of acting on them.
// encoding/json escapes the C0 controls already; b must be its output.
func JSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		r, n := rune(c), 1
		if c >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(b[i:])
		}
		if r == 0x7f || Unsafe(r) {
			if out == nil {
				out = make([]byte, 0, len(b)+16)
			}
			out = append(out, b[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + n
		}
		i += n
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}
