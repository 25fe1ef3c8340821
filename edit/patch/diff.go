package patch

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around each change.
const diffContext = 3

// splitKeep splits s into lines that keep their "\n", so that a last line without one differs
// from the same text with one.
func splitKeep(s string) []string {
	if s == "" {
		return nil
	}
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	lines := make([]string, 0, n)
	for s != "" {
		i := strings.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		lines = append(lines, s[:i])
		s = s[i:]
	}
	return lines
}

// change is one run of removed lines a[a0:a1] and added lines b[b0:b1].
type change struct{ a0, a1, b0, b1 int }

// changes returns the runs of a minimal line diff from a to b.
func changes(a, b []string) []change {
	ia, ib := intern(a, b)
	delA, insB := diffInts(ia, ib)
	var out []change
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if (i < len(a) && delA[i]) || (j < len(b) && insB[j]) {
			c := change{a0: i, b0: j}
			for (i < len(a) && delA[i]) || (j < len(b) && insB[j]) {
				for i < len(a) && delA[i] {
					i++
				}
				for j < len(b) && insB[j] {
					j++
				}
			}
			c.a1, c.b1 = i, j
			out = append(out, c)
			continue
		}
		i++
		j++
	}
	return out
}

// Unified returns the unified diff from old to new of the file at path, with 3 lines of
// context and "\ No newline at end of file" where due, or "" if they are equal. The line diff is
// minimal (Myers) unless the two texts are very different, where it stays fast and correct but
// may be a little longer than minimal.
func Unified(path string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	a, b := splitKeep(string(old)), splitKeep(string(new))
	cs := changes(a, b)
	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", path, path)
	for len(cs) > 0 {
		n := 1
		for n < len(cs) && cs[n].a0-cs[n-1].a1 <= 2*diffContext {
			n++
		}
		writeHunk(&out, a, b, cs[:n])
		cs = cs[n:]
	}
	return out.String()
}

// writeHunk writes one hunk covering the changes cs, which lie close together.
func writeHunk(out *strings.Builder, a, b []string, cs []change) {
	first, last := cs[0], cs[len(cs)-1]
	a0 := max(0, first.a0-diffContext)
	b0 := first.b0 - (first.a0 - a0)
	a1 := min(len(a), last.a1+diffContext)
	b1 := last.b1 + (a1 - last.a1)
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(a0, a1-a0), hunkRange(b0, b1-b0))
	at := a0
	for _, c := range cs {
		for ; at < c.a0; at++ {
			diffLine(out, ' ', a[at])
		}
		for _, l := range a[c.a0:c.a1] {
			diffLine(out, '-', l)
		}
		for _, l := range b[c.b0:c.b1] {
			diffLine(out, '+', l)
		}
		at = c.a1
	}
	for ; at < a1; at++ {
		diffLine(out, ' ', a[at])
	}
}

// hunkRange formats a hunk header range the way diff and git do: "l,n", "l" when n is 1, and
// the line before the range when n is 0.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func diffLine(out *strings.Builder, mark byte, line string) {
	out.WriteByte(mark)
	out.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
		out.WriteString("\n\\ No newline at end of file\n")
	}
}

// Stat returns the number of lines added and removed from old to new, as in Unified.
func Stat(old, new []byte) (added, removed int) {
	if string(old) == string(new) {
		return 0, 0
	}
	a, b := splitKeep(string(old)), splitKeep(string(new))
	for _, c := range changes(a, b) {
		added += c.b1 - c.b0
		removed += c.a1 - c.a0
	}
	return added, removed
}
