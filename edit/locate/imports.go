package locate

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spark-cli/spark/internal/lazy"
)

// A test that fails names the test, not the code it tests: the files a failing test imports
// from the project are sent with it, so that the model can fix the code rather than the test.

// importDepth is how far imports are followed from a test: its own, and theirs.
const importDepth = 2

// need is a project file the failing code needs, and why.
type need struct {
	path string
	why  string
	refs int // how often the importing file uses what it imports
}

// isTestFile reports whether path is a test, by the conventions of its language: test_x.py,
// x.test.js, XTest.java, tests/x.rs, test_x.c, a file under a test directory; and a Rust
// source with unit tests.
func isTestFile(path string, content []byte) bool {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	inTestDir := false
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		switch part {
		case "test", "tests", "__tests__", "spec":
			inTestDir = true
		}
	}
	switch ext {
	case ".py":
		return strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test") || inTestDir
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx":
		return strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") || inTestDir
	case ".java", ".kt":
		return strings.HasSuffix(stem, "Test") || strings.HasSuffix(stem, "Tests") || strings.HasSuffix(stem, "IT") ||
			strings.HasPrefix(stem, "Test") || strings.Contains(filepath.ToSlash(path), "/src/test/")
	case ".rs":
		return inTestDir || bytes.Contains(content, []byte("#[test]")) || bytes.Contains(content, []byte("#[cfg(test)]"))
	case ".c", ".cc", ".cpp", ".cxx":
		return strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test") || inTestDir
	}
	return false
}

// testImports returns the project files that the test files among files import, and the files
// those import in turn, up to importDepth: the innermost test's first, and for each file the
// imports it uses most first.
func (f *finder) testImports(files []File) []need {
	var out []need
	seen := map[string]bool{}
	for _, file := range files {
		seen[file.Path] = true
	}
	for _, file := range files {
		src := f.load(file.Path)
		if src.bad != "" || !isTestFile(f.rel(file.Path), src.content) {
			continue
		}
		level := []*source{src}
		for depth := 0; depth < importDepth && len(level) > 0; depth++ {
			var next []*source
			for _, from := range level {
				for _, n := range f.imports(from) {
					if seen[n.path] {
						continue
					}
					seen[n.path] = true
					out = append(out, n)
					if s := f.load(n.path); s.bad == "" {
						next = append(next, s)
					}
				}
			}
			level = next
		}
	}
	return out
}

