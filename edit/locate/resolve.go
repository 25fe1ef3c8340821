package locate

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/spark-cli/spark/internal/lazy"
)

// source is a file read for Locate.
type source struct {
	path     string
	content  []byte
	lines    int
	fallback string // why it is used only when nothing else is left; "" if it is not
	bad      string // why it cannot be used at all; "" if it can
	starts   []int  // offsets of the line starts, once needed
}

// hit is a location resolved to a file.
type hit struct {
	loc  Loc
	src  *source
	line int
}

// finder resolves locations to files inside the root, reading each file at most once.
type finder struct {
	opts     Options
	realRoot string
	sources  map[string]*source
	modules  map[string]goModule // by directory
	index    map[string][]string // base name -> paths in the tree, built on first need
	skipped  []Skipped
	skipSeen map[string]bool
}

type goModule struct{ dir, path string }

func newFinder(opts Options) *finder {
	real, err := filepath.EvalSymlinks(opts.Root)
	if err != nil {
		real = opts.Root
	}
	return &finder{
		opts:     opts,
		realRoot: real,
		sources:  map[string]*source{},
		modules:  map[string]goModule{},
		skipSeen: map[string]bool{},
	}
}

func (f *finder) skip(path, reason string) {
	if f.skipSeen[path] {
		return
	}
	f.skipSeen[path] = true
	f.skipped = append(f.skipped, Skipped{Path: path, Reason: reason})
}

// resolveAll resolves the locations, in rank order, dropping repeats of a file and line.
func (f *finder) resolveAll(locs []Loc) []hit {
	var hits []hit
	type key struct {
		path string
		line int
	}
	seen := map[key]bool{}
	for _, l := range locs {
		src, line := f.resolve(l)
		if src == nil {
			continue
		}
		k := key{src.path, line}
		if seen[k] {
			continue
		}
		seen[k] = true
		hits = append(hits, hit{loc: l, src: src, line: line})
	}
	return hits
}

// resolve finds the file a location names, and the line (looked up by symbol when the output
// gave none).
func (f *finder) resolve(l Loc) (*source, int) {
	if l.Path == "" {
		return f.findGoTest(l)
	}
	src := f.resolvePath(l)
	if src == nil {
		return nil, 0
	}
	line := l.Line
	if line == 0 && l.Symbol != "" {
		line = findDef(src.content, "def "+l.Symbol+"(")
	}
	return src, line
}

// resolvePath tries the candidates for l.Path in order and returns the first usable file.
func (f *finder) resolvePath(l Loc) *source {
	p := filepath.FromSlash(l.Path)
	var cands []string
	if filepath.IsAbs(p) {
		cands = []string{filepath.Clean(p)}
	} else {
		for _, base := range f.bases(l) {
			cands = append(cands, filepath.Join(base, p))
		}
		if strings.HasSuffix(p, ".go") {
			if d := f.goModulePath(p); d != "" { // go build -trimpath prints module paths
				cands = append(cands, d)
			}
		}
	}
	reason := ReasonMissing
	for _, c := range cands {
		if !inside(f.opts.Root, c) {
			reason = "outside the working tree"
			continue
		}
		src := f.load(c)
		if src.bad == "" {
			return src
		}
		if src.bad != ReasonMissing {
			reason = src.bad
		}
	}
	if reason == ReasonMissing && (l.Suffix || !strings.ContainsRune(p, filepath.Separator)) {
		if src := f.bySuffix(p); src != nil {
			return src
		}
	}
	f.skip(l.Path, reason)
	return nil
}

