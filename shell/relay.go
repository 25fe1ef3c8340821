package shell

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// bufSize is the relay's read size in both directions.
const bufSize = 64 << 10

// burstYields is how many times readPty yields the processor and reads again, when the pty has
// just been found empty, before it waits in poll(2).
const burstYields = 16

// burstSlice is how long copyOutput runs through a burst of output before it passes through Go's
// scheduler (runtime.Gosched). Its reads are raw system calls, so to the runtime the goroutine
// seems to run without a break; after 10 ms of that the runtime's monitor thread starts to
// preempt it and to take its processor away in every write, and wakes every 20 µs to do so:
// on a 2-core machine that costs the relay more than its copying. Passing through the scheduler
// within each 10 ms keeps the monitor asleep.
const burstSlice = 5 * time.Millisecond

// maxSecrets bounds the lines typed with echo off that are kept for redaction.
const maxSecrets = 32

// relay copies the pty's output to the terminal, takes spark's marks out of it, and turns the
// marks and the output between them into records.
type relay struct {
	ptmx *os.File
	conn syscall.RawConn // ptmx's descriptor, used without making it blocking
	fd   int             // ptmx's descriptor, read directly by copyOutput; valid while ptmx is open
	wake [2]int          // a pipe that wakes copyOutput's poll when the drain deadline is set
	stop atomic.Int64    // the drain deadline (UnixNano), 0 while the shell runs
	out  io.Writer
	sess *session
	kind string // the shell: bash, zsh or fish

	scan  *markScanner
	alt   altScreen
	cur   *capture
	width atomic.Int32

	failed chan error // a relay goroutine panicked or could not write

	waited bool // readPty waited in poll(2) since copyOutput last looked

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
	conn.Control(func(fd uintptr) { r.fd = int(fd) })
	if err := unix.Pipe2(r.wake[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, fmt.Errorf("relay pty: %w", err)
	}
	return r, nil
}

// drainUntil tells copyOutput that the shell has exited: it relays what is left in the pty and
// returns at the deadline at the latest, even if a background job keeps the pty open and
// writing.
func (r *relay) drainUntil(deadline time.Time) {
	r.stop.Store(deadline.UnixNano())
	unix.Write(r.wake[1], []byte{0})
}

// close releases the wake pipe, once copyOutput has returned.
func (r *relay) close() {
	unix.Close(r.wake[0])
	unix.Close(r.wake[1])
}

// readPty reads the pty's output into buf, waiting in poll(2) when there is none. It reports
// io.EOF at the drain deadline and syscall.EIO once every process has let go of the pty.
//
// The pty is read with plain system calls from this goroutine rather than through Go's
// netpoller: a pty hands over at most a few KiB a read, and parking and waking a goroutine
// for each of them costs more than the copy (futex and epoll traffic between threads).
// Here a read that finds data costs one system call, as in util-linux script, and an idle pty
// costs one blocking poll.
func (r *relay) readPty(buf []byte) (int, error) {
	fds := []unix.PollFd{{Fd: int32(r.fd), Events: unix.POLLIN}, {Fd: int32(r.wake[0]), Events: unix.POLLIN}}
	yields := burstYields
	for {
		timeout := -1
		if stop := r.stop.Load(); stop != 0 {
			left := time.Until(time.Unix(0, stop))
			if left <= 0 {
				return 0, io.EOF
			}
			timeout = int(left/time.Millisecond) + 1
			fds = fds[:1] // the wake pipe stays readable from here on
		}
		// A raw system call: the read never blocks, so the scheduler need not be told (which
		// would let it hand this thread's processor to another thread mid-copy).
		n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(r.fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		switch {
		case errno == 0 && n > 0:
			return int(n), nil
		case errno == 0:
			return 0, io.EOF
		case errno == unix.EINTR:
			continue
		case errno != unix.EAGAIN:
			return 0, errno
		}
		// In a burst of output the next 4 KiB is usually a few microseconds behind, written by
		// the program and moved into the pty by a kernel worker: giving the processor to them
		// and reading again costs less than sleeping in poll and being woken, most of all on a
		// busy machine, where a wake-up waits for a time slice.
		if yields > 0 {
			yields--
			unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
			continue
		}
		r.waited = true
		if _, err := unix.Poll(fds, timeout); err != nil && err != unix.EINTR {
			return 0, err
		}
	}
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
	burst := time.Now() // when the current burst of output began, or copyOutput last yielded
	for {
		n, rerr := r.readPty(buf)
		now := time.Now()
		if r.waited {
			r.waited, burst = false, now
		} else if now.Sub(burst) > burstSlice {
			runtime.Gosched()
			burst = now
		}
		if n > 0 {
			pieces = r.scan.Scan(buf[:n], pieces[:0])
			for _, p := range pieces {
				if p.mark == nil && werr == nil {
					if _, werr = r.out.Write(p.data); werr != nil {
						r.failed <- fmt.Errorf("write output: %w", werr)
					}
				}
			}
			r.record(pieces, now)
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
			// EIO is how Linux reports that every process let go of the pty; the drain
			// deadline is how the session stops waiting for them.
			if rerr == io.EOF || errors.Is(rerr, syscall.EIO) {
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

// writeInput writes p to the pty in full. When the pty's input queue is full it waits in poll
// for room, until the session drains (then it gives up: the shell is gone).
func (r *relay) writeInput(p []byte) error {
	fds := []unix.PollFd{{Fd: int32(r.fd), Events: unix.POLLOUT}, {Fd: int32(r.wake[0]), Events: unix.POLLIN}}
	for len(p) > 0 {
		n, err := unix.Write(r.fd, p)
		if n > 0 {
			p = p[n:]
			continue
		}
		switch {
		case err == unix.EINTR:
			continue
		case err != unix.EAGAIN:
			return fmt.Errorf("write pty: %w", err)
		}
		if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
			return fmt.Errorf("write pty: %w", err)
		}
		if fds[1].Revents != 0 {
			return fmt.Errorf("write pty: %w", os.ErrClosed)
		}
	}
	return nil
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
