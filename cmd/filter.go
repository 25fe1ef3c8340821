package cmd

import (
	"bytes"
	"io"
	"os"
	"syscall"
)

// An editor runs `spark edit -` as a filter and puts whatever it prints in place of the text it
// sent, and it often sends the filter's stderr into the same file as its stdout (vim's
// 'shellredir' is ">%s 2>&1"). filterGuard keeps both promises a filter makes there: no
// diagnostic ever lands in the text, and a failure gives the text back unchanged, whenever the
// failure comes (a usage error, a missing setting, a failed request).
type filterGuard struct {
	in    io.Reader
	read  bytes.Buffer // what was read from stdin so far
	out   io.Writer
	wrote bool // stdout got something: the command gave its own answer
	tty   *os.File
}

// isFilter reports whether args (after the program name) run `spark edit` on stdin.
func isFilter(args []string) bool {
	if len(args) < 3 || args[1] != "edit" {
		return false
	}
	for i, a := range args[2:] {
		if a == "-" {
			return true
		}
		if a == "--" {
			// After "--" only the first argument can name the file: `spark edit -- - INSTRUCTION`.
			return len(args) > i+3 && args[i+3] == "-"
		}
	}
	return false
}

// guardFilter wraps the streams of a filter run: stdin is remembered as it is read, stdout is
// watched, and when stdout and stderr are the same file, stderr becomes the controlling terminal
// (/dev/tty), or nothing when there is none.
func guardFilter(st *Streams) *filterGuard {
	g := &filterGuard{in: st.In, out: st.Out}
	if sameFile(st.Out, st.Err) {
		st.Err, st.ErrTTY = io.Discard, false
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY|syscall.O_NOCTTY, 0); err == nil {
			g.tty, st.Err = tty, tty
		}
	}
	st.In = io.TeeReader(st.In, &g.read)
	st.Out = guardWriter{g}
	return g
}

type guardWriter struct{ g *filterGuard }

func (w guardWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		w.g.wrote = true
	}
	return w.g.out.Write(p)
}

// finish gives the input back on stdout when the command failed without printing anything
// there, and closes the terminal.
func (g *filterGuard) finish(code int) {
	if code != ExitOK && !g.wrote {
		g.out.Write(g.read.Bytes())
		io.Copy(g.out, g.in)
	}
	if g.tty != nil {
		g.tty.Close()
	}
}

// sameFile reports whether a and b are open files on the same device and inode, as stdout and
// stderr are after 2>&1.
func sameFile(a, b io.Writer) bool {
	fa, ok1 := a.(*os.File)
	fb, ok2 := b.(*os.File)
	if !ok1 || !ok2 {
		return false
	}
	var sa, sb syscall.Stat_t
	if syscall.Fstat(int(fa.Fd()), &sa) != nil || syscall.Fstat(int(fb.Fd()), &sb) != nil {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