// bases lists the directories a relative path in l may start from, best first.
func (f *finder) bases(l Loc) []string {
	var out []string
	add := func(d string) {
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if l.Dir != "" {
		if filepath.IsAbs(l.Dir) {
			add(filepath.Clean(l.Dir))
		} else {
			add(filepath.Join(f.opts.Dir, l.Dir))
		}
	}
	if l.Pkg != "" {
		add(f.goPackageDir(l.Pkg))
	}
	for d := f.opts.Dir; ; d = filepath.Dir(d) {
		add(d)
		if d == f.opts.Root || !inside(f.opts.Root, d) || filepath.Dir(d) == d {
			break
		}
	}
	return out
}

// load reads the file at path (absolute, clean, lexically inside the root) once.
func (f *finder) load(path string) *source {
	if src, ok := f.sources[path]; ok {
		return src
	}
	src := &source{path: path}
	f.sources[path] = src
	src.bad = f.read(src)
	if src.bad == "" {
		src.lines = countLines(src.content)
		src.fallback = fallbackReason(f.opts.Root, path, src.content)
	}
	return src
}

// privateName reports whether a file or directory of this name holds credentials: an error that
// names one (a parse error in ~/.aws/credentials, a bad line in .env) never sends its content to
// the model, wherever the working tree is.
func privateName(part string) bool {
	switch part {
	case ".ssh", ".aws", ".gnupg", ".netrc", ".docker", ".kube", ".azure", ".password-store",
		".git-credentials", ".npmrc", ".pypirc", ".pgpass", ".vault-token", "gcloud":
		return true
	}
	return false
}

// private reports whether the slash- or separator-separated path rel names a credentials file or
// lies in a credentials directory, or is a dotenv file (.env, .env.local, …).
func private(rel string) bool {
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if privateName(part) || part == ".env" || strings.HasPrefix(part, ".env.") {
			return true
		}
	}
	return false
}

func (f *finder) read(src *source) string {
	rel, _ := filepath.Rel(f.opts.Root, src.path)
	if slices.Contains(strings.Split(filepath.ToSlash(rel), "/"), ".git") {
		return "inside .git"
	}
	real, err := filepath.EvalSymlinks(src.path)
	if err != nil {
		return ReasonMissing
	}
	if !inside(f.realRoot, real) {
		return "outside the working tree"
	}
	realRel, _ := filepath.Rel(f.realRoot, real)
	if private(rel) || private(realRel) {
		return "a private file (credentials or keys)"
	}
	fh, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return "permission denied"
		}
		return ReasonMissing
	}
	defer fh.Close()
	fi, err := fh.Stat()
	switch {
	case err != nil:
		return ReasonMissing
	case fi.IsDir():
		return "a directory"
	case !fi.Mode().IsRegular():
		return "not a regular file"
	case fi.Size() > maxRead:
		return "too large"
	}
	content, err := io.ReadAll(io.LimitReader(fh, maxRead+1))
	if err != nil {
		return "unreadable"
	}
	if len(content) > maxRead {
		return "too large"
	}
	if bytes.IndexByte(content[:min(len(content), 8000)], 0) >= 0 {
		return "binary file"
	}
	src.content = content
	return ""
}

// foreignDir says why a directory of this name holds someone else's code, or "": its files are
// used only when nothing else is left.
func foreignDir(name string) string {
	switch name {
	case "node_modules":
		return "under node_modules"
	case "bower_components":
		return "under bower_components"
	case "vendor", "third_party":
		return "vendored"
	case "site-packages", "dist-packages", ".venv", "venv":
		return "an installed package"
	}
	return ""
}

// reGenerated matches the marker of a generated file: Go's "Code generated … DO NOT EDIT." line
// (in any comment style) and the @generated tag that other generators use.
var reGenerated = &lazy.Regexp{Expr: `(?m)^\s*(?://|#|/?\*|--|;)\s*(?:Code generated\b.*\bDO NOT EDIT\b|.*@generated\b)`}

// fallbackReason says why a file is used only when no other is left, or "".
func fallbackReason(root, path string, content []byte) string {
	rel, _ := filepath.Rel(root, path)
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if r := foreignDir(part); r != "" {
			return r
		}
	}
	if reGenerated.Get().Match(content[:min(len(content), 4096)]) {
		return "generated"
	}
	if n := countLines(content); n > 0 && len(content)/n > 500 {
		return "minified"
	}
	return ""
}

