package shell

import (
	"context"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// ReadLine reads one line from the terminal in raw mode, so that Ctrl-C arrives as a byte
// rather than a signal and a prompt can tell "abort" from "continue". It echoes what is typed
// and handles backspace and Ctrl-U. ok is false for Ctrl-C, Ctrl-D, an empty line, ctx ending,
// or a terminal that cannot be put in raw mode.
func ReadLine(ctx context.Context, in *os.File, out io.Writer, prompt string) (line string, ok bool) {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", false
	}
	defer term.Restore(fd, old)
	defer func() {
		if r := recover(); r != nil {
			term.Restore(fd, old)
			panic(r)
		}
	}()
	out.Write([]byte(prompt))
	var buf []byte
	b := make([]byte, 64)
	for {
		// Poll rather than block in Read, so that ctx can end the wait.
		if ctx.Err() != nil {
			out.Write([]byte("\r\n"))
			return "", false
		}
		ready, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 100)
		if err == unix.EINTR || (err == nil && ready == 0) {
			continue
		}
		if err != nil {
			out.Write([]byte("\r\n"))
			return "", false
		}
		n, err := in.Read(b)
		if err != nil || n == 0 {
			out.Write([]byte("\r\n"))
			return "", false
		}
		for _, c := range b[:n] {
			switch c {
			case 3, 4: // Ctrl-C, Ctrl-D
				out.Write([]byte("^C\r\n"))
				return "", false
			case '\r', '\n':
				out.Write([]byte("\r\n"))
				s := string(buf)
				return s, strings.Trim(s, " \t\r\n") != ""
			case 127, 8: // backspace
				if len(buf) > 0 {
					_, size := utf8.DecodeLastRune(buf)
					buf = buf[:len(buf)-size]
					out.Write([]byte("\b \b"))
				}
			case 21: // Ctrl-U
				for len(buf) > 0 {
					_, size := utf8.DecodeLastRune(buf)
					buf = buf[:len(buf)-size]
					out.Write([]byte("\b \b"))
				}
			default:
				if c >= 0x20 || c == '\t' {
					buf = append(buf, c)
					out.Write([]byte{c})
				}
			}
		}
	}
}
