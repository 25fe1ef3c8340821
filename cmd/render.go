package cmd

import (
	"unicode/utf8"

	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"

	"github.com/spark-cli/spark/edit"
	"github.com/spark-cli/spark/internal/safe"
)

// palette holds the colours of a diff; every entry prints plainly when colour is off.
type palette struct {
	file, hunk, del, ins, ctx, prose, dim, warn *color.Color
}

func newPalette(on bool) *palette {
	p := &palette{
		file:  color.New(color.Bold),
		hunk:  color.New(color.FgCyan),
		del:   color.New(color.FgRed),
		ins:   color.New(color.FgGreen),
		ctx:   color.New(color.Reset),
		prose: color.New(color.Italic),
		dim:   color.New(color.Faint),
		warn:  color.New(color.FgYellow),
	}
	for _, c := range []*color.Color{p.file, p.hunk, p.del, p.ins, p.ctx, p.prose, p.dim, p.warn} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// liveRenderer prints a reply as a coloured diff while it streams: the explanation as it
// arrives, the diff one complete line at a time. Every line is the model's or a file's, so it
// passes safe.Text: the colours are spark's own, the rest inert.
type liveRenderer struct {
	w        *bufio.Writer
	pal      *palette
	lastKind edit.EventKind
	lines    int
	started  bool
	partial  string // the start of a prose line printed before its newline
	carry    string // the end of partial not printed yet: an incomplete UTF-8 character
}

func newLiveRenderer(w io.Writer, pal *palette) *liveRenderer {
	return &liveRenderer{w: bufio.NewWriterSize(w, 32<<10), pal: pal, lastKind: -1}
}

// event renders one parser event; the caller flushes after each batch of model output.
func (r *liveRenderer) event(ev edit.Event) {
	if ev.Kind == edit.EvProsePart {
		// A part may end inside a multi-byte character: that tail waits for the next part, so
		// the sanitiser sees whole characters.
		text := r.carry + ev.Text
		cut := len(text)
		for i := len(text) - 1; i >= 0 && i >= len(text)-utf8.UTFMax; i-- {
			if utf8.RuneStart(text[i]) {
				if !utf8.FullRuneInString(text[i:]) {
					cut = i
				}
				break
			}
		}
		r.carry = text[cut:]
		r.pal.prose.Fprint(r.w, safe.Text(text[:cut]))
		r.partial += ev.Text
		r.started = true
		return
	}
	if r.partial != "" {
		// The parser shows a line's start only once it can be nothing but that prose line,
		// so its EvProse comes next; end the line in any case.
		if ev.Kind == edit.EvProse && strings.HasPrefix(ev.Text, r.partial) {
			r.pal.prose.Fprintln(r.w, safe.Text(r.carry+ev.Text[len(r.partial):]))
			r.partial, r.carry = "", ""
			r.lastKind = ev.Kind
			r.lines++
			return
		}
		r.endLine()
	}
	switch ev.Kind {
	case edit.EvProse:
		if !r.started && strings.TrimSpace(ev.Text) == "" {
			return
		}
		r.pal.prose.Fprintln(r.w, safe.Text(ev.Text))
	case edit.EvFile:
		r.pal.file.Fprintln(r.w, safe.Line(ev.Path))
	case edit.EvHunk:
		r.pal.hunk.Fprintln(r.w, safe.Text(strings.TrimRight("@@ "+ev.Text, " ")))
	case edit.EvContext:
		r.pal.ctx.Fprintln(r.w, " "+safe.Text(ev.Text))
	case edit.EvDelete:
		r.pal.del.Fprintln(r.w, "-"+safe.Text(ev.Text))
	case edit.EvInsert:
		r.pal.ins.Fprintln(r.w, "+"+safe.Text(ev.Text))
	default:
		return
	}
	r.started = true
	r.lastKind = ev.Kind
	r.lines++
}

func (r *liveRenderer) flush() { r.w.Flush() }

// endLine ends a prose line printed without its newline.
func (r *liveRenderer) endLine() {
	if r.partial != "" {
		r.pal.prose.Fprint(r.w, safe.Text(r.carry))
		r.w.WriteByte('\n')
		r.partial, r.carry = "", ""
	}
}

// end finishes the drawing of a reply, complete or cut short, so that what follows starts on a
// line of its own; safe on nil.
func (r *liveRenderer) end() {
	if r == nil {
		return
	}
	r.endLine()
	r.flush()
}

// writeDiff prints a unified diff, coloured when the palette is. The lines are the files' and
// the model's, so each passes safe.Text.
func writeDiff(w io.Writer, pal *palette, diff string) {
	bw := bufio.NewWriterSize(w, 32<<10)
	defer bw.Flush()
	for _, line := range strings.SplitAfter(diff, "\n") {
		if line == "" {
			continue
		}
		line = safe.Text(line)
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
			pal.file.Fprint(bw, line)
		case strings.HasPrefix(line, "@@"):
			pal.hunk.Fprint(bw, line)
		case strings.HasPrefix(line, "-"):
			pal.del.Fprint(bw, line)
		case strings.HasPrefix(line, "+"):
			pal.ins.Fprint(bw, line)
		default:
			bw.WriteString(line)
		}
	}
}

// spinner shows elapsed milliseconds on a terminal until the first token arrives.
type spinner struct {
	w     io.Writer
	label string
	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup
	once  sync.Once
}

var spinFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// startSpinner draws at once, then every 80 ms; Stop erases it before anything else is printed.
func startSpinner(w io.Writer, pal *palette, label string, start time.Time) *spinner {
	s := &spinner{w: w, label: label, start: start, stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(80 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			ms := time.Since(s.start).Milliseconds()
			fmt.Fprintf(s.w, "\r\x1b[K%s %s %s", spinFrames[i%len(spinFrames)], s.label, pal.dim.Sprintf("%d ms", ms))
			select {
			case <-s.stop:
				fmt.Fprint(s.w, "\r\x1b[K")
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop erases the spinner and waits until it has; safe to call more than once, and on nil.
func (s *spinner) Stop() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		close(s.stop)
		s.done.Wait()
	})
}

// fmtDuration prints milliseconds below ten seconds, seconds with one decimal above.
func fmtDuration(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
