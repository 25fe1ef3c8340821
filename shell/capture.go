package shell

import (
	"bytes"
	"time"

	"github.com/spark-cli/spark/internal/lazy"
)

// Bounds of what a record keeps of a command's output. The raw bounds are larger than the kept
// ones because escape sequences and overwritten progress lines shrink when cleaned.
const (
	headRaw  = 32 << 10
	tailRaw  = 32 << 10
	headKeep = 16 << 10
	tailKeep = 16 << 10
)

// capture collects the output of one command: the first headRaw bytes and a ring of the last
// tailRaw bytes, so memory stays bounded however much the command prints.
type capture struct {
	command, cwd string
	started      bool // the start mark arrived (command and cwd are known)
	start        time.Time

	head  []byte
	tail  []byte // ring buffer, tailRaw long once full
	tpos  int    // next write position in tail when full
	total int64  // bytes offered, alternate screen excluded
}

func newCapture(now time.Time) *capture {
	return &capture{start: now, head: make([]byte, 0, 4096)}
}

func (c *capture) Write(p []byte) {
	c.total += int64(len(p))
	if n := headRaw - len(c.head); n > 0 {
		n = min(n, len(p))
		c.head = append(c.head, p[:n]...)
		p = p[n:]
	}
	if len(p) == 0 {
		return
	}
	if len(p) >= tailRaw {
		if cap(c.tail) < tailRaw {
			c.tail = make([]byte, tailRaw)
		}
		c.tail = c.tail[:tailRaw]
		copy(c.tail, p[len(p)-tailRaw:])
		c.tpos = 0
		return
	}
	if len(c.tail) < tailRaw {
		room := tailRaw - len(c.tail)
		if len(p) <= room {
			c.tail = append(c.tail, p...)
			return
		}
		c.tail = append(c.tail, p[:room]...)
		p = p[room:]
		c.tpos = 0
	}
	n := copy(c.tail[c.tpos:], p)
	if n < len(p) {
		copy(c.tail, p[n:])
	}
	c.tpos = (c.tpos + len(p)) % tailRaw
}

// parts returns the raw head and tail, the tail in order, and how many bytes lie between them.
func (c *capture) parts() (head, tail []byte, omitted int64) {
	tail = c.tail
	if len(c.tail) == tailRaw && c.tpos != 0 {
		tail = append(append(make([]byte, 0, tailRaw), c.tail[c.tpos:]...), c.tail[:c.tpos]...)
	}
	return c.head, tail, c.total - int64(len(c.head)) - int64(len(tail))
}

// altScreen follows the terminal's alternate screen (vim, less, htop) so that what is drawn there
// is left out of records. It runs after the output was written, so holding an unfinished escape
// sequence across reads costs nothing on screen.
type altScreen struct {
	on    bool
	carry []byte // an unfinished escape sequence from the previous chunk
}

// maxCarry bounds the escape sequence the tracker waits for; longer ones are not mode switches.
const maxCarry = 32

// Feed passes the parts of p drawn on the main screen to keep, in order.
func (a *altScreen) Feed(p []byte, keep func([]byte)) {
	if len(a.carry) > 0 {
		p = append(a.carry, p...)
		a.carry = nil
	}
	start, i := 0, 0
	for {
		j := bytes.IndexByte(p[i:], 0x1b)
		if j < 0 {
			break
		}
		j += i
		n, on, isSwitch, complete := altSwitch(p[j:])
		if !complete {
			if len(p)-j <= maxCarry {
				a.emit(p[start:j], keep)
				a.carry = append([]byte(nil), p[j:]...)
				return
			}
			i = j + 1
			continue
		}
		if !isSwitch {
			i = j + 1
			continue
		}
		a.emit(p[start:j], keep)
		a.on = on
		i = j + n
		start = i
	}
	a.emit(p[start:], keep)
}

func (a *altScreen) emit(b []byte, keep func([]byte)) {
	if len(b) > 0 && !a.on {
		keep(b)
	}
}

// altSwitch reports whether b starts with a switch to (on) or from the alternate screen: CSI ? 1049
// h/l and the older 1047 and 47, alone or among other modes, or RIS (ESC c) which leaves it. n is
// the length of the sequence; complete is false when b ends before the sequence does.
func altSwitch(b []byte) (n int, on, isSwitch, complete bool) {
	if len(b) < 2 {
		return 0, false, false, false
	}
	if b[1] == 'c' {
		return 2, false, true, true
	}
	if b[1] != '[' {
		return 0, false, false, true
	}
	if len(b) < 3 {
		return 0, false, false, false
	}
	if b[2] != '?' {
		return 0, false, false, true
	}
	alt := false
	num := 0
	for k := 3; k < len(b); k++ {
		c := b[k]
		switch {
		case c >= '0' && c <= '9':
			num = num*10 + int(c-'0')
			if num > 99999 {
				return 0, false, false, true
			}
		case c == ';':
			alt = alt || num == 1049 || num == 1047 || num == 47
			num = 0
		case c == 'h' || c == 'l':
			alt = alt || num == 1049 || num == 1047 || num == 47
			return k + 1, c == 'h', alt, true
		default:
			return 0, false, false, true
		}
	}
	return 0, false, false, false
}

// zshPromptSP is what zsh prints before its precmd hooks, and so before the end mark: with its
// PROMPT_SP option, the PROMPT_EOL_MARK (by default a reverse-video % or #), spaces to the end
// of the line, and carriage returns. On screen it is overwritten by the prompt unless the output
// did not end with a newline; it is never part of the command's output.
var zshPromptSP = &lazy.Regexp{Expr: `(?:(?:\x1b\[[0-9;]*m)*[%#](?:\x1b\[[0-9;]*m)*)? {8,}\r(?: \r)?(?:\x1b\[K)?$`}

// trimZshPromptSP removes zsh's PROMPT_SP from the end of a captured output.
func trimZshPromptSP(head, tail []byte) ([]byte, []byte) {
	if len(tail) > 0 {
		if loc := zshPromptSP.Get().FindIndex(tail); loc != nil {
			return head, tail[:loc[0]]
		}
		return head, tail
	}
	if loc := zshPromptSP.Get().FindIndex(head); loc != nil {
		return head[:loc[0]], tail
	}
	return head, tail
}
