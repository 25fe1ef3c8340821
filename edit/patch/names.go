package patch

import (
	"path"
	"strings"
)

// SetFiles tells the parser which files the reply may edit, by the paths the user named them
// with. In a whole-file reply a fenced block without a file name line before it then belongs to
// the named file that the prose since the previous block mentions in backticks, as in "Here is
// the new `b.txt`:"; a mention by base name counts when it fits one named file only. Without
// SetFiles, or without a mention, such a block has no file name (Path ""), which only a reply
// about a single file can resolve. Call SetFiles before the first Feed.
func (p *Parser) SetFiles(paths []string) {
	p.named = append(p.named[:0], paths...)
}

// noteMention remembers the last named file that a prose line mentions in backticks.
func (p *Parser) noteMention(line string) {
	if len(p.named) == 0 || p.mode != FormatWhole {
		return
	}
	for rest := line; ; {
		i := strings.IndexByte(rest, '`')
		if i < 0 {
			return
		}
		j := strings.IndexByte(rest[i+1:], '`')
		if j < 0 {
			return
		}
		if f := p.namedFile(rest[i+1 : i+1+j]); f != "" {
			p.mention = f
		}
		rest = rest[i+1+j+1:]
	}
}

// namedFile returns the named file that s names, exactly or by a base name only it has, or "".
func (p *Parser) namedFile(s string) string {
	s = cleanPath(s)
	if s == "" || strings.ContainsAny(s, " \t") {
		return ""
	}
	found := ""
	for _, f := range p.named {
		if path.Clean(f) == path.Clean(s) {
			return f
		}
		if path.Base(f) == s {
			if found != "" {
				return ""
			}
			found = f
		}
	}
	return found
}
