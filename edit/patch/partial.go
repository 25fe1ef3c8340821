package patch

import "strings"

// EvProsePart is the start of a prose line before its newline, once only prose can follow it;
// see Parser.StreamProse.
const EvProsePart = EvHunkDone + 1

// StreamProse makes the parser emit EvProsePart events: the part of a prose line received so
// far, before its newline, as soon as nothing the line can still become (a sentinel, a fence, a
// file name) would make it anything but prose. The line's EvProse follows with its whole text,
// of which the EvProsePart texts are the start. Unlike every other event, these depend on how
// the reply is split into chunks.
func (p *Parser) StreamProse(on bool) { p.streamProse = on }

// partialProse emits what is new of the partial line, if it can only be prose.
func (p *Parser) partialProse() {
	if !p.streamProse || p.closed || len(p.buf) == 0 || p.err != nil || p.emit == nil {
		return
	}
	// The next line is shown as prose at its newline only from here: outside any patch, with
	// no line held back whose meaning waits on it.
	if p.st != stOutside || p.minus != nil || p.fence.open || p.whole.valid || len(p.held) > 0 {
		return
	}
	text := strings.TrimSuffix(string(p.buf), "\r")
	if len(text) <= p.shown || (p.shown == 0 && !p.onlyProse(text)) {
		return
	}
	p.ev(EvProsePart, text[p.shown:], nil)
	p.shown = len(text)
}

// lineStarts are the beginnings of the lines that outside a patch may be anything but prose.
var lineStarts = [...]string{"***", "<<<<<", "```", "~~~", "--- ", "diff --git ", "@@"}

// onlyProse reports whether the start s of a line outside a patch can only end up as prose,
// whatever follows it.
func (p *Parser) onlyProse(s string) bool {
	t := strings.TrimLeft(s, " \t")
	if t == "" {
		return false
	}
	for _, start := range lineStarts {
		if strings.HasPrefix(start, t) || strings.HasPrefix(t, start) {
			return false
		}
	}
	if !p.wantsPaths() || len(t) > 512 {
		return true
	}
	// pathOf takes a bare line with a space inside for prose; anything dressed up (a heading,
	// bold, quotes, backticks, a "File:" label) may still name a file.
	if i := strings.IndexByte(t, '\t'); i >= 0 {
		t = t[:i]
	}
	if !strings.ContainsAny(strings.TrimSpace(t), " ") || strings.ContainsAny(t[:1], "#*`_\"'") {
		return false
	}
	lower := strings.ToLower(t)
	for _, l := range pathLabels {
		if strings.HasPrefix(lower, l) || strings.HasPrefix(l, lower) {
			return false
		}
	}
	return true
}

// Detected returns the format the reply has turned out to use so far: the requested one, or
// for FormatAuto the format of the first sentinel, FormatAuto until one is seen.
func (p *Parser) Detected() Format { return p.mode }

// WholeCandidate returns, while an auto-detecting parser holds a fenced block right after a line
// naming a file (which Close takes for the whole file when it is the only block of the reply),
// that file's name and the block's lines from the from'th on. ok is false when there is no such
// block (yet, or any more).
func (p *Parser) WholeCandidate(from int) (path string, lines []string, ok bool) {
	w := p.whole
	if !p.undetected() || !w.valid || p.err != nil {
		return "", nil, false
	}
	end := len(p.held)
	if w.closed {
		end = w.end
	}
	for _, l := range p.held[min(w.start+from, end):end] {
		lines = append(lines, l.text)
	}
	return p.held[w.path].path, lines, true
}
