package shell

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// bufSize is the relay's read size in both directions.
const bufSize = 64 << 10

// maxSecrets bounds the lines typed with echo off that are kept for redaction.
const maxSecrets = 32

// relay copies the pty's output to the terminal, takes spark's marks out of it, and turns the
// marks and the output between them into records.
type relay struct {
	ptmx *os.File
	conn syscall.RawConn // ptmx's descriptor, used without making it blocking
	out  io.Writer
	sess *session
	kind string // the shell: bash, zsh or fish

	scan  *markScanner
	alt   altScreen
	cur   *capture
	width atomic.Int32

	failed chan error // a relay goroutine panicked or could not write

	mu      sync.Mutex // guards line and secrets, shared by the input and output sides
	line    []byte     // the input line being typed
	secrets []string   // lines typed with echo off
}

func newRelay(ptmx *os.File, out io.Writer, sess *session, kind string, width int) (*relay, error) {
	conn, err := ptmx.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("relay pty: %w", err)
	}
	r := &relay{ptmx: ptmx, conn: conn, out: out, sess: sess, kind: kind, scan: newMarkScanner(sess.nonce), failed: make(chan error, 2)}
	r.width.Store(int32(width))
	return r, nil
}

// copyOutput relays the pty's output until it ends. Output is written before it is parsed for
// records; only the search for marks comes first, and it skips plain text with IndexByte.
func (r *relay) copyOutput() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("relay output: panic: %v\n%s", p, debug.Stack())
			r.failed <- err
		}
	}()
	buf := make([]byte, bufSize)
	var pieces []piece
	var werr error
	for {
		n, rerr := r.ptmx.Read(buf)
		if n > 0 {
			pieces = r.scan.Scan(buf[:n], pieces[:0])
			for _, p := range pieces {
				if p.mark == nil && werr == nil {
					if _, werr = r.out.Write(p.data); werr != nil {
						r.failed <- fmt.Errorf("write output: %w", werr)
					}
				}
			}
			r.record(pieces, time.Now())
		}
		if rerr != nil {
			if rest := r.scan.Flush(); len(rest) > 0 {
				if werr == nil {
					r.out.Write(rest)
				}
				r.record([]piece{{data: rest}}, time.Now())
			}
			if werr != nil {
				return fmt.Errorf("write output: %w", werr)
			}
			// EIO is how Linux reports that every process let go of the pty; a deadline or
			// close is how the session stops waiting for them.
			if rerr == io.EOF || errors.Is(rerr, syscall.EIO) || errors.Is(rerr, os.ErrDeadlineExceeded) || errors.Is(rerr, os.ErrClosed) {
				return nil
			}
			return fmt.Errorf("read pty: %w", rerr)
		}
	}
}

// record applies the marks and hands the output between them to the current capture.
func (r *relay) record(pieces []piece, now time.Time) {
	for _, p := range pieces {
		if p.mark == nil {
			r.alt.Feed(p.data, r.keep)
			continue
		}
		switch m := p.mark; m.kind {
		case markOutput:
			r.cur = newCapture(now)
		case markStart:
			if r.cur == nil || r.cur.started {
				r.cur = newCapture(now)
			}
			r.cur.started, r.cur.cwd, r.cur.command = true, m.fields[0], m.fields[1]
		case markSecret:
			r.addSecret(m.fields[0])
		case markEnd:
			if r.cur != nil && r.cur.started {
				status, _ := strconv.Atoi(m.fields[0])
				r.finish(status, now)
			}
			r.cur = nil
		}
	}
}

func (r *relay) keep(b []byte) {
	if r.cur != nil {
		r.cur.Write(b)
	}
}

// begin starts the record of a command spark runs itself (spark shell -c).
func (r *relay) begin(command, cwd string, now time.Time) {
	r.cur = newCapture(now)
	r.cur.started, r.cur.command, r.cur.cwd = true, command, cwd
}

// end records a command still running when the shell exited ("exit 3" ends both) with the
// shell's status. It is called after copyOutput has returned.
func (r *relay) end(status int, now time.Time) {
	if r.cur != nil && r.cur.started {
		r.finish(status, now)
	}
	r.cur = nil
}

func (r *relay) finish(status int, now time.Time) {
	c := r.cur
	head, tail, omitted := c.parts()
	if r.kind == "zsh" {
		head, tail = trimZshPromptSP(head, tail)
	}
	r.mu.Lock()
	secrets := append([]string(nil), r.secrets...)
	r.mu.Unlock()
	r.sess.submit(recordJob{
		rec:     Record{Command: c.command, Cwd: c.cwd, Status: status, Start: c.start, Duration: now.Sub(c.start)},
		head:    head,
		tail:    tail,
		omitted: omitted,
		width:   int(r.width.Load()),
		secrets: secrets,
	})
}

// addSecret keeps a value the shell reported as read without echo, to redact it from records.
func (r *relay) addSecret(v string) {
	if len(v) < minTypedSecret {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.secrets) == maxSecrets {
		r.secrets = r.secrets[1:]
	}
	r.secrets = append(r.secrets, v)
}

// noteInput runs before input is written to the pty. When the pty has echo off in canonical mode
// (a password prompt: sudo, ssh, read -s), the line being typed is kept as a secret to redact,
// in case it is printed later. Nothing is parsed beyond line editing keys.
func (r *relay) noteInput(p []byte) {
	var tio *unix.Termios
	r.conn.Control(func(fd uintptr) { tio, _ = unix.IoctlGetTermios(int(fd), unix.TCGETS) })
	hidden := tio != nil && tio.Lflag&unix.ECHO == 0 && tio.Lflag&unix.ICANON != 0
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range p {
		switch c {
		case '\r', '\n':
			if hidden && len(r.line) >= minTypedSecret {
				if len(r.secrets) == maxSecrets {
					r.secrets = r.secrets[1:]
				}
				r.secrets = append(r.secrets, string(r.line))
			}
			r.line = r.line[:0]
		case 0x7f, 0x08: // erase
			if len(r.line) > 0 {
				r.line = r.line[:len(r.line)-1]
			}
		case 0x15, 0x03, 0x04: // kill line, interrupt, EOF
			r.line = r.line[:0]
		default:
			if len(r.line) < 4096 {
				r.line = append(r.line, c)
			}
		}
	}
}

// resize gives the pty a new size; the kernel tells the foreground job with SIGWINCH.
func (r *relay) resize(ws *unix.Winsize) {
	r.conn.Control(func(fd uintptr) { unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, ws) })
	r.width.Store(int32(ws.Col))
}

// signalForeground sends sig to the pty's foreground process group.
func (r *relay) signalForeground(sig syscall.Signal) {
	r.conn.Control(func(fd uintptr) {
		if pgrp, err := unix.IoctlGetInt(int(fd), unix.TIOCGPGRP); err == nil && pgrp > 0 {
			unix.Kill(-pgrp, sig)
		}
	})
}

// writeInput writes p to the pty in full.
func (r *relay) writeInput(p []byte) error {
	_, err := r.ptmx.Write(p)
	return err
}

// veof is the pty's end-of-file character, written when input ends so that the shell sees the
// end too.
func (r *relay) veof() byte {
	c := byte(4)
	r.conn.Control(func(fd uintptr) {
		if tio, err := unix.IoctlGetTermios(int(fd), unix.TCGETS); err == nil && tio.Cc[unix.VEOF] != 0 {
			c = tio.Cc[unix.VEOF]
		}
	})
	return c
}
