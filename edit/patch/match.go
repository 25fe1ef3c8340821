package patch

import (
	"fmt"
	"strings"
)

// Matcher applies the hunks of one file to its text, one at a time, so that each hunk can be
// checked the moment it has streamed. All replacements are made from the original text in one
// pass by Result, so no hunk can shift or lose another's lines.
type Matcher struct {
	path    string
	bom     bool
	eol     string // the majority line ending, for new lines
	finalNL bool   // the text ends with a line ending (an empty text counts as ending with one)
	lines   []string
	eols    []string // each line's own ending; "" for a last line without one
	norm    [numLevels][]string
	index   [numLevels]*lineIndex
	edits   []edit
	hasPrev bool
	prevEnd int // line after the previous hunk's match
	hunks   int
	noops   []int
	err     error
}

// edit is a matched hunk: original lines [start,end) become out.
type edit struct {
	start, end int
	out        []outLine
	hunk       int
	final      int // 1: the file ends with a newline afterwards, -1: it does not, 0: unchanged
}

// outLine is a line of replacement text, or (orig >= 0) an original line kept as it is, with
// its own line ending and exact bytes.
type outLine struct {
	text string
	orig int
}

// NewMatcher returns a Matcher for the file at path (used in errors) holding content.
func NewMatcher(path string, content []byte) *Matcher {
	m := &Matcher{path: path, eol: "\n", finalNL: true}
	s := string(content)
	if strings.HasPrefix(s, bom) {
		m.bom = true
		s = s[len(bom):]
	}
	n := strings.Count(s, "\n") + 1
	m.lines, m.eols = make([]string, 0, n), make([]string, 0, n)
	crlf := 0
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			m.lines = append(m.lines, s)
			m.eols = append(m.eols, "")
			m.finalNL = false
			break
		}
		line, eol := s[:i], "\n"
		if strings.HasSuffix(line, "\r") {
			line, eol = line[:i-1], "\r\n"
			crlf++
		}
		m.lines = append(m.lines, line)
		m.eols = append(m.eols, eol)
		s = s[i+1:]
	}
	// The majority ending wins; on a tie, the first line's.
	lf := len(m.eols) - crlf
	if !m.finalNL {
		lf--
	}
	if crlf > lf || crlf == lf && crlf > 0 && m.eols[0] == "\r\n" {
		m.eol = "\r\n"
	}
	m.norm[levelExact] = m.lines
	return m
}

const bom = "\ufeff"

// NoOps returns the 1-based indexes of the hunks that were already applied: their Old text was
// not found but their New text was, exactly once.
func (m *Matcher) NoOps() []int { return m.noops }

// Add locates hunk h in the file. Hunks normally come in file order; the search starts after
// the previous hunk and falls back to the whole file. Add fails with a *HunkError when the
// hunk's context is not found, is ambiguous, overlaps an earlier hunk, or (for a hunk without
// context, which goes at the end of the file) an @@ anchor or line number puts it elsewhere.
func (m *Matcher) Add(h *Hunk) error {
	m.hunks++
	err := m.add(h, m.hunks)
	if err != nil && m.err == nil {
		m.err = err
	}
	return err
}

func (m *Matcher) add(h *Hunk, n int) error {
	if len(h.Old) == 0 {
		return m.addInsert(h, n)
	}
	if ok, err := m.ladder(h, n); ok || err != nil {
		return err
	}
	// Models often add an empty context line above or below a hunk that the file lacks.
	if t := trimBlankEdges(h); t != nil {
		if ok, err := m.ladder(t, n); ok || err != nil {
			return err
		}
	}
	if m.alreadyApplied(h, n) {
		return nil
	}
	if err := m.anchorMiss(h, n); err != nil {
		return err
	}
	return m.notFound(h, n)
}

// ladder tries each matching level in turn and records the hunk at the first level where it
// matches. It reports false if no level matches. A hunk with @@ anchors matches only below them
// (see belowAnchors).
func (m *Matcher) ladder(h *Hunk, n int) (bool, error) {
	anchors := anchorsOf(h)
	var ends []int
	if len(anchors) > 0 {
		if ends = m.anchorEnds(anchors); len(ends) == 0 {
			return false, nil
		}
	}
	for l := levelExact; l < numLevels; l++ {
		cands, afterPrev := m.find(h.Old, l, m.prevEnd, h.AtEOF), m.hasPrev
		if len(anchors) > 0 {
			cands = belowAnchors(ends, cands, len(h.Old))
		}
		if len(cands) == 0 && m.prevEnd > 0 {
			cands, afterPrev = m.find(h.Old, l, 0, h.AtEOF), false
			if len(anchors) > 0 {
				cands = belowAnchors(ends, cands, len(h.Old))
			}
		}
		if len(cands) == 0 {
			continue
		}
		s, err := m.choose(h, n, cands, afterPrev)
		if err != nil {
			return false, err
		}
		return true, m.record(h, n, s, l)
	}
	return false, nil
}

