package patch

import "strings"

// conflictMarker reports whether the trimmed line t is a run of 5 to 9 c characters followed by
// word (any case), e.g. "<<<<<<< SEARCH" or ">>>>>>> REPLACE (end)".
func conflictMarker(t string, c byte, word string) bool {
	n := 0
	for n < len(t) && t[n] == c {
		n++
	}
	if n < 5 || n > 9 {
		return false
	}
	t = strings.TrimSpace(t[n:])
	if len(t) < len(word) || !strings.EqualFold(t[:len(word)], word) {
		return false
	}
	return len(t) == len(word) || !isWordByte(t[len(word)])
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func isSearch(t string) bool  { return conflictMarker(t, '<', "SEARCH") }
func isReplace(t string) bool { return conflictMarker(t, '>', "REPLACE") }

// isDivider reports whether the trimmed line t is the "=======" between SEARCH and REPLACE.
func isDivider(t string) bool { return t == "=======" }

// startSearch begins a block at "<<<<<<< SEARCH". The file is named by the last line before it
// that looks like a path; without one, the block belongs to the previous block's file, or to the
// file "" that the caller resolves (a reply about a single file often names none).
func (p *Parser) startSearch() {
	path, ok := p.takePath()
	if !ok {
		path = p.lastPath
	}
	p.startFile(path, OpUpdate, false)
	p.h = Hunk{Line: p.line}
	p.hunkOpen = true
	p.ev(EvHunk, "", nil)
	p.st = stSearch
}

// searchReplace handles a line inside a SEARCH/REPLACE block. SEARCH lines are the hunk's Old
// lines (EvDelete), REPLACE lines its New lines (EvInsert). Fence lines are content here: the
// file may be markdown.
func (p *Parser) searchReplace(line string) {
	t := strings.TrimSpace(line)
	if p.st == stSearch {
		switch {
		case isDivider(t):
			p.st = stReplace
		case isReplace(t):
			p.fail("missing ======= between SEARCH and REPLACE")
		case isSearch(t):
			p.fail("<<<<<<< SEARCH inside a search block")
		default:
			p.hunkLine(EvDelete, line)
		}
		return
	}
	switch {
	case isReplace(t):
		p.closeHunk()
		p.st = stOutside
	case isSearch(t):
		p.failAt(p.h.Line, "search/replace block is not closed with >>>>>>> REPLACE")
	default:
		p.hunkLine(EvInsert, line)
	}
}
