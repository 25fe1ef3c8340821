package patch

import (
	"fmt"
	"strings"
)

// markerIs reports whether the trimmed line t is the V4A marker m, ignoring case and spacing
// around it, e.g. "  *** Begin Patch  " or "***End Patch".
func markerIs(t, m string) bool {
	if !strings.HasPrefix(t, "***") {
		return false
	}
	t = strings.TrimSpace(t[3:])
	return strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(t, "***")), ":"), m)
}

func isBeginPatch(t string) bool { return markerIs(t, "Begin Patch") }
func isEndPatch(t string) bool   { return markerIs(t, "End Patch") }
func isEndOfFile(t string) bool  { return markerIs(t, "End of File") }

// v4aFileHeader parses "*** Update File: path", "*** Add File: path" and "*** Delete File: path".
func v4aFileHeader(t string) (Op, string, bool) {
	for _, h := range [...]struct {
		name string
		op   Op
	}{{"Update File:", OpUpdate}, {"Add File:", OpAdd}, {"Delete File:", OpDelete}} {
		if path, ok := markerArg(t, h.name); ok {
			return h.op, path, true
		}
	}
	return 0, "", false
}

// markerArg returns the argument of a "*** Name: arg" marker line.
func markerArg(t, name string) (string, bool) {
	if !strings.HasPrefix(t, "***") {
		return "", false
	}
	t = strings.TrimSpace(t[3:])
	if len(t) < len(name) || !strings.EqualFold(t[:len(name)], name) {
		return "", false
	}
	return cleanPath(t[len(name):]), true
}

func (p *Parser) startV4A() {
	p.detect(FormatV4A)
	p.flushHeld()
	p.st = stV4A
	p.inFence = p.fence.open
}

// endV4A ends the patch at *** End Patch, at a fence line, or at the end of the reply.
func (p *Parser) endV4A() {
	p.closeHunk()
	p.closeFile()
	p.st = stOutside
}

// v4a handles a line inside a V4A patch. A "--- " line before any hunk line of a file is held
// for one line: with a "+++ " line after it, the pair is a unified file header that some models
// add after "*** Update File:", and is skipped.
func (p *Parser) v4a(line string) {
	if p.minus != nil {
		m := *p.minus
		p.minus = nil
		if strings.HasPrefix(line, "+++ ") {
			return
		}
		p.at(m.line, func() { p.v4aLine(m.text) })
		if p.err != nil || p.st != stV4A {
			return
		}
	}
	if !p.hunkOpen && p.file >= 0 && p.patch.Files[p.file].Op == OpUpdate && strings.HasPrefix(line, "--- ") {
		p.minus = &heldLine{text: line, line: p.line}
		return
	}
	p.v4aLine(line)
}

func (p *Parser) v4aLine(line string) {
	if line == "" {
		if p.hunkOpen || (p.file >= 0 && p.patch.Files[p.file].Op == OpAdd) {
			p.blanks++
		}
		return
	}
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "***") {
		if p.v4aMarker(t) {
			return
		}
	}
	if _, _, _, ok := parseFence(line); ok && (line[0] == '`' || line[0] == '~') {
		// A fence line without a marker is never hunk content: the patch ends here.
		p.endV4A()
		if p.inFence {
			p.fence.open = false
			return
		}
		p.outsideLine(line)
		return
	}
	if strings.HasPrefix(line, "@@") {
		if p.file < 0 {
			p.startFile("", OpUpdate, false)
		} else if op := p.patch.Files[p.file].Op; op != OpUpdate {
			p.fail(fmt.Sprintf("hunk in the %s of %q", op, p.patch.Files[p.file].Path))
			return
		}
		r := parseAt(line)
		p.openHunk(r.anchor, r.oldStart)
		return
	}
	if p.file < 0 {
		p.fail(fmt.Sprintf("expected *** Update File before %q", clip(line)))
		return
	}
	switch f := &p.patch.Files[p.file]; f.Op {
	case OpDelete:
		p.fail(fmt.Sprintf("delete of %q has content lines", f.Path))
		return
	case OpAdd:
		for ; p.blanks > 0; p.blanks-- {
			p.addLines = append(p.addLines, "")
			p.ev(EvInsert, "", nil)
		}
		text := strings.TrimPrefix(line, "+")
		p.addLines = append(p.addLines, text)
		p.ev(EvInsert, text, nil)
		return
	}
	p.ensureHunk()
	p.flushBlanks()
	switch line[0] {
	case ' ':
		p.hunkLine(EvContext, line[1:])
	case '-':
		p.hunkLine(EvDelete, line[1:])
	case '+':
		p.hunkLine(EvInsert, line[1:])
	case '\\':
		p.noNewline()
	default:
		// A context line whose leading space the model dropped.
		p.hunkLine(EvContext, line)
	}
}

