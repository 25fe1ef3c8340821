package shell

import (
	"bytes"
	"strconv"
	"strings"
)

// The shell hooks report to the relay with private OSC sequences ("marks"):
//
//	ESC ] 6973 ; NONCE ; KIND [; FIELD]... BEL
//
// NONCE is random per session and never exported to the shell's children, so a program that
// prints something mark-shaped (a log of another session, a hostile file) cannot forge one: only
// sequences with this session's nonce are taken out of the stream, anything else is ordinary
// output. Terminals ignore OSC numbers they do not know, so a foreign mark is invisible on screen.
// Fields are escaped by the hooks with parameter expansion only: backslash, ';' (as \x3b), newline,
// CR, tab, ESC and BEL become two-character escapes, so the first BEL or ESC ends the mark and
// the pty's output processing (ONLCR) never touches a field.
const markOSC = "6973"

// Mark kinds.
const (
	markOutput = 'P' // bash PS0: a command line was read, its output starts here
	markStart  = 'S' // cwd, command text: a recorded command is about to run
	markEnd    = 'E' // status: the command finished
	markSecret = 'X' // value: a secret the shell read without echo (fish's read -s), never recorded
)

// maxMark bounds the payload of a mark. A sequence with our prefix and no terminator within this
// many bytes is not a mark and passes through; the bound also limits how much output is held
// back while a split mark is completed.
const maxMark = 256 << 10

// mark is one decoded mark.
type mark struct {
	kind   byte
	fields []string
}

// piece is a run of passthrough bytes or a mark, in stream order.
type piece struct {
	data []byte // passthrough bytes when mark is nil
	mark *mark
}

// markScanner removes this session's marks from a byte stream. Bytes that might start a mark at the
// end of a chunk are held until the next chunk decides; everything else is passed on unchanged.
type markScanner struct {
	prefix  []byte // ESC ] 6973 ; NONCE ;
	held    []byte // an undecided tail of the previous chunk
	scratch []byte // held + next chunk, valid until the next Scan
}

func newMarkScanner(nonce string) *markScanner {
	return &markScanner{prefix: []byte("\x1b]" + markOSC + ";" + nonce + ";")}
}

// Scan appends to out the pieces of p in order and returns it. The data of the pieces refers to p
// or to the scanner's own buffer and is valid until the next call.
func (s *markScanner) Scan(p []byte, out []piece) []piece {
	buf := p
	if len(s.held) > 0 {
		s.scratch = append(append(s.scratch[:0], s.held...), p...)
		s.held = s.held[:0]
		buf = s.scratch
	}
	start, i := 0, 0
	for {
		j := bytes.IndexByte(buf[i:], 0x1b)
		if j < 0 {
			break
		}
		j += i
		rest := buf[j:]
		if len(rest) < len(s.prefix) {
			if bytes.HasPrefix(s.prefix, rest) {
				out = appendData(out, buf[start:j])
				s.held = append(s.held[:0], rest...)
				return out
			}
			i = j + 1
			continue
		}
		if !bytes.HasPrefix(rest, s.prefix) {
			i = j + 1
			continue
		}
		body := rest[len(s.prefix):]
		limit := min(len(body), maxMark+1)
		end := bytes.IndexAny(body[:limit], "\a\x1b")
		switch {
		case end < 0 && limit > maxMark:
			i = j + 1 // too long to be ours
			continue
		case end < 0, end == len(body)-1 && body[end] == 0x1b:
			// Undecided: hold it back until the rest arrives.
			out = appendData(out, buf[start:j])
			s.held = append(s.held[:0], rest...)
			return out
		case body[end] == 0x1b && body[end+1] != '\\':
			i = j + 1 // not terminated as a mark is
			continue
		}
		m, ok := parseMark(body[:end])
		if !ok {
			i = j + 1
			continue
		}
		out = appendData(out, buf[start:j])
		out = append(out, piece{mark: m})
		term := 1
		if body[end] == 0x1b {
			term = 2
		}
		i = j + len(s.prefix) + end + term
		start = i
	}
	return appendData(out, buf[start:])
}

// Flush returns the held bytes as ordinary output: at the end of the stream an unfinished mark is
// not one.
func (s *markScanner) Flush() []byte {
	b := append([]byte(nil), s.held...)
	s.held = s.held[:0]
	return b
}

func appendData(out []piece, b []byte) []piece {
	if len(b) == 0 {
		return out
	}
	return append(out, piece{data: b})
}

// parseMark decodes "KIND[;FIELD]...". A kind it does not know makes it not a mark.
func parseMark(b []byte) (*mark, bool) {
	parts := strings.Split(string(b), ";")
	if len(parts[0]) != 1 {
		return nil, false
	}
	m := &mark{kind: parts[0][0]}
	switch m.kind {
	case markOutput:
	case markStart:
		if len(parts) != 3 {
			return nil, false
		}
	case markEnd:
		if len(parts) != 2 {
			return nil, false
		}
		if _, err := strconv.Atoi(parts[1]); err != nil {
			return nil, false
		}
	case markSecret:
		if len(parts) != 2 {
			return nil, false
		}
	default:
		return nil, false
	}
	for _, f := range parts[1:] {
		m.fields = append(m.fields, unescapeField(f))
	}
	return m, true
}

// unescapeField undoes the hooks' escaping. Unknown escapes are kept as they are.
func unescapeField(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'e':
			b.WriteByte(0x1b)
		case 'a':
			b.WriteByte('\a')
		case 'x':
			if i+2 < len(s) {
				if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			b.WriteString(`\x`)
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// escapeField is the hooks' escaping, for marks made on the Go side and for tests.
func escapeField(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\x3b`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "\x1b", `\e`, "\a", `\a`)
	return r.Replace(s)
}
