package patch

import "strings"

// indenter carries the file's real indentation over to a hunk's new lines when the hunk matched
// only with indentation ignored: a model that wrote four spaces where the file has a tab, or
// dropped a level of nesting, still gets lines indented like their neighbours.
type indenter struct {
	pairs     map[string]string // hunk indentation -> file indentation, from the matched lines
	hunkSpace bool              // the hunk indents with spaces where the file uses tabs, or
	fileTabs  bool              // the reverse; then units convert
	hunkUnit  int               // spaces per level in the hunk
	fileUnit  int               // spaces per level in the file
}

func indentOf(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

// newIndenter learns the mapping from the hunk's Old lines and the file lines they matched.
func newIndenter(h *Hunk, file []string) *indenter {
	in := &indenter{pairs: map[string]string{}}
	var hunkInd, fileInd []string
	hunkTabs := false
	for i, old := range h.Old {
		if strings.TrimSpace(old) == "" {
			continue
		}
		hi, fi := indentOf(old), indentOf(file[i])
		if _, ok := in.pairs[hi]; !ok {
			in.pairs[hi] = fi
		}
		fileInd = append(fileInd, fi)
		in.fileTabs = in.fileTabs || strings.HasPrefix(fi, "\t")
	}
	for _, l := range append(h.Old[:len(h.Old):len(h.Old)], h.New...) {
		if strings.TrimSpace(l) != "" {
			hi := indentOf(l)
			hunkInd = append(hunkInd, hi)
			hunkTabs = hunkTabs || strings.HasPrefix(hi, "\t")
		}
	}
	in.hunkSpace = !hunkTabs
	in.hunkUnit, in.fileUnit = unit(hunkInd), unit(fileInd)
	return in
}

// unit guesses the spaces per indentation level: the gcd of the space-only indentations.
func unit(inds []string) int {
	g := 0
	for _, s := range inds {
		if s != "" && strings.Trim(s, " ") == "" {
			g = gcd(g, len(s))
		}
	}
	if g < 2 || g > 8 {
		return 4
	}
	return g
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// convert rewrites an indentation fragment from the hunk's style to the file's.
func (in *indenter) convert(s string) string {
	switch {
	case in.fileTabs && in.hunkSpace:
		n := strings.Count(s, " ")
		return strings.Repeat("\t", strings.Count(s, "\t")+n/in.hunkUnit) + strings.Repeat(" ", n%in.hunkUnit)
	case !in.fileTabs && !in.hunkSpace:
		return strings.ReplaceAll(s, "\t", strings.Repeat(" ", in.fileUnit))
	}
	return s
}

// apply re-indents one new line.
func (in *indenter) apply(line string) string {
	if strings.TrimSpace(line) == "" || len(in.pairs) == 0 {
		return line
	}
	ind := indentOf(line)
	rest := line[len(ind):]
	if f, ok := in.pairs[ind]; ok {
		return f + rest
	}
	// The deepest known hunk indentation this line extends.
	best, found := "", false
	for h := range in.pairs {
		if strings.HasPrefix(ind, h) && (!found || len(h) > len(best)) {
			best, found = h, true
		}
	}
	if found {
		return in.pairs[best] + in.convert(ind[len(best):]) + rest
	}
	// Shallower than every matched line: remove the difference from the shallowest.
	for h := range in.pairs {
		if strings.HasPrefix(h, ind) && (!found || len(h) < len(best)) {
			best, found = h, true
		}
	}
	if found {
		f, cut := in.pairs[best], in.convert(best[len(ind):])
		if strings.HasSuffix(f, cut) {
			return f[:len(f)-len(cut)] + rest
		}
	}
	return in.convert(ind) + rest
}