// rel returns p relative to the root, with slashes.
func (f *finder) rel(p string) string {
	r, err := filepath.Rel(f.opts.Root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// imports returns the project files src imports, most referenced first.
func (f *finder) imports(src *source) []need {
	var found []need
	add := func(p, why string, names ...string) {
		p = filepath.Clean(p)
		if p == src.path || !inside(f.opts.Root, p) || slices.ContainsFunc(found, func(n need) bool { return n.path == p }) {
			return
		}
		if s := f.load(p); s.bad != "" || s.fallback != "" {
			return
		}
		found = append(found, need{path: p, why: why, refs: countRefs(src.content, names)})
	}
	by := "imported by " + f.rel(src.path)
	switch filepath.Ext(src.path) {
	case ".py":
		f.pythonImports(src, by, add)
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx":
		jsImports(src, by, add)
	case ".java", ".kt":
		f.jvmImports(src, add)
	case ".rs":
		f.rustImports(src, by, add)
	case ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp":
		f.cIncludes(src, add)
	}
	sort.SliceStable(found, func(a, b int) bool { return found[a].refs > found[b].refs })
	return found
}

// countRefs counts the uses of names in content as whole words, leaving out the lines that
// import or declare them.
func countRefs(content []byte, names []string) int {
	n := 0
	for len(content) > 0 {
		line := content
		if i := bytes.IndexByte(content, '\n'); i >= 0 {
			line, content = content[:i], content[i+1:]
		} else {
			content = nil
		}
		if isImportLine(line) {
			continue
		}
		for _, name := range names {
			if name == "" || name == "*" {
				continue
			}
			for rest := line; ; {
				i := bytes.Index(rest, []byte(name))
				if i < 0 {
					break
				}
				end := i + len(name)
				if (i == 0 || !isWordByte(rest[i-1])) && (end == len(rest) || !isWordByte(rest[end])) {
					n++
				}
				rest = rest[end:]
			}
		}
	}
	return n
}

// isImportLine reports whether line imports or declares a module rather than uses it.
func isImportLine(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	for _, p := range []string{"import ", "from ", "use ", "mod ", "pub mod ", "pub use ", "#include", "package "} {
		if bytes.HasPrefix(t, []byte(p)) {
			return true
		}
	}
	return bytes.Contains(t, []byte("require(")) && bytes.Contains(t, []byte("="))
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func exists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

var (
	rePyImport = &lazy.Regexp{Expr: `(?m)^[ \t]*import[ \t]+([\w. \t,]+)$`}
	rePyFrom   = &lazy.Regexp{Expr: `(?m)^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)`}
)

// pythonImports: import a.b [as c], from a.b import c, d; from . import e; from .f import g. An
// absolute module is looked for next to the file, in its ancestors up to the root, and in the
// root's src directory; a relative one from the file's package.
func (f *finder) pythonImports(src *source, why string, add func(p, why string, names ...string)) {
	dir := filepath.Dir(src.path)
	var bases []string
	for d := dir; inside(f.opts.Root, d); d = filepath.Dir(d) {
		bases = append(bases, d)
		if d == f.opts.Root || filepath.Dir(d) == d {
			break
		}
	}
	bases = append(bases, filepath.Join(f.opts.Root, "src"))
	module := func(base, mod string) string {
		p := filepath.Join(base, filepath.FromSlash(strings.ReplaceAll(mod, ".", "/")))
		if exists(p + ".py") {
			return p + ".py"
		}
		if exists(filepath.Join(p, "__init__.py")) {
			return filepath.Join(p, "__init__.py")
		}
		return ""
	}
	for _, m := range rePyImport.Get().FindAllSubmatch(src.content, -1) {
		for _, part := range strings.Split(string(m[1]), ",") {
			fields := strings.Fields(part)
			if len(fields) == 0 {
				continue
			}
			mod, name := fields[0], fields[len(fields)-1]
			for _, b := range bases {
				if p := module(b, mod); p != "" {
					add(p, why, name)
					break
				}
			}
		}
	}
	for _, m := range rePyFrom.Get().FindAllSubmatch(src.content, -1) {
		dots, mod := len(m[1]), string(m[2])
		var names []string
		for _, part := range strings.Split(strings.Trim(string(m[3]), "() \t\r\n"), ",") {
			if fields := strings.Fields(part); len(fields) > 0 {
				names = append(names, fields[len(fields)-1])
			}
		}
		search := bases
		if dots > 0 {
			d := dir
			for k := 1; k < dots; k++ {
				d = filepath.Dir(d)
			}
			search = []string{d}
		}
		for _, b := range search {
			// A name imported from a package may be a module of its own: send that.
			var subs []string
			for _, n := range names {
				sub := n
				if mod != "" {
					sub = mod + "." + n
				}
				if p := module(b, sub); p != "" {
					add(p, why, n)
					subs = append(subs, n)
				}
			}
			if mod != "" {
				if p := module(b, mod); p != "" {
					if len(subs) < len(names) {
						add(p, why, names...)
					}
					break
				}
			}
			if len(subs) > 0 {
				break
			}
		}
	}
}

var reJSImport = &lazy.Regexp{Expr: `(?:\bimport[ \t]*(?:([\w$*{}, \t\n]+?)[ \t\n]*from[ \t]*)?|\brequire[ \t]*\(|\bimport[ \t]*\()[ \t]*["'](\.\.?/[^"'\n]+)["']`}

// jsImports: require("./x"), import … from "../x", import("./x"), export … from "./x"; only
// relative specifiers, which name project files. The extension may be left out (.js, .ts, …, or
// a directory's index), and a .js specifier may name a .ts source.
func jsImports(src *source, why string, add func(p, why string, names ...string)) {
	dir := filepath.Dir(src.path)
	for _, m := range reJSImport.Get().FindAllSubmatchIndex(src.content, -1) {
		spec := string(src.content[m[4]:m[5]])
		var names []string
		if m[2] >= 0 {
			names = jsNames(string(src.content[m[2]:m[3]]))
		} else {
			// const { a, b } = require("./x"): the names before the =.
			j := bytes.LastIndexAny(src.content[:m[0]], "\n;")
			lhs := string(src.content[j+1 : m[0]])
			if k := strings.LastIndexByte(lhs, '='); k >= 0 {
				lhs = lhs[:k]
				for _, kw := range []string{"const ", "let ", "var "} {
					if k := strings.Index(lhs, kw); k >= 0 {
						lhs = lhs[k+len(kw):]
					}
				}
				names = jsNames(lhs)
			}
		}
		base := filepath.Join(dir, filepath.FromSlash(spec))
		cands := []string{base}
		if ext := filepath.Ext(base); ext == ".js" || ext == ".mjs" || ext == ".cjs" || ext == ".jsx" {
			stem := strings.TrimSuffix(base, ext)
			cands = append(cands, stem+".ts", stem+".tsx", stem+".mts", stem+".cts")
		}
		for _, ext := range []string{".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".mts", ".cts"} {
			cands = append(cands, base+ext)
		}
		for _, ext := range []string{".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"} {
			cands = append(cands, filepath.Join(base, "index"+ext))
		}
		for _, c := range cands {
			if exists(c) {
				add(c, why, names...)
				break
			}
		}
	}
}

// jsNames returns the identifiers bound by an import clause or a destructuring pattern.
func jsNames(s string) []string {
	var names []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("{},*\t\n ", r) }) {
		if part != "as" && part != "type" {
			names = append(names, part)
		}
	}
	if len(names) > 1 {
		// import { a as b }: b is the name used; keep the last of each "a as b" only.
		var out []string
		fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("{},", r) })
		for _, f := range fields {
			w := strings.Fields(strings.TrimPrefix(strings.TrimSpace(f), "* "))
			if len(w) > 0 && w[len(w)-1] != "type" {
				out = append(out, w[len(w)-1])
			}
		}
		return out
	}
	return names
}