// v4aMarker handles a "***" line and reports whether it was one.
func (p *Parser) v4aMarker(t string) bool {
	switch {
	case isEndPatch(t):
		p.endV4A()
	case isBeginPatch(t):
		p.closeHunk()
	case isEndOfFile(t):
		if p.hunkOpen {
			p.h.AtEOF = true
		}
		p.closeHunk()
	default:
		if op, path, ok := v4aFileHeader(t); ok {
			if path == "" {
				p.fail("file header names no file")
				return true
			}
			p.startFile(path, op, false)
			return true
		}
		if path, ok := markerArg(t, "Move to:"); ok {
			if p.file < 0 || path == "" {
				p.fail("*** Move to without a file")
				return true
			}
			p.patch.Files[p.file].MoveTo = path
			return true
		}
		return false
	}
	return true
}

// atLine is a parsed "@@" line.
type atLine struct {
	anchor           string
	oldStart         int
	oldCount, newCnt int // -1 when absent
	unified          bool
}

// parseAt parses "@@ anchor", "@@", "@@ anchor @@" and unified "@@ -l,n +l,n @@ anchor" lines.
func parseAt(line string) atLine {
	r := atLine{oldCount: -1, newCnt: -1}
	rest := strings.TrimSpace(line[2:])
	if u, ok := parseUnifiedRange(rest); ok {
		u.anchor = strings.TrimSpace(u.anchor)
		return u
	}
	rest = strings.TrimSpace(strings.TrimSuffix(rest, "@@"))
	r.anchor = rest
	return r
}

// parseUnifiedRange parses "-l,n +l,n @@ anchor" (counts optional).
func parseUnifiedRange(s string) (atLine, bool) {
	r := atLine{oldCount: -1, newCnt: -1, unified: true}
	if !strings.HasPrefix(s, "-") {
		return r, false
	}
	var ok bool
	if r.oldStart, r.oldCount, s, ok = parseRange(s[1:]); !ok {
		return r, false
	}
	s = strings.TrimLeft(s, " ")
	if !strings.HasPrefix(s, "+") {
		return r, false
	}
	var newStart int
	if newStart, r.newCnt, s, ok = parseRange(s[1:]); !ok {
		return r, false
	}
	_ = newStart
	s = strings.TrimLeft(s, " ")
	if s != "" && !strings.HasPrefix(s, "@@") {
		return r, false
	}
	r.anchor = strings.TrimPrefix(s, "@@")
	return r, true
}

// parseRange parses "l,n" or "l" at the start of s.
func parseRange(s string) (start, count int, rest string, ok bool) {
	start, s, ok = parseNum(s)
	if !ok {
		return 0, 0, s, false
	}
	count = 1
	if strings.HasPrefix(s, ",") {
		if count, s, ok = parseNum(s[1:]); !ok {
			return 0, 0, s, false
		}
	}
	return start, count, s, true
}

func parseNum(s string) (int, string, bool) {
	n, i := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > 1e8 {
			return 0, s, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, s[i:], i > 0
}

// clip shortens a reply line for an error message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
