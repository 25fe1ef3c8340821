package locate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// group is one file and its hits, best first.
type group struct {
	src  *source
	hits []hit
}

// choose picks the files to send and their ranges, within the bounds of the options, and
// returns them with the output lines of their hits in rank order (for Excerpt).
func (f *finder) choose(hits []hit) ([]File, []int) {
	var groups []*group
	byPath := map[string]*group{}
	for _, h := range hits {
		g := byPath[h.src.path]
		if g == nil {
			g = &group{src: h.src}
			byPath[h.src.path] = g
			groups = append(groups, g)
		}
		g.hits = append(g.hits, h)
	}
	var own, foreign []*group
	for _, g := range groups {
		if g.src.fallback == "" {
			own = append(own, g)
		} else {
			foreign = append(foreign, g)
		}
	}
	if len(own) == 0 {
		own = foreign
	} else {
		for _, g := range foreign {
			f.skip(g.hits[0].loc.Path, g.src.fallback)
		}
	}

	var files []File
	total := 0
	sent := map[string]bool{}
	for i, g := range own {
		budget := f.opts.MaxBytes - total
		if i == 0 {
			budget = maxRead // the first file goes whatever its size
		}
		if len(files) == f.opts.MaxFiles {
			f.skip(g.hits[0].loc.Path, fmt.Sprintf("more than %d files", f.opts.MaxFiles))
			continue
		}
		file, ok := f.region(g, budget)
		if !ok {
			f.skip(g.hits[0].loc.Path, fmt.Sprintf("over the %d KiB limit of source", f.opts.MaxBytes>>10))
			continue
		}
		files = append(files, file)
		sent[file.Path] = true
		total += file.Size
	}
	files, total = f.companions(files, sent, total)
	files, _ = f.imported(files, sent, total)

	var important []int
	for _, h := range hits {
		for _, file := range files {
			if file.Path == h.src.path && (file.Start == 0 || slices.Contains(file.Lines, h.line)) {
				important = append(important, h.loc.Index)
				break
			}
		}
	}
	return files, important
}

// region decides what of a file to send: whole when small, else one range around its error
// lines. It reports false when even that is over budget.
func (f *finder) region(g *group, budget int) (File, bool) {
	src := g.src
	var lines []int
	for _, h := range g.hits {
		if h.line > 0 && h.line <= src.lines && !slices.Contains(lines, h.line) {
			lines = append(lines, h.line)
		}
	}
	file := File{Path: src.path, Lines: lines}
	if src.lines <= f.opts.WholeLines && len(src.content) <= f.opts.WholeBytes && len(src.content) <= budget {
		file.Size = len(src.content)
		return file, true
	}
	first := 1
	if len(lines) > 0 {
		first = lines[0]
	}
	start, end := f.window(src, first)
	covered := lines[:min(1, len(lines))]
	for _, l := range lines[min(1, len(lines)):] {
		s, e := f.window(src, l)
		if ns, ne := min(start, s), max(end, e); ne-ns+1 <= f.opts.MaxSpan {
			start, end = ns, ne
			covered = append(covered, l)
		}
	}
	file.Lines = covered
	file.Size = src.rangeSize(start, end)
	if file.Size > budget {
		return File{}, false
	}
	if start > 1 || end < src.lines {
		file.Start, file.End = start, end
	}
	return file, true
}

// window returns the lines to send around line l: Context lines either side, reaching further
// up to the top-level declaration that encloses l when that stays within MaxSpan.
func (f *finder) window(src *source, l int) (int, int) {
	c := f.opts.Context
	start, end := max(1, l-c), min(src.lines, l+c)
	limit := max(1, start-(f.opts.MaxSpan-(end-start+1)))
	for n := l; n >= limit; n-- {
		line := src.line(n)
		if len(line) > 0 && isDeclStart(line[0]) {
			start = min(start, n)
			break
		}
	}
	return start, end
}

// isDeclStart reports whether a line starting with c, in column 0, may begin a top-level
// declaration (func, def, class, fn, a C function's return type, an exported const).
func isDeclStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '@'
}

// companions adds the sources a failing Go test needs: the small non-test files of the package
// of every _test.go file sent.
func (f *finder) companions(files []File, sent map[string]bool, total int) ([]File, int) {
	dirs := map[string]bool{}
	for _, file := range slices.Clone(files) {
		if !strings.HasSuffix(file.Path, "_test.go") {
			continue
		}
		dir := filepath.Dir(file.Path)
		if dirs[dir] {
			continue
		}
		dirs[dir] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			p := filepath.Join(dir, name)
			if sent[p] || len(files) == f.opts.MaxFiles {
				continue
			}
			src := f.load(p)
			if src.bad != "" || src.fallback != "" || src.lines > f.opts.WholeLines ||
				len(src.content) > f.opts.WholeBytes || total+len(src.content) > f.opts.MaxBytes {
				continue
			}
			why := "in the package of " + f.rel(file.Path)
			files = append(files, File{Path: p, Needed: true, Why: why, Size: len(src.content)})
			sent[p] = true
			total += len(src.content)
		}
	}
	return files, total
}

// imported adds what the failing tests among files import from the project (see testImports),
// each whole when it is small and fits the bounds.
func (f *finder) imported(files []File, sent map[string]bool, total int) ([]File, int) {
	for _, n := range f.testImports(files) {
		if sent[n.path] {
			continue
		}
		src := f.load(n.path)
		switch {
		case len(files) == f.opts.MaxFiles:
			f.skip(f.rel(n.path), fmt.Sprintf("%s; more than %d files", n.why, f.opts.MaxFiles))
			continue
		case src.lines > f.opts.WholeLines || len(src.content) > f.opts.WholeBytes || total+len(src.content) > f.opts.MaxBytes:
			f.skip(f.rel(n.path), fmt.Sprintf("%s; over the limit of source", n.why))
			continue
		}
		files = append(files, File{Path: n.path, Needed: true, Why: n.why, Size: len(src.content)})
		sent[n.path] = true
		total += len(src.content)
	}
	return files, total
}

// lineStarts returns the offset of every line's start, computed once per file.
func (src *source) lineStarts() []int {
	if src.starts == nil {
		src.starts = make([]int, 0, src.lines+1)
		src.starts = append(src.starts, 0)
		for i, c := range src.content {
			if c == '\n' && i+1 < len(src.content) {
				src.starts = append(src.starts, i+1)
			}
		}
	}
	return src.starts
}

// line returns line n (1-based) without its newline.
func (src *source) line(n int) []byte {
	starts := src.lineStarts()
	if n < 1 || n > len(starts) {
		return nil
	}
	line := src.content[starts[n-1]:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	return line
}

// rangeSize returns the bytes of lines start..end, inclusive.
func (src *source) rangeSize(start, end int) int {
	starts := src.lineStarts()
	to := len(src.content)
	if end < len(starts) {
		to = starts[end]
	}
	return to - starts[start-1]
}
