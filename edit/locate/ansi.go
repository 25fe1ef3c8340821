package locate

import "strings"

// StripANSI returns s as a reader saw it on a terminal, approximately: escape sequences (CSI,
// OSC, and two-byte escapes) removed, CRLF turned into LF, and a line rewritten after a lone
// carriage return (a progress bar) reduced to what was written last. Tools colour their errors
// on a terminal and sometimes when forced to; the patterns are written for plain text.
func StripANSI(s string) string {
	if strings.IndexByte(s, 0x1b) < 0 && strings.IndexByte(s, '\r') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	lineStart := 0 // index in b where the current line starts
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case 0x1b:
			i += escapeLen(s[i:])
			continue
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
				continue
			}
			// A lone CR returns to the start of the line: what follows overwrites it. Keeping
			// only the last rewrite is enough for progress output, which rewrites whole lines.
			if i+1 < len(s) && s[i+1] != '\r' {
				b = b[:lineStart]
			}
			i++
			continue
		case '\n':
			b = append(b, '\n')
			lineStart = len(b)
			i++
			continue
		}
		b = append(b, c)
		i++
	}
	return string(b)
}

// escapeLen returns the length of the escape sequence at the start of s (s[0] is ESC).
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters and intermediates, then one final byte in 0x40-0x7e
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', '_', '^': // OSC, DCS, APC, PM: up to BEL or ST (ESC \)
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	case '(', ')', '*', '+', '#', '%': // charset designation and friends: one more byte
		return min(3, len(s))
	}
	return 2
}
