package shell

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// cleanOutput turns raw terminal output into the text a reader saw: escape sequences removed,
// carriage-return and erase-line overwrites (progress bars, spinners) resolved, backspaces applied,
// invalid UTF-8 replaced. width is the terminal's width in columns, used to resolve a carriage return
// after a line that wrapped (zsh's PROMPT_SP relies on it); 0 means unknown. Output that is mostly
// not text is summarised in one line instead.
func cleanOutput(raw []byte, width int) string {
	if isBinary(raw) {
		return fmt.Sprintf("[binary output, %d bytes]", len(raw))
	}
	s := screen{width: width, lines: [][]rune{nil}}
	s.run(raw)
	return s.text()
}

// isBinary reports whether b looks like binary data: NUL bytes, many control bytes or much
// invalid UTF-8.
func isBinary(b []byte) bool {
	bad := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == 0:
				bad += 4
			case c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\b' && c != 0x1b && c != '\a' && c != '\f' && c != '\v':
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		i += n
	}
	return bad*10 > len(b) && bad > 8
}

// maxPad bounds the blank columns a cursor movement can open up, so that hostile output cannot
// make the cleaned text much larger than the raw one.
const maxPad = 1024

// screen is a minimal terminal: logical lines (a line that wraps stays one line) and a cursor.
type screen struct {
	width   int
	lines   [][]rune
	row     int
	pos     int  // index into lines[row]
	pending bool // the last rune filled the last column: the next one wraps
}

func (s *screen) run(b []byte) {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == 0x1b:
			i += s.escape(b[i:])
			continue
		case c == '\r':
			s.pos = s.rowStart()
			s.pending = false
		case c == '\n':
			s.row++
			for s.row >= len(s.lines) {
				s.lines = append(s.lines, nil)
			}
			if s.width > 0 {
				s.pos %= s.width
			} else {
				s.pos = 0
			}
			s.pending = false
		case c == '\b':
			if s.pending {
				s.pending = false
			}
			if s.pos > s.rowStart() {
				s.pos--
			}
		case c == '\t':
			next := s.rowStart() + (s.pos-s.rowStart())/8*8 + 8
			for s.pos < next {
				s.put(' ')
			}
		case c < 0x20 || c == 0x7f:
			// other controls (BEL, SO, SI, ...) draw nothing
		case c < utf8.RuneSelf:
			s.put(rune(c))
		default:
			r, n := utf8.DecodeRune(b[i:])
			i += n
			if r >= 0x80 && r < 0xa0 {
				continue // C1 controls
			}
			s.put(r)
			continue
		}
		i++
	}
}

// rowStart is the index in the current line where the cursor's screen row begins.
func (s *screen) rowStart() int {
	if s.width <= 0 {
		return 0
	}
	p := s.pos
	if s.pending && p > 0 {
		p--
	}
	return p / s.width * s.width
}

func (s *screen) put(r rune) {
	s.pending = false
	line := s.lines[s.row]
	s.pos = min(s.pos, len(line)+maxPad)
	for len(line) < s.pos {
		line = append(line, ' ')
	}
	if s.pos < len(line) {
		line[s.pos] = r
	} else {
		line = append(line, r)
	}
	s.lines[s.row] = line
	s.pos++
	if s.width > 0 && s.pos%s.width == 0 {
		s.pending = true
	}
}

// escape applies or skips the escape sequence at the start of b and returns its length.
func (s *screen) escape(b []byte) int {
	if len(b) < 2 {
		return len(b)
	}
	switch b[1] {
	case '[':
		return s.csi(b)
	case ']', 'P', 'X', '^', '_':
		// OSC, DCS, SOS, PM, APC: up to BEL (OSC) or ST.
		for k := 2; k < len(b); k++ {
			if b[k] == '\a' && b[1] == ']' {
				return k + 1
			}
			if b[k] == 0x1b && k+1 < len(b) && b[k+1] == '\\' {
				return k + 2
			}
		}
		return len(b)
	}
	// ESC, optional intermediates (0x20-0x2f), final byte.
	k := 1
	for k < len(b) && b[k] >= 0x20 && b[k] <= 0x2f {
		k++
	}
	if k < len(b) {
		k++
	}
	return k
}

// csi applies the cursor and erase sequences that change what a line ends up showing and skips
// the rest (colours, modes).
func (s *screen) csi(b []byte) int {
	k := 2
	for k < len(b) && b[k] >= 0x30 && b[k] <= 0x3f {
		k++
	}
	params := string(b[2:k])
	for k < len(b) && b[k] >= 0x20 && b[k] <= 0x2f {
		k++
	}
	if k >= len(b) {
		return len(b)
	}
	final := b[k]
	if strings.HasPrefix(params, "?") || strings.HasPrefix(params, ">") || strings.HasPrefix(params, "<") || strings.HasPrefix(params, "=") {
		return k + 1
	}
	n := firstParam(params)
	switch final {
	case 'K': // erase in line
		line := s.lines[s.row]
		switch n {
		case 0:
			if s.pos < len(line) {
				s.lines[s.row] = line[:s.pos]
			}
		case 1:
			for i := s.rowStart(); i <= s.pos && i < len(line); i++ {
				line[i] = ' '
			}
		case 2:
			s.lines[s.row] = line[:0]
		}
	case 'J': // erase below
		if n == 0 {
			if s.pos < len(s.lines[s.row]) {
				s.lines[s.row] = s.lines[s.row][:s.pos]
			}
			s.lines = s.lines[:s.row+1]
		}
	case 'A': // up
		s.row = max(0, s.row-max(n, 1))
	case 'B', 'E': // down
		s.row += min(max(n, 1), 64)
		for s.row >= len(s.lines) {
			s.lines = append(s.lines, nil)
		}
		if final == 'E' {
			s.pos = 0
		}
	case 'F': // previous line
		s.row = max(0, s.row-max(n, 1))
		s.pos = 0
	case 'C': // forward
		s.pos += max(n, 1)
	case 'D': // back
		s.pos = max(s.rowStart(), s.pos-max(n, 1))
	case 'G': // column
		s.pos = s.rowStart() + max(n, 1) - 1
	}
	s.pending = false
	return k + 1
}

// firstParam is the first numeric parameter of a CSI sequence, 0 when absent.
func firstParam(p string) int {
	n := 0
	for i := 0; i < len(p) && p[i] >= '0' && p[i] <= '9'; i++ {
		n = n*10 + int(p[i]-'0')
		if n > 1<<16 {
			return 1 << 16
		}
	}
	return n
}

// text joins the lines, trailing spaces and trailing empty lines removed.
func (s *screen) text() string {
	var b strings.Builder
	end := len(s.lines)
	for end > 0 && len(strings.TrimRight(string(s.lines[end-1]), " ")) == 0 {
		end--
	}
	for i, l := range s.lines[:end] {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight(string(l), " "))
	}
	return b.String()
}