var (
	reJVMPackage = &lazy.Regexp{Expr: `(?m)^[ \t]*package[ \t]+([\w.]+)`}
	reJVMImport  = &lazy.Regexp{Expr: `(?m)^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+)`}
)

// jvmImports: the classes of the test's own package (in any source root: src/main/java and
// src/test/java hold one package) that it names, and its imports that the tree holds
// (com.acme.Calc in …/com/acme/Calc.java or .kt).
func (f *finder) jvmImports(src *source, add func(p, why string, names ...string)) {
	if f.index == nil {
		f.buildIndex()
	}
	self := f.rel(src.path)
	pkg := ""
	if m := reJVMPackage.Get().FindSubmatch(src.content); m != nil {
		pkg = string(m[1])
	}
	pkgDir := strings.ReplaceAll(pkg, ".", "/")
	// Same package: files whose directory ends with the package path (or that sit next to the
	// test, in the default package).
	names := make([]string, 0, len(f.index))
	for name := range f.index {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		paths := f.index[name]
		ext := filepath.Ext(name)
		if ext != ".java" && ext != ".kt" {
			continue
		}
		class := strings.TrimSuffix(name, ext)
		if countRefs(src.content, []string{class}) == 0 {
			continue
		}
		for _, p := range paths {
			d := filepath.ToSlash(filepath.Dir(p))
			if (pkg == "" && filepath.Dir(p) == filepath.Dir(src.path)) || (pkg != "" && strings.HasSuffix(d, "/"+pkgDir)) {
				add(p, "in the package of "+self+", which uses "+class, class)
			}
		}
	}
	for _, m := range reJVMImport.Get().FindAllSubmatch(src.content, -1) {
		imp := string(m[1])
		parts := strings.Split(imp, ".")
		// com.acme.Calc, or com.acme.Calc.ratio (a static import): the class is the last part
		// that names a file.
		for k := len(parts); k >= 2; k-- {
			rel := strings.Join(parts[:k], "/")
			class := parts[k-1]
			var hit string
			for _, ext := range []string{".java", ".kt"} {
				for _, p := range f.index[class+ext] {
					if strings.HasSuffix(filepath.ToSlash(p), "/"+rel+ext) {
						hit = p
					}
				}
			}
			if hit != "" {
				names := []string{class}
				if last := parts[len(parts)-1]; last != class {
					names = append(names, last) // a static import's member
				}
				add(hit, "imported by "+self, names...)
				break
			}
		}
	}
}

var (
	reRustMod = &lazy.Regexp{Expr: `(?m)^[ \t]*(?:pub(?:\([\w:]+\))?[ \t]+)?mod[ \t]+(\w+)[ \t]*;`}
	reRustUse = &lazy.Regexp{Expr: `(?m)^[ \t]*(?:pub(?:\([\w:]+\))?[ \t]+)?use[ \t]+(\w+)((?:::\w+)*)(?:::\{([^}]*)\}|::\*)?`}
)

