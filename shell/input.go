package shell

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// errHangup reports that the terminal went away: the shell is hung up, as it would be by its own
// terminal, and no error is reported.
var errHangup = errors.New("terminal hung up")

// input relays the user's keystrokes to the pty as they arrive: no parsing, no buffering.
type input struct {
	errc chan error // the input side failed (nil is never sent)
	wake [2]int     // a pipe that stops a poll-based reader; -1 when unused
}

// startInput starts copying in to the pty. A file (the terminal, a pipe) is read after poll, so
// that stop returns at once without consuming a keystroke meant for whatever runs after spark;
// another reader is read by a goroutine that ends when the reader does.
func startInput(in io.Reader, r *relay) (*input, error) {
	i := &input{errc: make(chan error, 1), wake: [2]int{-1, -1}}
	if in == nil {
		return i, nil
	}
	f, ok := in.(*os.File)
	if !ok {
		go i.copyReader(in, r)
		return i, nil
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, fmt.Errorf("relay input: %w", err)
	}
	i.wake = p
	fd := int(f.Fd())
	go i.copyFile(fd, term.IsTerminal(fd), r)
	return i, nil
}

func (i *input) fail(err error) {
	select {
	case i.errc <- err:
	default:
	}
}

func (i *input) recoverPanic() {
	if p := recover(); p != nil {
		i.fail(fmt.Errorf("relay input: panic: %v\n%s", p, debug.Stack()))
	}
}

func (i *input) copyFile(fd int, isTerm bool, r *relay) {
	defer i.recoverPanic()
	defer unix.Close(i.wake[0])
	buf := make([]byte, bufSize)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(i.wake[0]), Events: unix.POLLIN}}
	for {
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			i.fail(fmt.Errorf("relay input: %w", err))
			return
		}
		if fds[1].Revents != 0 {
			return
		}
		if fds[0].Revents == 0 {
			continue
		}
		n, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN) {
			continue
		}
		if n > 0 {
			r.noteInput(buf[:n])
			if err := r.writeInput(buf[:n]); err != nil {
				return // the shell is gone
			}
			continue
		}
		switch {
		case isTerm && (err == nil || errors.Is(err, unix.EIO)):
			i.fail(errHangup)
		case err != nil:
			i.fail(fmt.Errorf("read input: %w", err))
		default:
			i.ended(r)
		}
		return
	}
}

func (i *input) copyReader(in io.Reader, r *relay) {
	defer i.recoverPanic()
	buf := make([]byte, bufSize)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			r.noteInput(buf[:n])
			if werr := r.writeInput(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err == io.EOF {
				i.ended(r)
			} else {
				i.fail(fmt.Errorf("read input: %w", err))
			}
			return
		}
	}
}

// ended passes the end of input on as the pty's EOF character, as util-linux script does, so that
// a shell reading piped commands exits after the last one.
func (i *input) ended(r *relay) {
	r.writeInput([]byte{r.veof()})
}

// stop ends a poll-based reader.
func (i *input) stop() {
	if i.wake[1] >= 0 {
		unix.Write(i.wake[1], []byte{0})
		unix.Close(i.wake[1])
		// The reader closes the read end when it returns: closing it under its poll could
		// hand the number to another file.
	}
}
