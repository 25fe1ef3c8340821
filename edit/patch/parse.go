package patch

import (
	"fmt"
	"strings"
)

// state is where the parser is in the reply.
type state int

const (
	stOutside state = iota // prose, fences, path lines: waiting for a sentinel
	stV4A                  // between *** Begin Patch and *** End Patch
	stSearch               // inside <<<<<<< SEARCH
	stReplace              // inside ======= ... >>>>>>> REPLACE
	stUnified              // after a --- / +++ header
	stWhole                // inside the fenced block of a whole-file reply
)

// heldLine is a reply line whose meaning depends on what follows it: a possible path line before
// a SEARCH block or a fence, or fenced text that may still turn out to be a patch.
type heldLine struct {
	text string
	line int
	path string // the cleaned path if the line looks like one
}

// Parser reads a model reply incrementally. It emits an Event for each complete line as soon as
// the line's newline arrives, so a caller can render the patch while it streams. Events and the
// final Patch do not depend on how the reply is split into chunks.
//
// A few lines are emitted late because their meaning depends on the next line: a line that looks
// like a file name (it may name the file of a following SEARCH block), a "--- " line (it may
// start a unified header), empty lines inside a hunk (they are dropped when the hunk ends there),
// and, while the format is still undetected, the text of fenced blocks.
type Parser struct {
	want   Format // requested format
	mode   Format // detected format; FormatAuto until a sentinel is seen
	emit   func(Event)
	buf    []byte // partial line
	line   int    // number of the line being processed
	st     state
	patch  Patch
	prose  []string
	err    *ParseError
	closed bool

	fence   fenceState
	fences  int // fenced blocks opened outside patches
	held    []heldLine
	minus   *heldLine    // a "--- " line waiting for its "+++ " line
	devNull *pendingFile // a "--- /dev/null" file waiting for its first hunk line
	named   []string     // the files the reply may edit (SetFiles)
	mention string       // the named file the prose since the last fence mentions
	whole   wholeCand

	file      int   // index of the current file, -1 before the first
	fileLine  []int // reply line of each file's header
	lastPath  string
	addLines  []string // content of the current OpAdd file
	h         Hunk     // hunk being built
	hunkOpen  bool
	blanks    int // empty lines not yet known to be context
	last      EventKind
	inFence   bool // the current V4A patch started inside a fence
	oldLeft   int  // unified line counts still expected, -1 if unknown
	newLeft   int
	wholeBody []string

	streamProse bool // emit EvProsePart
	shown       int  // bytes of the partial line emitted as EvProsePart
}

// NewParser returns a Parser for format f (FormatAuto detects it) that calls emit for each event;
// emit may be nil. An unknown format makes Close fail with a *ParseError.
func NewParser(f Format, emit func(Event)) *Parser {
	p := &Parser{want: f, mode: f, emit: emit, file: -1, oldLeft: -1, newLeft: -1}
	p.patch.Format = f
	switch f {
	case FormatAuto, FormatV4A, FormatSearchReplace, FormatWhole, FormatUnified:
	default:
		p.failAt(0, fmt.Sprintf("unknown patch format %q", string(f)))
	}
	return p
}

// Parse parses a complete reply. It is NewParser(f, nil), Feed(text) and Close. The error is a
// *ParseError.
func Parse(text string, f Format) (*Patch, error) {
	p := NewParser(f, nil)
	p.Feed(text)
	return p.Close()
}

// Feed adds the next piece of the reply. Chunks may split lines anywhere. Once the parser has
// failed, further input is ignored; Err reports the failure at once.
func (p *Parser) Feed(chunk string) {
	for len(chunk) > 0 && !p.closed {
		i := strings.IndexByte(chunk, '\n')
		if i < 0 {
			p.buf = append(p.buf, chunk...)
			break
		}
		line := chunk[:i]
		if len(p.buf) > 0 {
			p.buf = append(p.buf, line...)
			line = string(p.buf)
			p.buf = p.buf[:0]
		}
		chunk = chunk[i+1:]
		p.shown = 0
		p.process(line)
	}
	p.partialProse()
}

