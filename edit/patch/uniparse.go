package patch

import "strings"

// isUnifiedHunkHeader reports whether line is "@@ -l,n +l,n @@ ...".
func isUnifiedHunkHeader(line string) bool {
	if !strings.HasPrefix(line, "@@ ") {
		return false
	}
	_, ok := parseUnifiedRange(strings.TrimSpace(line[2:]))
	return ok
}

// gitMeta are the extended header lines of git diffs, skipped between files.
var gitMeta = [...]string{
	"diff ", "index ", "new file mode", "deleted file mode", "old mode", "new mode",
	"similarity index", "dissimilarity index", "rename from", "rename to", "copy from", "copy to",
	"Binary files",
}

func isGitMeta(line string) bool {
	for _, m := range gitMeta {
		if strings.HasPrefix(line, m) {
			return true
		}
	}
	return false
}

// unifiedHeader starts a file from its "--- " line and the "+++ " line after it. /dev/null on
// one side makes the file an OpAdd or OpDelete.
func (p *Parser) unifiedHeader(minus, plus string, line int) {
	p.closeHunk()
	p.closeFile()
	p.st = stUnified
	oldPath, newPath := cleanPath(minus[4:]), cleanPath(plus[4:])
	op, path := OpUpdate, newPath
	switch {
	case oldPath == "/dev/null" && newPath != "/dev/null":
		// Models write /dev/null for a file they edit, too: the hunk decides.
		p.devNull = &pendingFile{path: newPath, line: line}
		return
	case newPath == "/dev/null":
		op, path = OpDelete, oldPath
	case newPath == "":
		path = oldPath
	}
	p.at(line, func() { p.startFile(path, op, false) })
}

// unified handles a line of a unified diff. The line counts in "@@" headers decide whether a
// "--- " line inside a hunk is a removed line or the next file's header; models often miscount,
// so when the counts run out the hunk still goes on while lines carry a marker.
func (p *Parser) unified(line string) {
	if p.devNull != nil {
		op, ok := devNullOp(line)
		if !ok {
			p.devNull.held = append(p.devNull.held, heldLine{text: line, line: p.line})
			return
		}
		p.resolveDevNull(op)
	}
	if p.minus != nil {
		m := *p.minus
		p.minus = nil
		if strings.HasPrefix(line, "+++ ") {
			p.unifiedHeader(m.text, line, m.line)
			return
		}
		if !p.hunkOpen {
			p.endUnified()
			p.at(m.line, func() { p.plain(m.text) })
			p.outsideLine(line)
			return
		}
		p.at(m.line, func() {
			p.flushBlanks()
			p.hunkLine(EvDelete, m.text[1:])
		})
	}
	switch {
	case line == "":
		if p.hunkOpen && p.oldLeft > 0 && p.newLeft > 0 {
			p.flushBlanks()
			p.hunkLine(EvContext, "")
		} else if p.hunkOpen {
			p.blanks++
		}
		return
	case strings.HasPrefix(line, "@@"):
		if p.file < 0 {
			p.startFile("", OpUpdate, false)
		}
		r := parseAt(line)
		p.openHunk(r.anchor, r.oldStart)
		p.oldLeft, p.newLeft = r.oldCount, r.newCnt
		return
	case strings.HasPrefix(line, "--- "):
		if p.hunkOpen && p.oldLeft > 0 {
			p.flushBlanks()
			p.hunkLine(EvDelete, line[1:])
			return
		}
		p.minus = &heldLine{text: line, line: p.line}
		return
	case line[0] == '\\':
		p.noNewline()
		return
	case p.hunkOpen && (line[0] == ' ' || line[0] == '-' || line[0] == '+'):
		p.flushBlanks()
		k := EvContext
		if line[0] == '-' {
			k = EvDelete
		} else if line[0] == '+' {
			k = EvInsert
		}
		p.hunkLine(k, line[1:])
		return
	case isGitMeta(line):
		p.closeHunk()
		return
	}
	p.endUnified()
	p.outsideLine(line)
}

func (p *Parser) endUnified() {
	p.closeHunk()
	p.closeFile()
	p.st = stOutside
}

// pendingFile is a file whose "--- /dev/null" header may mean a new file or an edit of an
// existing one, with the lines read before its hunk tells which.
type pendingFile struct {
	path string
	line int
	held []heldLine
}

// devNullOp tells from a line after a "--- /dev/null" header whether the file is added or
// edited, or reports false when the line does not tell: a hunk that removes or keeps lines, or
// whose header counts old lines, edits the file; one that only adds, or anything else, adds it.
func devNullOp(line string) (Op, bool) {
	switch {
	case line == "":
		return 0, false
	case strings.HasPrefix(line, "@@"):
		if r := parseAt(line); r.unified {
			if r.oldCount == 0 {
				return OpAdd, true
			}
			return OpUpdate, true
		}
		return 0, false
	case strings.HasPrefix(line, "--- "):
		return OpAdd, true // the next file's header
	case line[0] == '-' || line[0] == ' ':
		return OpUpdate, true
	}
	return OpAdd, true
}

// resolveDevNull starts the pending file as op and reads the lines held for it.
func (p *Parser) resolveDevNull(op Op) {
	d := p.devNull
	p.devNull = nil
	p.at(d.line, func() { p.startFile(d.path, op, false) })
	for _, h := range d.held {
		p.at(h.line, func() { p.unified(h.text) })
	}
}
