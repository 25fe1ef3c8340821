package shell

import (
	"github.com/spark-cli/spark/internal/testenv"

	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// ptyPair is a real pty: the LineReader reads the tty end, the test types on the other.
type ptyPair struct {
	t    *testing.T
	ptmx *os.File
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
}

func newPtyPair(t *testing.T) *ptyPair {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		testenv.Missing(t, "no pty: %v", err)
	}
	p := &ptyPair{t: t, ptmx: ptmx, tty: tty}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1024)
		for {
			n, err := ptmx.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		tty.Close()
		ptmx.Close()
		<-done
	})
	return p
}

func (p *ptyPair) screen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitCount waits until s has been echoed n times, at most waitTime.
func (p *ptyPair) waitCount(s string, n int) {
	p.t.Helper()
	deadline := time.Now().Add(waitTime)
	for strings.Count(p.screen(), s) < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %d× %q; the terminal shows %q", n, s, p.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type readResult struct {
	line string
	ok   bool
}

// read starts r.ReadLine with the prompt "nudge> ", waits until the prompt is on the screen (so
// raw mode is on and Ctrl-C is a byte), types keys, and returns what ReadLine returned.
func (p *ptyPair) read(ctx context.Context, r *LineReader, keys string) readResult {
	p.t.Helper()
	shown := strings.Count(p.screen(), "nudge> ")
	res := make(chan readResult, 1)
	go func() {
		line, ok := r.ReadLine(ctx, "nudge> ")
		res <- readResult{line, ok}
	}()
	p.waitCount("nudge> ", shown+1)
	if keys != "" {
		if _, err := p.ptmx.Write([]byte(keys)); err != nil {
			p.t.Fatalf("type on the pty: %v", err)
		}
	}
	select {
	case got := <-res:
		return got
	case <-time.After(waitTime):
		p.t.Fatalf("ReadLine did not return after %q; the terminal shows %q", keys, p.screen())
		return readResult{}
	}
}

const (
	left  = "\x1b[D"
	right = "\x1b[C"
	up    = "\x1b[A"
	down  = "\x1b[B"
	home  = "\x1b[H"
	end   = "\x1b[F"
)

func TestLineReaderKeys(t *testing.T) {
	tests := []struct {
		name string
		keys string
		want string
		ok   bool
	}{
		{"plain", "use z\r", "use z", true},
		{"left inserts mid-line", "helo" + left + left + "l\r", "hello", true},
		{"right", "hllo" + home + right + "e\r", "hello", true},
		{"home", "world" + home + "hello \r", "hello world", true},
		{"end", "ello" + home + "h" + end + "!\r", "hello!", true},
		{"home and end as tmux sends them", "ello\x1b[1~h\x1b[4~!\r", "hello!", true},
		{"home and end as rxvt sends them", "ello\x1b[7~h\x1b[8~!\r", "hello!", true},
		{"keys in application mode", "ello\x1bOHh\x1bOF!\x1bOD\x1bOD?\x1bOC\x1bOC.\r", "hell?o!.", true},
		{"ctrl-a ctrl-e", "ello\x01h\x05!\r", "hello!", true},
		{"backspace", "helpx\x7f\x7flo\r", "hello", true},
		{"backspace a multibyte rune", "hé\x7fe\r", "he", true},
		{"ctrl-w deletes a word", "use x and y\x17z\r", "use x and z", true},
		{"ctrl-u deletes to the start", "wrong\x15right\r", "right", true},
		{"ctrl-k deletes to the end", "keep drop\x01" + right + right + right + right + "\x0b\r", "keep", true},
		{"ctrl-d deletes under the cursor", "abcd" + left + "\x04\r", "abc", true},
		{"newline ends the line too", "use z\n", "use z", true},
		{"ctrl-c aborts", "abc\x03", "", false},
		{"ctrl-d on an empty line aborts", "\x04", "", false},
		{"empty line aborts", "\r", "", false},
		{"blank line aborts", "   \r", "   ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPtyPair(t)
			got := p.read(context.Background(), NewLineReader(p.tty, p.tty), tt.keys)
			if got.line != tt.want || got.ok != tt.ok {
				t.Errorf("ReadLine after typing %q = %q, %v; want %q, %v", tt.keys, got.line, got.ok, tt.want, tt.ok)
			}
		})
	}
}

// TestLineReaderHistory: Up and Down walk through the lines read before by the same LineReader,
// and the line under edit comes back below the newest.
func TestLineReaderHistory(t *testing.T) {
	p := newPtyPair(t)
	r := NewLineReader(p.tty, p.tty)
	steps := []struct {
		keys string
		want string
	}{
		{"first\r", "first"},
		{"second\r", "second"},
		{up + up + down + "!\r", "second!"},
		{up + up + up + "\x05?\r", "first?"},
		{"draft" + up + down + " kept\r", "draft kept"},
		{"\x10\x10\x10\r", "second!"}, // Ctrl-P as Up
	}
	for _, s := range steps {
		got := p.read(context.Background(), r, s.keys)
		if got.line != s.want || !got.ok {
			t.Errorf("ReadLine after typing %q = %q, %v; want %q, true", s.keys, got.line, got.ok, s.want)
		}
	}
}

// TestLineReaderContextEnds: ending the context ends the wait for a key, and the terminal is
// back in the mode it was in.
func TestLineReaderContextEnds(t *testing.T) {
	p := newPtyPair(t)
	before, err := unix.IoctlGetTermios(int(p.tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	shown := strings.Count(p.screen(), "nudge> ")
	res := make(chan readResult, 1)
	go func() {
		line, ok := NewLineReader(p.tty, p.tty).ReadLine(ctx, "nudge> ")
		res <- readResult{line, ok}
	}()
	p.waitCount("nudge> ", shown+1)
	p.ptmx.Write([]byte("half typed"))
	p.waitCount("half typed", 1)
	cancel()
	select {
	case got := <-res:
		if got.ok {
			t.Errorf("ReadLine after the context ended = %q, true; want false", got.line)
		}
	case <-time.After(waitTime):
		t.Fatal("ReadLine did not return after the context ended")
	}
	after, err := unix.IoctlGetTermios(int(p.tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if *after != *before {
		t.Errorf("terminal mode after ReadLine = %+v, want it restored to %+v", *after, *before)
	}
}
