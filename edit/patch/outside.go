package patch

import "strings"

// fenceState tracks a markdown code fence opened outside patch content.
type fenceState struct {
	open bool
	char byte
	n    int
	line int
}

// wholeCand is a fenced block that an auto-detecting parser may later take as a whole-file reply:
// the first fenced block, right after a line naming a path. Everything after it is held too, so
// that events stay in reply order whatever the block turns out to be.
type wholeCand struct {
	valid  bool
	closed bool
	path   int // index in held of the path line
	start  int // index in held of the first content line
	end    int // index in held after the last content line
	line   int // reply line of the opening fence
}

// parseFence reports whether line is a markdown fence line, with its character, length and info
// string.
func parseFence(line string) (c byte, n int, info string, ok bool) {
	t := strings.TrimSpace(line)
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0, "", false
	}
	c = t[0]
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 3 {
		return 0, 0, "", false
	}
	info = strings.TrimSpace(t[n:])
	if c == '`' && strings.IndexByte(info, '`') >= 0 {
		return 0, 0, "", false
	}
	return c, n, info, true
}

// closesFence reports whether line closes the fence f.
func closesFence(f fenceState, line string) bool {
	c, n, info, ok := parseFence(line)
	return ok && f.open && c == f.char && n >= f.n && info == ""
}

// outside handles a line outside any patch: sentinels start one, the rest is prose.
func (p *Parser) outside(line string) {
	if p.minus != nil {
		m := *p.minus
		p.minus = nil
		if strings.HasPrefix(line, "+++ ") {
			p.detect(FormatUnified)
			p.flushHeld()
			p.unifiedHeader(m.text, line, m.line)
			return
		}
		p.at(m.line, func() { p.plain(m.text) })
		if p.err != nil {
			return
		}
	}
	p.outsideLine(line)
}

func (p *Parser) outsideLine(line string) {
	t := strings.TrimSpace(line)
	if p.allows(FormatV4A) {
		if isBeginPatch(t) {
			p.startV4A()
			return
		}
		if _, _, ok := v4aFileHeader(t); ok || (p.want == FormatV4A && strings.HasPrefix(line, "@@")) {
			p.startV4A()
			p.v4a(line)
			return
		}
	}
	if p.allows(FormatSearchReplace) && isSearch(t) {
		p.detect(FormatSearchReplace)
		p.startSearch()
		return
	}
	if p.allows(FormatUnified) {
		if strings.HasPrefix(line, "--- ") {
			p.minus = &heldLine{text: line, line: p.line}
			return
		}
		if strings.HasPrefix(line, "diff --git ") || (p.want == FormatUnified && isUnifiedHunkHeader(line)) {
			p.detect(FormatUnified)
			p.flushHeld()
			p.st = stUnified
			if !strings.HasPrefix(line, "diff ") {
				p.startFile("", OpUpdate, false)
				p.unified(line)
			}
			return
		}
	}
	if c, n, _, ok := parseFence(line); ok {
		if !p.fence.open {
			p.openFence(c, n)
			return
		}
		if closesFence(p.fence, line) {
			p.closeFence()
			return
		}
	}
	p.plain(line)
}

// undetected reports whether an auto-detecting parser has not seen a sentinel yet.
func (p *Parser) undetected() bool { return p.want == FormatAuto && p.mode == FormatAuto }

// wantsPaths reports whether a line naming a file may matter, so it is held back.
func (p *Parser) wantsPaths() bool {
	return p.undetected() || p.mode == FormatSearchReplace || p.mode == FormatWhole
}

func (p *Parser) openFence(c byte, n int) {
	p.fence = fenceState{open: true, char: c, n: n, line: p.line}
	p.fences++
	switch {
	case p.mode == FormatWhole:
		path, ok := p.takePath()
		if !ok && p.mention != "" {
			path, ok = p.mention, true
		}
		p.mention = ""
		if ok || len(p.patch.Files) == 0 {
			p.startFile(path, OpUpdate, true)
			p.wholeBody = nil
			p.st = stWhole
		}
	case p.undetected():
		if p.fences == 1 {
			if i := p.pathCandidate(); i >= 0 {
				p.whole = wholeCand{valid: true, path: i, start: len(p.held), line: p.line}
			}
		} else if p.whole.valid {
			p.flushHeld()
		}
	}
}

func (p *Parser) closeFence() {
	p.fence.open = false
	if !p.undetected() {
		return
	}
	if p.whole.valid && !p.whole.closed {
		p.whole.closed = true
		p.whole.end = len(p.held)
		return
	}
	if !p.whole.valid {
		p.flushHeld()
	}
}

// plain handles a line that is not a sentinel or a fence.
func (p *Parser) plain(line string) {
	if p.undetected() && (p.fence.open || p.whole.valid) {
		p.held = append(p.held, heldLine{text: line, line: p.line, path: pathOf(line)})
		return
	}
	if !p.wantsPaths() {
		p.flushHeld()
		p.proseLine(line)
		return
	}
	if strings.TrimSpace(line) == "" {
		if len(p.held) > 0 {
			p.held = append(p.held, heldLine{text: line, line: p.line})
		} else {
			p.proseLine(line)
		}
		return
	}
	p.flushHeld()
	if path := pathOf(line); path != "" {
		p.held = append(p.held, heldLine{text: line, line: p.line, path: path})
		return
	}
	p.proseLine(line)
}

// flushHeld emits every held line as prose.
func (p *Parser) flushHeld() {
	for _, l := range p.held {
		p.proseLine(l.text)
	}
	p.held = p.held[:0]
	p.whole = wholeCand{}
}

// pathCandidate returns the index in held of a path line followed only by empty lines, or -1.
func (p *Parser) pathCandidate() int {
	for i := len(p.held) - 1; i >= 0; i-- {
		if p.held[i].path != "" {
			return i
		}
		if strings.TrimSpace(p.held[i].text) != "" {
			return -1
		}
	}
	return -1
}

// takePath consumes the held path line, if any, and emits the held lines before it as prose.
func (p *Parser) takePath() (string, bool) {
	i := p.pathCandidate()
	if i < 0 {
		p.flushHeld()
		return "", false
	}
	path := p.held[i].path
	for _, l := range p.held[:i] {
		p.proseLine(l.text)
	}
	p.held = p.held[:0]
	p.whole = wholeCand{}
	return path, true
}

// finishOutside decides, at the end of the reply, whether an auto-detecting parser saw a
// whole-file reply: exactly one fenced block, closed, right after a line naming a path.
func (p *Parser) finishOutside() {
	w := p.whole
	if !p.undetected() || !w.valid || !w.closed || p.fences != 1 {
		p.flushHeld()
		return
	}
	held := p.held
	p.held = nil
	p.whole = wholeCand{}
	for _, l := range held[:w.path] {
		p.proseLine(l.text)
	}
	p.detect(FormatWhole)
	p.at(w.line, func() { p.startFile(held[w.path].path, OpUpdate, true) })
	p.wholeBody = nil
	for _, l := range held[w.start:w.end] {
		p.at(l.line, func() { p.wholeContent(l.text) })
	}
	p.endWhole()
	for _, l := range held[w.end:] {
		p.proseLine(l.text)
	}
}
