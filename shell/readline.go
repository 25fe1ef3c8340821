package shell

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// LineReader reads lines from a terminal with the usual editing keys: Left/Right, Home/End,
// Ctrl-A/E/B/F, Backspace, Ctrl-W/U/K, and Up/Down (Ctrl-P/N) through the lines it has
// returned before. The editing is golang.org/x/term's Terminal; LineReader adds raw mode and
// its restore, cancellation by a context, and a history that lives as long as the LineReader.
// The zero value is not usable: make one with NewLineReader.
type LineReader struct {
	in      *os.File
	out     io.Writer
	history *lineHistory
}

// NewLineReader returns a LineReader that reads keys from the terminal in and echoes to out.
func NewLineReader(in *os.File, out io.Writer) *LineReader {
	return &LineReader{in: in, out: out, history: &lineHistory{}}
}

// ReadLine shows prompt and reads one line in raw mode, so that Ctrl-C arrives as a byte
// rather than a signal and the prompt can tell "abort" from "continue". ok is false for Ctrl-C,
// Ctrl-D on an empty line, an empty line, ctx ending, or a terminal that cannot be put in raw
// mode; the terminal is restored in every case, also when something panics.
func (r *LineReader) ReadLine(ctx context.Context, prompt string) (line string, ok bool) {
	fd := int(r.in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", false
	}
	defer term.Restore(fd, old)
	defer func() {
		if p := recover(); p != nil {
			term.Restore(fd, old)
			panic(p)
		}
	}()
	t := term.NewTerminal(ttyConn{ctxReader{ctx: ctx, f: r.in}, r.out}, prompt)
	t.History = r.history
	if w, h, err := term.GetSize(fd); err == nil && w > 0 && h > 0 {
		t.SetSize(w, h)
	}
	line, err = t.ReadLine()
	switch {
	case errors.Is(err, io.EOF): // Ctrl-C, or Ctrl-D on an empty line
		r.out.Write([]byte("^C\r\n"))
		return "", false
	case err != nil:
		r.out.Write([]byte("\r\n"))
		return "", false
	}
	return line, strings.TrimSpace(line) != ""
}

// ttyConn joins the terminal's input and output for term.Terminal.
type ttyConn struct {
	io.Reader
	io.Writer
}

// ctxReader reads from a terminal, polling rather than blocking in read, so that the context
// can end the wait: term.Terminal's ReadLine has no other way out.
type ctxReader struct {
	ctx context.Context
	f   *os.File
}

func (c ctxReader) Read(p []byte) (int, error) {
	fd := int32(c.f.Fd())
	for {
		if err := c.ctx.Err(); err != nil {
			return 0, err
		}
		n, err := unix.Poll([]unix.PollFd{{Fd: fd, Events: unix.POLLIN}}, 50)
		if err == unix.EINTR || (err == nil && n == 0) {
			continue
		}
		if err != nil {
			return 0, err
		}
		n, err = c.f.Read(p)
		if n == 0 && err == nil {
			err = io.ErrUnexpectedEOF // a hung-up terminal
		}
		return normalizeKeys(p[:n]), err
	}
}

// keyAliases are other terminals' sequences for the keys term.Terminal knows by their xterm
// names: Home and End as tmux, screen, the Linux console and rxvt send them, and the cursor
// keys in application mode (ESC O).
var keyAliases = []struct{ from, to string }{
	{"\x1b[1~", "\x1b[H"}, {"\x1b[7~", "\x1b[H"}, {"\x1bOH", "\x1b[H"},
	{"\x1b[4~", "\x1b[F"}, {"\x1b[8~", "\x1b[F"}, {"\x1bOF", "\x1b[F"},
	{"\x1bOA", "\x1b[A"}, {"\x1bOB", "\x1b[B"}, {"\x1bOC", "\x1b[C"}, {"\x1bOD", "\x1b[D"},
}

// normalizeKeys rewrites the aliases in b in place, each to a sequence no longer than itself, and
// returns how many bytes are left.
func normalizeKeys(b []byte) int {
	if bytes.IndexByte(b, 0x1b) < 0 {
		return len(b)
	}
	out := b[:0]
	for i := 0; i < len(b); {
		if b[i] == 0x1b {
			matched := false
			for _, a := range keyAliases {
				if bytes.HasPrefix(b[i:], []byte(a.from)) {
					out = append(out, a.to...)
					i += len(a.from)
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		out = append(out, b[i])
		i++
	}
	return len(out)
}

// lineHistory is the lines a LineReader has returned, newest last. Blank lines and a repeat of
// the newest line are not kept.
type lineHistory struct {
	lines []string
}

// maxHistory bounds the lines kept.
const maxHistory = 100

func (h *lineHistory) Add(line string) {
	if strings.TrimSpace(line) == "" || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == line) {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > maxHistory {
		h.lines = h.lines[1:]
	}
}

func (h *lineHistory) Len() int { return len(h.lines) }

// At returns the idx-th newest line: 0 is the newest.
func (h *lineHistory) At(idx int) string { return h.lines[len(h.lines)-1-idx] }
