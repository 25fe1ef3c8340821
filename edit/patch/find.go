package patch

import "fmt"

// normLines returns the file's lines as compared at level l, computed once.
func (m *Matcher) normLines(l level) []string {
	if m.norm[l] == nil {
		n := make([]string, len(m.lines))
		for i, s := range m.lines {
			n[i] = normalize(s, l)
		}
		m.norm[l] = n
	}
	return m.norm[l]
}

// lineIndex finds the lines equal to a given one without scanning the file: for each distinct
// line its first position and count, and for each position the next one with the same line.
type lineIndex struct {
	first map[string]indexEntry
	next  []int32 // -1 after the last
}

type indexEntry struct{ first, count int32 }

// positions calls f with each position of line s in order until f returns false.
func (x *lineIndex) positions(s string, f func(int) bool) {
	e, ok := x.first[s]
	if !ok {
		return
	}
	for p := e.first; p >= 0; p = x.next[p] {
		if !f(int(p)) {
			return
		}
	}
}

func (x *lineIndex) count(s string) int { return int(x.first[s].count) }

// indexOf returns the index of the file's lines at level l, built once. It makes a search cost
// the occurrences of the hunk's rarest line instead of a scan of the file.
func (m *Matcher) indexOf(l level) *lineIndex {
	if m.index[l] == nil {
		norm := m.normLines(l)
		x := &lineIndex{first: make(map[string]indexEntry, len(norm)), next: make([]int32, len(norm))}
		for i := len(norm) - 1; i >= 0; i-- {
			e, ok := x.first[norm[i]]
			if !ok {
				e.first = -1
			}
			x.next[i] = e.first
			x.first[norm[i]] = indexEntry{first: int32(i), count: e.count + 1}
		}
		m.index[l] = x
	}
	return m.index[l]
}

// find returns the starting lines, at or after lo, where want matches at level l, in order.
// With atEOF only a match ending at the last line counts.
func (m *Matcher) find(want []string, l level, lo int, atEOF bool) []int {
	idx := m.indexOf(l)
	norm := m.normLines(l)
	w := make([]string, len(want))
	key, keyN := 0, -1
	for i, s := range want {
		w[i] = normalize(s, l)
		n := idx.count(w[i])
		if n == 0 {
			return nil
		}
		if keyN < 0 || n < keyN {
			key, keyN = i, n
		}
	}
	var out []int
	idx.positions(w[key], func(p int) bool {
		s := p - key
		if s < lo || s+len(w) > len(norm) || (atEOF && s+len(w) != len(norm)) {
			return true
		}
		for i := range w {
			if norm[s+i] != w[i] {
				return true
			}
		}
		out = append(out, s)
		return true
	})
	return out
}

// notFound builds the error for a hunk whose context matches nowhere. The best candidate is the
// position where most of the hunk's lines agree with the file at the most lenient level; it
// tells the model where it went wrong.
func (m *Matcher) notFound(h *Hunk, n int) error {
	e := &HunkError{Path: m.path, Hunk: n, Reason: "context not found", Want: h.Old[0]}
	s := m.bestCandidate(h)
	if s == noCandidate {
		return e
	}
	norm := m.normLines(levelFold)
	for i, line := range h.Old {
		at := s + i
		if at < 0 {
			e.Want, e.Got, e.Line = line, "", 1
			e.Kind, e.Reason = HunkBeforeStart, "context starts before the first line of the file"
			break
		}
		if at >= len(m.lines) {
			e.Want, e.Got, e.Line = line, "", len(m.lines)
			e.Kind, e.Reason = HunkPastEnd, "context runs past the end of the file"
			break
		}
		if norm[at] != normalize(line, levelFold) {
			e.Want, e.Got, e.Line = line, m.lines[at], at+1
			break
		}
	}
	if e.Line == 0 {
		if !h.AtEOF {
			// Every line agrees at a position the search did not take (common lines are
			// skipped when voting): say where it looked closest, without a wrong reason.
			e.Line = max(s, 0) + 1
			e.Want, e.Got = h.Old[0], m.lines[max(s, 0)]
			e.Nearest = m.around(e.Line - 1)
			return e
		}
		// Every line agrees: only the end-of-file condition failed.
		e.Kind, e.Reason = HunkNotAtEnd, "context found but not at the end of the file"
		e.Line = max(s, 0) + 1
		e.Want, e.Got = h.Old[len(h.Old)-1], m.lines[min(s+len(h.Old), len(m.lines))-1]
	}
	e.Nearest = m.around(e.Line - 1)
	return e
}

const noCandidate = -1 << 31

// bestCandidate votes for hunk start positions with each Old line's occurrences in the file,
// skipping very common lines, and returns the position with most votes (ties: nearest the
// previous hunk or the unified line number), or noCandidate.
func (m *Matcher) bestCandidate(h *Hunk) int {
	idx := m.indexOf(levelFold)
	votes := map[int]int{}
	for i, line := range h.Old {
		n := normalize(line, levelFold)
		if idx.count(n) > 64 {
			continue
		}
		idx.positions(n, func(p int) bool {
			votes[p-i]++
			return true
		})
	}
	target := m.prevEnd
	if h.OldStart > 0 {
		target = h.OldStart - 1
	}
	best, bestV := noCandidate, 0
	for s, v := range votes {
		if v > bestV || v == bestV && abs(s-target) < abs(best-target) || v == bestV && abs(s-target) == abs(best-target) && s < best {
			best, bestV = s, v
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// around returns the real lines near line i (0-based), formatted "  40| text".
func (m *Matcher) around(i int) []string {
	if len(m.lines) == 0 {
		return nil
	}
	i = min(max(i, 0), len(m.lines)-1)
	var out []string
	for j := max(0, i-3); j < min(len(m.lines), i+4); j++ {
		out = append(out, fmt.Sprintf("%4d| %s", j+1, m.lines[j]))
	}
	return out
}