// goModuleFor returns the Go module that dir belongs to, found by its go.mod at or above dir
// and inside the root; its path is "" when there is none.
func (f *finder) goModuleFor(dir string) goModule {
	if m, ok := f.modules[dir]; ok {
		return m
	}
	var m goModule
	if inside(f.opts.Root, dir) {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			m = goModule{dir: dir, path: modulePath(b)}
		} else if parent := filepath.Dir(dir); parent != dir && dir != f.opts.Root {
			m = f.goModuleFor(parent)
		}
	}
	f.modules[dir] = m
	return m
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`)
		}
	}
	return ""
}

// goPackageDir returns the directory of the Go package with import path pkg in the module of
// opts.Dir, or "".
func (f *finder) goPackageDir(pkg string) string {
	m := f.goModuleFor(f.opts.Dir)
	switch {
	case m.path == "":
		return ""
	case pkg == m.path:
		return m.dir
	case strings.HasPrefix(pkg, m.path+"/"):
		return filepath.Join(m.dir, filepath.FromSlash(pkg[len(m.path)+1:]))
	}
	return ""
}

// goModulePath maps a file named by its module path (go build -trimpath) to the tree, or "".
func (f *finder) goModulePath(p string) string {
	m := f.goModuleFor(f.opts.Dir)
	slash := filepath.ToSlash(p)
	if m.path == "" || !strings.HasPrefix(slash, m.path+"/") {
		return ""
	}
	return filepath.Join(m.dir, filepath.FromSlash(slash[len(m.path)+1:]))
}

// findGoTest finds the function of a failing Go test, named by a --- FAIL line, among the
// _test.go files of its package (or of opts.Dir when the package is not known).
func (f *finder) findGoTest(l Loc) (*source, int) {
	dir := f.opts.Dir
	if l.Pkg != "" {
		if d := f.goPackageDir(l.Pkg); d != "" {
			dir = d
		}
	}
	if !inside(f.opts.Root, dir) {
		return nil, 0
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0
	}
	want := "func " + l.Symbol + "("
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_test.go") || e.IsDir() {
			continue
		}
		src := f.load(filepath.Join(dir, e.Name()))
		if src.bad != "" {
			continue
		}
		if line := findDef(src.content, want); line > 0 {
			return src, line
		}
	}
	return nil, 0
}

// findDef returns the 1-based line on which prefix starts (after indentation), or 0.
func findDef(content []byte, prefix string) int {
	for n, rest := 1, content; len(rest) > 0; n++ {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte(prefix)) {
			return n
		}
	}
	return 0
}

// maxIndex bounds the directory entries walked to find a file by its base name.
const maxIndex = 50000

// bySuffix returns the one file in the tree whose path ends with the relative path p (a bare
// file name, or a JVM frame's package path under an unknown source root), preferring one under
// opts.Dir; nil when there is none or it is ambiguous.
func (f *finder) bySuffix(p string) *source {
	if f.index == nil {
		f.buildIndex()
	}
	var paths, under []string
	for _, c := range f.index[filepath.Base(p)] {
		if strings.HasSuffix(c, string(filepath.Separator)+p) {
			paths = append(paths, c)
			if inside(f.opts.Dir, c) {
				under = append(under, c)
			}
		}
	}
	if len(under) > 0 {
		paths = under
	}
	if len(paths) != 1 {
		return nil
	}
	src := f.load(paths[0])
	if src.bad != "" {
		return nil
	}
	return src
}

func (f *finder) buildIndex() {
	f.index = map[string][]string{}
	n := 0
	filepath.WalkDir(f.opts.Root, func(p string, d fs.DirEntry, err error) error {
		if n++; n > maxIndex {
			return filepath.SkipAll
		}
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != f.opts.Root && (strings.HasPrefix(name, ".") || foreignDir(name) != "" || name == "__pycache__" || name == "target") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			f.index[name] = append(f.index[name], p)
		}
		return nil
	})
}

// countLines returns the number of lines in b; a last line without a newline counts.
func countLines(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}
