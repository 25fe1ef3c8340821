package locate

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// Shape of an excerpt.
const (
	excerptLineMax = 400 // bytes kept of one long line
	excerptBefore  = 2   // lines kept before an error line
	excerptAfter   = 10  // and after it (a compiler's code excerpt, an assertion's message)
	excerptHead    = 5   // first lines, which often name the command or the package
	excerptTail    = 12  // last lines: a summary, the exception of a Python traceback
	markerCost     = 40  // bytes of a "[... N lines left out ...]" line
)

// Excerpt returns text bounded to about limit bytes. Text that fits is returned whole (without
// trailing blank lines). Otherwise lines are kept in order of importance until the budget is
// spent — those around important[0] (the output line of the first error), the last lines, the
// first lines, then those around each further important line — and printed in their original
// order, each run of lines left out replaced by one line that says how many. Long lines are cut.
func Excerpt(text string, important []int, limit int) string {
	text = strings.TrimRight(text, " \t\n")
	if len(text) <= limit {
		return text
	}
	lines := strings.Split(text, "\n")
	keep := make([]bool, len(lines))
	used, full := 0, false
	take := func(from, to int) {
		for i := max(from, 0); i < min(to, len(lines)) && !full; i++ {
			if keep[i] {
				continue
			}
			cost := min(len(lines[i]), excerptLineMax+8) + 1
			if (i == 0 || !keep[i-1]) && (i+1 == len(lines) || !keep[i+1]) {
				cost += markerCost
			}
			if used+cost > limit {
				full = true
				return
			}
			keep[i] = true
			used += cost
		}
	}
	if len(important) > 0 {
		take(important[0]-excerptBefore, important[0]+excerptAfter+1)
	}
	take(len(lines)-excerptTail, len(lines))
	take(0, excerptHead)
	for k := 1; k < len(important) && !full; k++ {
		take(important[k]-excerptBefore, important[k]+excerptAfter+1)
	}

	var b strings.Builder
	b.Grow(used + markerCost)
	gap := 0
	for i, l := range lines {
		if !keep[i] {
			gap++
			continue
		}
		if gap > 0 {
			fmt.Fprintf(&b, "[... %d lines left out ...]\n", gap)
			gap = 0
		}
		if len(l) > excerptLineMax {
			l = strings.ToValidUTF8(l[:excerptLineMax], "") + "…"
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if gap > 0 {
		fmt.Fprintf(&b, "[... %d lines left out ...]\n", gap)
	}
	return strings.TrimRight(b.String(), "\n")
}

// Buffer is an io.Writer that keeps the first and the last bytes written to it, up to a limit
// each, and counts what it drops between them: a command may print without end, what is kept
// of it may not. It is safe for concurrent use.
type Buffer struct {
	mu      sync.Mutex
	limit   int             // bytes kept at each end
	head    strings.Builder // String hands it out without a copy when nothing was dropped
	tail    []byte          // the last bytes, up to 2*limit before it is trimmed to limit
	written int64
}

// bufferFirstGrow is the head's first allocation: a piped log of a few hundred KiB then lands
// in one buffer, without the copies and fresh pages of growing by doubling. Memory the heap takes
// from the system is touched only where it is written.
const bufferFirstGrow = 256 << 10

// NewBuffer returns a Buffer that keeps up to limit bytes of the start and limit of the end.
func NewBuffer(limit int) *Buffer {
	return &Buffer{limit: max(limit, 1)}
}

// Write keeps what it must of p; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	b.written += int64(n)
	if room := b.limit - b.head.Len(); room > 0 {
		if b.head.Cap() == 0 {
			b.head.Grow(min(b.limit, bufferFirstGrow))
		}
		k := min(room, len(p))
		b.head.Write(p[:k])
		p = p[k:]
	}
	// The tail keeps one byte more than it shows, to tell whether it starts a line.
	keep := b.limit + 1
	if len(p) >= keep {
		b.tail = append(b.tail[:0], p[len(p)-keep:]...)
		return n, nil
	}
	b.tail = append(b.tail, p...)
	if len(b.tail) > 2*keep {
		b.tail = append(b.tail[:0], b.tail[len(b.tail)-keep:]...)
	}
	return n, nil
}

// Len returns the number of bytes written so far.
func (b *Buffer) Len() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.written
}

// String returns what was written when it all fits; otherwise the head and the tail, cut at
// line boundaries, joined by a line that says how many bytes were left out.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	tail, lineStart := b.tail, true
	if len(tail) > b.limit {
		lineStart = tail[len(tail)-b.limit-1] == '\n'
		tail = tail[len(tail)-b.limit:]
	}
	head := b.head.String()
	omitted := b.written - int64(len(head)) - int64(len(tail))
	if omitted == 0 {
		if len(tail) == 0 {
			return head
		}
		return head + string(tail)
	}
	if i := strings.LastIndexByte(head, '\n'); i > len(head)/2 {
		omitted += int64(len(head) - i - 1)
		head = head[:i+1]
	} else if len(head) > 0 && head[len(head)-1] != '\n' {
		head += "\n"
	}
	if i := bytes.IndexByte(tail, '\n'); !lineStart && i >= 0 && i < len(tail)/2 {
		omitted += int64(i + 1)
		tail = tail[i+1:]
	}
	return fmt.Sprintf("%s[... %d bytes left out ...]\n%s", head, omitted, tail)
}
