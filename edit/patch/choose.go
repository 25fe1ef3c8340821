package patch

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// choose picks one of several matches, already narrowed by the @@ anchors: by the line number of a
// unified header, then by taking the first match after the previous hunk. Anything still
// ambiguous is refused.
func (m *Matcher) choose(h *Hunk, n int, cands []int, afterPrev bool) (int, error) {
	if len(cands) == 1 {
		return cands[0], nil
	}
	if h.OldStart > 0 {
		for _, c := range cands {
			if c+1 == h.OldStart {
				return c, nil
			}
		}
	}
	if afterPrev {
		return cands[0], nil
	}
	var b strings.Builder
	for i, c := range cands {
		if i == 5 {
			b.WriteString(", ...")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, c+1)
	}
	return 0, &HunkError{
		Path: m.path, Hunk: n, Line: cands[0] + 1, Kind: HunkAmbiguous,
		Reason:  fmt.Sprintf("ambiguous: %d matches (lines %s)", len(cands), b.String()),
		Want:    h.Old[0],
		Got:     m.lines[cands[0]],
		Nearest: m.around(cands[0]),
	}
}

// anchorEnds returns the lines where the chain of anchors is found: for each line containing the
// first anchor, the next line containing the second, and so on, to the line of the last one.
func (m *Matcher) anchorEnds(anchors []string) []int {
	norm := m.normLines(levelFold)
	want := make([]string, len(anchors))
	for i, a := range anchors {
		want[i] = normalize(a, levelFold)
	}
	var out []int
	for o := range norm {
		if !anchorIn(norm[o], want[0]) {
			continue
		}
		at := o
		for _, a := range want[1:] {
			for at++; at < len(norm) && !anchorIn(norm[at], a); at++ {
			}
		}
		if at < len(norm) && (len(out) == 0 || out[len(out)-1] != at) {
			out = append(out, at)
		}
	}
	return out
}

// anchorIn reports whether the file line (normalized) contains the anchor (normalized), also
// when they differ only in spacing: "func (s *S) Run()" finds "func (s *S)  Run() {".
func anchorIn(line, anchor string) bool {
	if strings.Contains(line, anchor) {
		return true
	}
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strings.Contains(squeeze(line), squeeze(anchor))
}

// belowAnchors keeps the matches that an anchor chain ending at one of ends places: the first
// match at or after the anchor line, and any match of a hunk of size lines that spans it (a hunk
// may start with the comment above the function its anchor names).
func belowAnchors(ends, cands []int, size int) []int {
	var out []int
	for _, c := range cands {
		for _, e := range ends {
			if c < e && c+size > e {
				out = append(out, c)
				break
			}
		}
	}
	for _, e := range ends {
		for _, c := range cands {
			if c >= e {
				out = append(out, c)
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// anchorMiss returns the error for a hunk that its @@ anchors rule out: they are not in the
// file, or the hunk's text is there but not below them. It returns nil when the hunk's text is
// not in the file at all, which notFound reports better.
func (m *Matcher) anchorMiss(h *Hunk, n int) error {
	anchors := anchorsOf(h)
	if len(anchors) == 0 {
		return nil
	}
	quoted := fmt.Sprintf("%q", anchors[len(anchors)-1])
	ends := m.anchorEnds(anchors)
	if len(ends) == 0 {
		return &HunkError{
			Path: m.path, Hunk: n, Kind: HunkAnchorNotFound, Reason: "@@ line " + quoted + " not found",
			Want: anchors[len(anchors)-1], Nearest: m.around(0),
		}
	}
	for _, t := range []*Hunk{h, trimBlankEdges(h)} {
		if t == nil {
			continue
		}
		for l := levelExact; l < numLevels; l++ {
			if c := m.find(t.Old, l, 0, t.AtEOF); len(c) > 0 {
				return &HunkError{
					Path: m.path, Hunk: n, Line: c[0] + 1, Kind: HunkNotBelowAnchor,
					Reason:  fmt.Sprintf("context found at line %d, not below @@ line %s (line %d)", c[0]+1, quoted, ends[0]+1),
					Want:    anchors[len(anchors)-1],
					Got:     m.lines[ends[0]],
					Nearest: m.around(ends[0]),
				}
			}
		}
	}
	return nil
}

// anchorsOf returns the hunk's @@ anchors that name something: "@@ ... @@" and other anchors
// without a letter or digit are placeholders, not places.
func anchorsOf(h *Hunk) []string {
	var out []string
	for _, a := range h.Anchors {
		if strings.ContainsFunc(a, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			out = append(out, a)
		}
	}
	return out
}