// trimBlankEdges returns h without the empty lines at the edges of its Old text, or nil if it has
// none or nothing else. An empty line that starts or ends New as well goes with it: the pair was
// context. One that New lacks was to be removed, and the file does not have it to remove.
func trimBlankEdges(h *Hunk) *Hunk {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	o0, o1, n0, n1 := 0, len(h.Old), 0, len(h.New)
	for o0 < o1 && blank(h.Old[o0]) {
		if n0 < n1 && blank(h.New[n0]) {
			n0++
		}
		o0++
	}
	for o1 > o0 && blank(h.Old[o1-1]) {
		if n1 > n0 && blank(h.New[n1-1]) {
			n1--
		}
		o1--
	}
	if o1-o0 == len(h.Old) || o0 == o1 {
		return nil
	}
	return h.sub(o0, o1, n0, n1)
}

// sub returns a copy of h with Old[o0:o1] and New[n0:n1], its marks renumbered: a kept line
// whose old line was cut off counts as added.
func (h *Hunk) sub(o0, o1, n0, n1 int) *Hunk {
	t := *h
	t.Old, t.New = h.Old[o0:o1], h.New[n0:n1]
	if h.Same != nil {
		t.Same = make([]int, n1-n0)
		for j, o := range h.Same[n0:n1] {
			t.Same[j] = -1
			if o >= o0 && o < o1 {
				t.Same[j] = o - o0
			}
		}
	}
	return &t
}

// addInsert places a hunk without context lines: into an empty file, or at the end of the file,
// where codex and aider put it too. A hunk that says it belongs elsewhere, by an @@ anchor or a
// unified line number before the end, cannot be located without context and is refused.
func (m *Matcher) addInsert(h *Hunk, n int) error {
	switch {
	case len(m.lines) == 0:
		return m.record(h, n, 0, levelExact)
	case h.AtEOF:
		return m.record(h, n, len(m.lines), levelExact)
	case len(anchorsOf(h)) > 0:
		return &HunkError{Path: m.path, Hunk: n, Kind: HunkNoContext, Reason: "hunk has no context lines to locate it below its @@ line", Nearest: m.around(0)}
	case h.OldStart > 0 && h.OldStart < len(m.lines):
		return &HunkError{Path: m.path, Hunk: n, Line: h.OldStart, Kind: HunkNoContext, Reason: "hunk has no context lines to locate it", Nearest: m.around(h.OldStart - 1)}
	}
	return m.record(h, n, len(m.lines), levelExact)
}

// record accepts hunk h matched at line s with level l.
func (m *Matcher) record(h *Hunk, n, s int, l level) error {
	if t, k := m.trimSharedContext(h, s); k > 0 {
		if len(t.Old) == 0 && len(t.New) == 0 {
			m.hasPrev, m.prevEnd = true, s+k
			return nil
		}
		h, s = t, s+k
	}
	end := s + len(h.Old)
	for _, e := range m.edits {
		if s < e.end && e.start < end {
			return &HunkError{
				Path: m.path, Hunk: n, Line: s + 1, Kind: HunkOverlaps,
				Reason:  fmt.Sprintf("overlaps hunk %d (lines %d-%d)", e.hunk, e.start+1, e.end),
				Want:    h.Old[0],
				Got:     m.lines[s],
				Nearest: m.around(s),
			}
		}
	}
	e := edit{start: s, end: end, hunk: n}
	keep := h.pairs()
	var ind *indenter
	if l >= levelIndent {
		ind = newIndenter(h, m.lines[s:end])
	}
	e.out = make([]outLine, len(h.New))
	for j, line := range h.New {
		switch {
		case keep[j] >= 0:
			e.out[j] = outLine{orig: s + keep[j]}
		case ind != nil:
			e.out[j] = outLine{text: ind.apply(line), orig: -1}
		default:
			e.out[j] = outLine{text: line, orig: -1}
		}
	}
	if end == len(m.lines) && (h.OldNoEOL || h.NewNoEOL) {
		e.final = 1
		if h.NewNoEOL {
			e.final = -1
		}
	}
	m.edits = append(m.edits, e)
	m.hasPrev, m.prevEnd = true, end
	return nil
}

// trimSharedContext handles neighbouring hunks that share context lines, as models often write
// them: when h, matched at s, begins inside the previous edit's range, and the shared lines are
// context that both hunks keep unchanged, it returns h without them and their count. Any other
// overlap is left for record to refuse.
func (m *Matcher) trimSharedContext(h *Hunk, s int) (*Hunk, int) {
	for _, e := range m.edits {
		if s < e.start || s >= e.end || e.end > s+len(h.Old) {
			continue
		}
		k := e.end - s
		if k > len(h.New) || k > len(e.out) {
			return h, 0
		}
		for i := 0; i < k; i++ {
			if h.Old[i] != h.New[i] || e.out[len(e.out)-k+i].orig != e.end-k+i {
				return h, 0
			}
		}
		return h.sub(k, len(h.Old), k, len(h.New)), k
	}
	return h, 0
}

// alreadyApplied reports whether the hunk's New text is in the file exactly once, so the hunk
// is a no-op rather than a failure.
func (m *Matcher) alreadyApplied(h *Hunk, n int) bool {
	if len(h.New) == 0 || equalLines(h.Old, h.New) {
		return false
	}
	for l := levelExact; l < numLevels; l++ {
		switch c := m.find(h.New, l, 0, false); len(c) {
		case 0:
			continue
		case 1:
			m.noops = append(m.noops, n)
			m.hasPrev, m.prevEnd = true, c[0]+len(h.New)
			return true
		}
		return false
	}
	return false
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