// rustImports: mod x; (x.rs or x/mod.rs beside the file, or in its module's directory) and
// use crate::a::b::…, use super::…, and in an integration test use the_crate::…: the module
// file the path leads to, or the crate root when the item is defined there.
func (f *finder) rustImports(src *source, why string, add func(p, why string, names ...string)) {
	crateDir, crateName := f.rustCrate(filepath.Dir(src.path))
	if crateDir == "" {
		return
	}
	srcDir := filepath.Join(crateDir, "src")
	root := filepath.Join(srcDir, "lib.rs")
	if !exists(root) {
		root = filepath.Join(srcDir, "main.rs")
	}
	modDir := func(file string) string {
		switch filepath.Base(file) {
		case "lib.rs", "main.rs", "mod.rs":
			return filepath.Dir(file)
		}
		return strings.TrimSuffix(file, ".rs")
	}
	module := func(dir string, parts []string) string {
		for k := len(parts); k >= 1; k-- {
			p := filepath.Join(append([]string{dir}, parts[:k]...)...)
			if exists(p + ".rs") {
				return p + ".rs"
			}
			if exists(filepath.Join(p, "mod.rs")) {
				return filepath.Join(p, "mod.rs")
			}
		}
		return ""
	}
	for _, m := range reRustMod.Get().FindAllSubmatch(src.content, -1) {
		name := string(m[1])
		if countRefs(src.content, []string{name}) == 0 {
			continue // declared, not used here: the test does not reach it through this file
		}
		if p := module(modDir(src.path), []string{name}); p != "" {
			add(p, why, name)
		}
	}
	for _, m := range reRustUse.Get().FindAllSubmatch(src.content, -1) {
		head := string(m[1])
		parts := strings.Split(strings.TrimPrefix(string(m[2]), "::"), "::")
		if parts[0] == "" {
			parts = nil
		}
		var names []string
		if len(m[3]) > 0 {
			for _, n := range strings.Split(string(m[3]), ",") {
				if w := strings.Fields(n); len(w) > 0 {
					names = append(names, w[len(w)-1])
				}
			}
		} else if len(parts) > 0 {
			names = []string{parts[len(parts)-1]}
		}
		var dir string
		switch {
		case head == "crate" || (head == crateName && isUnder(src.path, filepath.Join(crateDir, "tests"))):
			dir = srcDir
		case head == "super" && filepath.Base(src.path) != "lib.rs" && filepath.Base(src.path) != "main.rs":
			dir = filepath.Dir(modDir(src.path))
		default:
			continue
		}
		if p := module(dir, parts); p != "" {
			add(p, why, names...)
		} else if head != "super" {
			add(root, why, names...) // an item the crate root defines
		}
	}
}

// rustCrate finds the crate dir belongs to (the nearest Cargo.toml inside the root) and its
// name as code spells it (- becomes _).
func (f *finder) rustCrate(dir string) (string, string) {
	for d := dir; inside(f.opts.Root, d); d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "Cargo.toml")); err == nil {
			name := ""
			if m := reCargoName.Get().FindSubmatch(b); m != nil {
				name = strings.ReplaceAll(string(m[1]), "-", "_")
			}
			return d, name
		}
		if d == f.opts.Root || filepath.Dir(d) == d {
			break
		}
	}
	return "", ""
}

func isUnder(p, dir string) bool { return inside(dir, p) && p != dir }

var reCargoName = &lazy.Regexp{Expr: `(?m)^name[ \t]*=[ \t]*"([^"]+)"`}

var reCInclude = &lazy.Regexp{Expr: `(?m)^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"`}

// cIncludes: #include "x.h" (next to the file, at the root, or the one x.h in the tree, as
// -I would find it), and the source that implements the header (x.c beside it, or the one x.c
// in the tree).
func (f *finder) cIncludes(src *source, add func(p, why string, names ...string)) {
	self := f.rel(src.path)
	for _, m := range reCInclude.Get().FindAllSubmatch(src.content, -1) {
		inc := filepath.FromSlash(string(m[1]))
		var hdr string
		for _, c := range []string{filepath.Join(filepath.Dir(src.path), inc), filepath.Join(f.opts.Root, inc)} {
			if exists(c) {
				hdr = c
				break
			}
		}
		if hdr == "" {
			if s := f.bySuffix(inc); s != nil {
				hdr = s.path
			}
		}
		if hdr == "" {
			continue
		}
		hdr = filepath.Clean(hdr)
		add(hdr, "included by "+self)
		stem := strings.TrimSuffix(filepath.Base(hdr), filepath.Ext(hdr))
		for _, ext := range []string{".c", ".cc", ".cpp", ".cxx"} {
			impl := filepath.Join(filepath.Dir(hdr), stem+ext)
			if !exists(impl) {
				if s := f.bySuffix(stem + ext); s != nil {
					impl = s.path
				}
			}
			if exists(impl) {
				add(impl, "implements "+f.rel(hdr)+", included by "+self)
				break
			}
		}
	}
}
