package patch

import "strings"

// startFile makes path the current file. Updates of a path already in the patch continue that
// FilePatch, so a reply that returns to a file yields one entry per file.
func (p *Parser) startFile(path string, op Op, whole bool) {
	p.closeHunk()
	p.closeFile()
	p.lastPath = path
	if op == OpUpdate && !whole {
		for i, f := range p.patch.Files {
			if f.Path == path && f.Op == OpUpdate && !f.Whole {
				if p.file != i {
					p.file = i
					p.ev(EvFile, "", nil)
				}
				return
			}
		}
	}
	p.patch.Files = append(p.patch.Files, FilePatch{Path: path, Op: op, Whole: whole})
	p.fileLine = append(p.fileLine, p.line)
	p.file = len(p.patch.Files) - 1
	p.ev(EvFile, "", nil)
}

// closeFile finishes the content of an added file.
func (p *Parser) closeFile() {
	if p.file < 0 {
		return
	}
	f := &p.patch.Files[p.file]
	if f.Op != OpAdd || f.Content != "" {
		return
	}
	lines := p.addLines
	noEOL := false
	for _, h := range f.Hunks {
		lines = append(lines, h.New...)
		noEOL = h.NewNoEOL
	}
	p.addLines = nil
	if len(lines) > 0 {
		f.Content = strings.Join(lines, "\n")
		if !noEOL {
			f.Content += "\n"
		}
	}
}

// openHunk handles an "@@" line: it ends a hunk that already has lines, or adds an anchor to
// the one being started.
func (p *Parser) openHunk(anchor string, oldStart int) {
	if p.hunkOpen && (len(p.h.Old) > 0 || len(p.h.New) > 0) {
		p.closeHunk()
	}
	p.blanks = 0
	if !p.hunkOpen {
		p.h = Hunk{Line: p.line}
		p.hunkOpen = true
	}
	if anchor != "" {
		p.h.Anchors = append(p.h.Anchors, anchor)
	}
	if oldStart > 0 {
		p.h.OldStart = oldStart
	}
	p.ev(EvHunk, anchor, nil)
}

// ensureHunk starts a hunk for a line that arrives without an "@@" line before it.
func (p *Parser) ensureHunk() {
	if !p.hunkOpen {
		p.h = Hunk{Line: p.line}
		p.hunkOpen = true
		p.blanks = 0
		p.ev(EvHunk, "", nil)
	}
}

// flushBlanks turns empty lines that turned out to sit inside a hunk into empty context lines.
func (p *Parser) flushBlanks() {
	for ; p.blanks > 0; p.blanks-- {
		p.hunkLine(EvContext, "")
	}
}

// hunkLine adds one context, removed or added line to the current hunk.
func (p *Parser) hunkLine(k EventKind, text string) {
	marked := p.st != stSearch && p.st != stReplace
	switch k {
	case EvContext:
		p.h.Old = append(p.h.Old, text)
		p.h.New = append(p.h.New, text)
		p.h.Same = append(p.h.Same, len(p.h.Old)-1)
		p.oldLeft--
		p.newLeft--
	case EvDelete:
		p.h.Old = append(p.h.Old, text)
		p.oldLeft--
	case EvInsert:
		p.h.New = append(p.h.New, text)
		if marked {
			p.h.Same = append(p.h.Same, -1)
		}
		p.newLeft--
	}
	p.last = k
	p.ev(k, text, nil)
}

// noNewline applies a "\ No newline at end of file" line to the line before it.
func (p *Parser) noNewline() {
	if !p.hunkOpen {
		return
	}
	switch p.last {
	case EvContext:
		p.h.OldNoEOL, p.h.NewNoEOL = true, true
	case EvDelete:
		p.h.OldNoEOL = true
	case EvInsert:
		p.h.NewNoEOL = true
	default:
		return
	}
	p.h.AtEOF = true
}

// closeHunk ends the current hunk and emits EvHunkDone. Empty lines still pending at the end of
// a hunk are dropped: models put them between hunks, and trailing context only narrows the match.
// A hunk without lines is dropped too.
func (p *Parser) closeHunk() {
	p.blanks = 0
	if !p.hunkOpen {
		return
	}
	p.hunkOpen = false
	p.oldLeft, p.newLeft = -1, -1
	if len(p.h.Old) == 0 && len(p.h.New) == 0 {
		return
	}
	h := new(Hunk)
	*h = p.h
	p.h = Hunk{}
	f := &p.patch.Files[p.file]
	f.Hunks = append(f.Hunks, *h)
	p.ev(EvHunkDone, "", h)
}
