package patch

import (
	"fmt"
	"strings"
)

// choose picks one of several matches: narrowed by the @@ anchors, then by the line number of a
// unified header, then by taking the first match after the previous hunk. Anything still
// ambiguous is refused.
func (m *Matcher) choose(h *Hunk, n int, cands []int, afterPrev bool) (int, error) {
	if len(cands) == 1 {
		return cands[0], nil
	}
	if len(h.Anchors) > 0 {
		switch f := m.byAnchors(h.Anchors, cands); len(f) {
		case 0:
		case 1:
			return f[0], nil
		default:
			cands = f
		}
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

// byAnchors keeps the matches that follow the chain of anchors: for each line containing the
// first anchor, the next line containing the second, and so on, then the first match from there.
func (m *Matcher) byAnchors(anchors []string, cands []int) []int {
	norm := m.normLines(levelFold)
	want := make([]string, len(anchors))
	for i, a := range anchors {
		want[i] = normalize(a, levelFold)
	}
	var out []int
	for o := range norm {
		if !strings.Contains(norm[o], want[0]) {
			continue
		}
		at := o
		for _, a := range want[1:] {
			for at++; at < len(norm) && !strings.Contains(norm[at], a); at++ {
			}
		}
		if at >= len(norm) {
			continue
		}
		for _, c := range cands {
			if c >= at {
				if len(out) == 0 || out[len(out)-1] != c {
					out = append(out, c)
				}
				break
			}
		}
	}
	return out
}
