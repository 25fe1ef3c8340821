package patch

import (
	"fmt"
	"slices"
	"strings"
)

// Result returns the new content: every matched hunk applied to the original text in one pass.
// Lines kept from the file keep their own line endings; new lines get the file's majority
// ending (CRLF or LF). A BOM is kept, and so is the presence or absence of a final newline
// unless a hunk at the end of the file changes it. Result fails with the first error Add
// returned, so a failed hunk is never silently skipped.
func (m *Matcher) Result() ([]byte, error) {
	if m.err != nil {
		return nil, m.err
	}
	edits := slices.Clone(m.edits)
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	final := m.finalNL
	var b strings.Builder
	b.Grow(m.size())
	if m.bom {
		b.WriteString(bom)
	}
	orig := func(i int) {
		b.WriteString(m.lines[i])
		if e := m.eols[i]; e != "" {
			b.WriteString(e)
		} else {
			b.WriteString(m.eol)
		}
	}
	at := 0
	for _, e := range edits {
		for ; at < e.start; at++ {
			orig(at)
		}
		for _, o := range e.out {
			if o.orig >= 0 {
				orig(o.orig)
			} else {
				b.WriteString(o.text)
				b.WriteString(m.eol)
			}
		}
		at = max(at, e.end)
		if e.final != 0 {
			final = e.final > 0
		}
	}
	for ; at < len(m.lines); at++ {
		orig(at)
	}
	out := b.String()
	if !final {
		out = strings.TrimSuffix(out, "\n")
		out = strings.TrimSuffix(out, "\r")
	}
	return []byte(out), nil
}

func (m *Matcher) size() int {
	n := 0
	for _, l := range m.lines {
		n += len(l) + 2
	}
	return n + 64
}

// ApplyFile applies fp to content, the current text of fp.Path. For a whole-file patch it
// returns fp.Content with the file's line endings, BOM and final-newline state. For OpAdd it
// returns fp.Content, and fails if the file has content already. It fails for OpDelete, which
// is not an edit, and with a *HunkError for the first hunk that does not apply.
func ApplyFile(path string, content []byte, fp FilePatch) ([]byte, error) {
	switch {
	case fp.Op == OpDelete:
		return nil, fmt.Errorf("%s: the patch deletes the file", path)
	case fp.Op == OpAdd:
		if len(content) > 0 {
			return nil, fmt.Errorf("%s: the patch adds the file but it already exists", path)
		}
		return []byte(fp.Content), nil
	case fp.Whole:
		return Convert(content, fp.Content), nil
	}
	m := NewMatcher(path, content)
	for i := range fp.Hunks {
		if err := m.Add(&fp.Hunks[i]); err != nil {
			return nil, err
		}
	}
	return m.Result()
}

// Convert returns text with the line endings and BOM of the file content, keeping a missing
// final newline of a non-empty original, for a whole-file replacement.
func Convert(content []byte, text string) []byte {
	m := NewMatcher("", content)
	text = strings.TrimPrefix(text, bom)
	final := strings.HasSuffix(text, "\n") && (len(m.lines) == 0 || m.finalNL)
	var b strings.Builder
	if m.bom {
		b.WriteString(bom)
	}
	text = strings.TrimSuffix(text, "\n")
	if text != "" || final {
		for line := range strings.SplitSeq(text, "\n") {
			b.WriteString(strings.TrimSuffix(line, "\r"))
			b.WriteString(m.eol)
		}
	}
	out := b.String()
	if !final {
		out = strings.TrimSuffix(strings.TrimSuffix(out, "\n"), "\r")
	}
	return []byte(out)
}