// Err returns the *ParseError the reply has already caused, or nil. A caller can stop the stream
// early on it.
func (p *Parser) Err() error {
	if p.err == nil {
		return nil
	}
	return p.err
}

// Close parses the last partial line and finishes the patch. It fails with a *ParseError when
// the reply holds no patch, when a SEARCH block or whole-file block is left open, when an update
// has no hunks, or on any earlier error. Calling Close again returns the same result.
func (p *Parser) Close() (*Patch, error) {
	if !p.closed {
		if len(p.buf) > 0 {
			p.process(string(p.buf))
			p.buf = nil
		}
		p.finish()
		p.closed = true
	}
	if p.err != nil {
		return nil, p.err
	}
	return &p.patch, nil
}

func (p *Parser) process(line string) {
	p.line++
	if p.err != nil {
		return
	}
	line = strings.TrimSuffix(line, "\r")
	switch p.st {
	case stOutside:
		p.outside(line)
	case stV4A:
		p.v4a(line)
	case stSearch, stReplace:
		p.searchReplace(line)
	case stUnified:
		p.unified(line)
	case stWhole:
		p.wholeLine(line)
	}
}

func (p *Parser) finish() {
	if p.err != nil {
		return
	}
	if p.devNull != nil {
		p.resolveDevNull(OpAdd)
	}
	if p.minus != nil {
		m := *p.minus
		p.minus = nil
		switch {
		case p.st == stV4A:
			p.at(m.line, func() { p.v4aLine(m.text) })
		case p.st == stUnified && p.hunkOpen:
			p.hunkLine(EvDelete, m.text[1:])
		default:
			p.at(m.line, func() { p.plain(m.text) })
		}
	}
	switch p.st {
	case stV4A, stUnified:
		p.closeHunk()
		p.closeFile()
	case stSearch:
		p.failAt(p.h.Line, "search block has no ======= divider")
	case stReplace:
		p.failAt(p.h.Line, "search/replace block is not closed with >>>>>>> REPLACE")
	case stWhole:
		p.failAt(p.fileLine[p.file], fmt.Sprintf("code block for %q is not closed", p.patch.Files[p.file].Path))
	case stOutside:
		p.finishOutside()
	}
	if p.err != nil {
		return
	}
	if len(p.patch.Files) == 0 {
		p.failAt(0, "no patch found in the reply")
		return
	}
	for i, f := range p.patch.Files {
		if f.Op == OpUpdate && !f.Whole && len(f.Hunks) == 0 && f.MoveTo == "" {
			p.failAt(p.fileLine[i], fmt.Sprintf("patch for %q has no hunks", f.Path))
			return
		}
	}
	p.patch.Prose = joinProse(p.prose)
}

// at runs f as if line n were being processed, for lines handled after the one that follows them.
func (p *Parser) at(n int, f func()) {
	save := p.line
	p.line = n
	f()
	p.line = save
}

func (p *Parser) fail(msg string) { p.failAt(p.line, msg) }

func (p *Parser) failAt(line int, msg string) {
	if p.err == nil {
		p.err = &ParseError{Line: line, Msg: msg}
	}
}

func (p *Parser) ev(k EventKind, text string, h *Hunk) {
	if p.emit == nil {
		return
	}
	e := Event{Kind: k, Text: text, File: p.file, Hunk: h}
	if p.file >= 0 {
		e.Path, e.Op = p.patch.Files[p.file].Path, p.patch.Files[p.file].Op
	}
	p.emit(e)
}

func (p *Parser) proseLine(text string) {
	p.prose = append(p.prose, text)
	p.noteMention(text)
	p.ev(EvProse, text, nil)
}

// detect fixes the format of an auto-detecting parser at its first sentinel.
func (p *Parser) detect(f Format) {
	if p.mode == FormatAuto {
		p.mode = f
		p.patch.Format = f
	}
}

// allows reports whether sentinels of format f are recognised now.
func (p *Parser) allows(f Format) bool {
	return p.mode == f || (p.want == FormatAuto && p.mode == FormatAuto)
}

// joinProse joins prose lines, trimmed, with runs of empty lines (left where a patch or a fence
// was cut out) collapsed to one.
func joinProse(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		b.WriteString(l)
	}
	return strings.TrimSpace(b.String())
}
