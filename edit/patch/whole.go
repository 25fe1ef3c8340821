package patch

import (
	"fmt"
	"strings"
)

// wholeLine handles a line inside the fenced block of a whole-file reply.
func (p *Parser) wholeLine(line string) {
	if closesFence(p.fence, line) {
		p.fence.open = false
		p.endWhole()
		return
	}
	p.wholeContent(line)
}

func (p *Parser) wholeContent(line string) {
	p.wholeBody = append(p.wholeBody, line)
	p.ev(EvInsert, line, nil)
}

// endWhole stores the block's lines as the file's new content. A fence cannot express a missing
// final newline, so the content always ends with one; ApplyFile keeps the original file's state.
func (p *Parser) endWhole() {
	f := &p.patch.Files[p.file]
	if first := firstNonBlank(p.wholeBody); isBeginPatch(first) || isSearch(first) || strings.HasPrefix(first, "*** Update File:") {
		// A model asked for the whole file that sends a patch instead must not have the patch
		// written as the file's content.
		p.failAt(p.fileLine[p.file], fmt.Sprintf("code block for %q holds a patch, not the whole file", f.Path))
		return
	}
	if len(p.wholeBody) > 0 {
		f.Content = strings.Join(p.wholeBody, "\n") + "\n"
	}
	p.wholeBody = nil
	p.st = stOutside
}

func firstNonBlank(lines []string) string {
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}
