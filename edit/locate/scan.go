package locate

import (
	"sort"
	"strconv"
	"strings"

	"github.com/spark-cli/spark/internal/lazy"
)

// Kind says how a location relates to the failure; it decides the location's rank.
type Kind int

// The kinds, best rank first.
const (
	Error   Kind = iota // an error, or a frame of the stack that failed
	Test                // the function of a failing test, named by a summary line
	Warning             // a warning
	Note                // context: a note, an include chain, a make recipe, a related location
)

// String returns the kind's name: error, test, warning or note.
func (k Kind) String() string {
	switch k {
	case Error:
		return "error"
	case Test:
		return "test"
	case Warning:
		return "warning"
	}
	return "note"
}

// Loc is one place the output points at.
type Loc struct {
	Path   string // as printed, with a file:// prefix removed
	Line   int    // 1-based; 0 when the output names no line
	Col    int    // 1-based; 0 when not given
	Kind   Kind
	Row    string // the pattern table row that found it
	Symbol string // a function to look for when there is no line (a failing test's name)
	Dir    string // a directory the output says relative paths start from (make, pytest)
	Pkg    string // for Go test output: the import path of the package it belongs to
	// Suffix is set when Path is relative to a source root the output does not name (a JVM
	// frame's package path, com/acme/Calc.java): any file in the tree whose path ends with it.
	Suffix bool
	Index  int // the output line it was found on, 0-based

	order int // position in reading order, within its Kind
}

// maxLocs bounds the locations one output yields; a log with more is not read further.
const maxLocs = 5000

// A row of the pattern table: match looks at one line (ANSI already stripped) and reports
// whether it consumed it, adding locations or changing the scanner's state.
type row struct {
	name  string
	tools string // what prints this shape of output
	match func(s *scanner, line string, i int) bool
}

// table is tried in order on every line; the first row that matches consumes the line. The
// specific shapes come before the general PATH:LINE:COL: row at the end.
var table = []row{
	{"python-frame", "python tracebacks, pytest --tb=native", (*scanner).pythonFrame},
	{"go-panic-frame", "go test, go run: panic stack frames", (*scanner).goPanicFrame},
	{"go-test-fail", "go test: --- FAIL lines", (*scanner).goTestFail},
	{"go-test-pkg", "go test: FAIL/ok package lines", (*scanner).goTestPkg},
	{"pytest-rootdir", "pytest: rootdir header", (*scanner).pytestRootdir},
	{"pytest-section", "pytest: failure section rules", (*scanner).pytestSection},
	{"pytest-failed", "pytest: FAILED/ERROR summary lines", (*scanner).pytestFailed},
	{"rust-arrow", "rustc, cargo: --> file:line:col", (*scanner).rustArrow},
	{"rust-related", "rustc, cargo: ::: file:line:col", (*scanner).rustRelated},
	{"rust-panic", "rust: thread panicked at file:line:col", (*scanner).rustPanic},
	{"jvm-frame", "java, kotlin, junit: at pkg.Class.method(File.java:N)", (*scanner).jvmFrame},
	{"jvm-caused-by", "java, kotlin: Caused by: / Suppressed: a nested exception", (*scanner).jvmCausedBy},
	{"sanitizer-frame", "gcc, clang -fsanitize: #0 0x… in f file.c:N", (*scanner).sanitizerFrame},
	{"sanitizer-summary", "gcc, clang -fsanitize: SUMMARY: AddressSanitizer: … file.c:N in f", (*scanner).sanitizerSummary},
	{"node-test-location", "node --test (TAP): location: 'file:line:col' of a failing test", (*scanner).nodeTestLocation},
	{"node-test-stack", "node --test (TAP): the frames of a stack: |- block", (*scanner).nodeTestStack},
	{"node-test-at", "node --test (spec): test at file:line:col", (*scanner).nodeTestAt},
	{"c-assert", "assert() in C and C++: prog: file:line: function: Assertion `…' failed.", (*scanner).cAssert},
	{"shell-line", "bash: script: line N: …; sh (dash): script: N: …", (*scanner).shellLine},
	{"stack-at", "node.js stack traces, rust backtraces: at f (file:line:col)", (*scanner).stackAt},
	{"node-throw-site", "node.js: file:line above an uncaught exception", (*scanner).nodeThrowSite},
	{"tsc", "tsc: file(line,col): error TS…", (*scanner).tsc},
	{"tsc-pretty", "tsc --pretty: file:line:col - error TS…", (*scanner).tscPretty},
	{"eslint-compact", "eslint -f compact", (*scanner).eslintCompact},
	{"eslint-stylish", "eslint (stylish): line:col  error  message", (*scanner).eslintStylish},
	{"eslint-file", "eslint (stylish): file header", (*scanner).eslintFile},
	{"gcc-include", "gcc, clang: In file included from file:line", (*scanner).gccInclude},
	{"make-dir", "make: Entering/Leaving directory", (*scanner).makeDir},
	{"make-recipe", "make: *** [file:line: target] Error N", (*scanner).makeRecipe},
	{"ld-undefined", "ld: file:(.text+0x…): undefined reference", (*scanner).ldUndefined},
	{"severity", "rustc, cargo: error[E…]: / warning: headers", (*scanner).severity},
	{"tsc-related", "tsc --pretty: indented file:line:col of related information", (*scanner).tscRelated},
	{"file-line", "go build/vet/test, gcc, clang, javac, mypy, pytest, make: file:line[:col]: message", (*scanner).fileLine},
}

// scanner holds what a row needs to know about the lines before the current one.
type scanner struct {
	locs      []Loc
	seq       int
	sev       Kind     // severity of the last rustc-style header
	dirs      []string // make's directory stack
	rootdir   string   // pytest's rootdir
	eslint    string   // the file of the eslint stylish block being read
	traceback []Loc    // python frames, outermost first, until the traceback ends
	pytest    []Loc    // pytest locations of the current failure section, outermost first
	inPytest  bool     // inside pytest's FAILURES/ERRORS sections
	goWaiting []int    // locs waiting for their go test package line
	jvm       [][]Loc  // JVM frames of the trace being read: the exception's, then each cause's
	sanitizer Kind     // Kind of the sanitizer frames being read: Error, or Note for allocation stacks
	tapStack  string   // indentation of the TAP stack block being read, "" outside one
	rustOpen  bool     // inside an old-style multi-line panic message
}

// Scan finds the locations in a tool's output (ANSI already stripped, see StripANSI) and
// returns them in rank order: by Kind, then in the order the output means them to be read, which
// is the order of appearance except in tracebacks that list the innermost frame last (Python,
// pytest), whose frames come innermost first. Repeats of a location are dropped.
func Scan(text string) []Loc {
	s := &scanner{}
	for i := 0; len(text) > 0 && len(s.locs) < maxLocs; i++ {
		line := text
		if j := strings.IndexByte(text, '\n'); j >= 0 {
			line, text = text[:j], text[j+1:]
		} else {
			text = ""
		}
		s.line(line, i)
	}
	s.flushTraceback()
	s.flushPytest()
	s.flushJVM()
	sort.SliceStable(s.locs, func(a, b int) bool {
		x, y := s.locs[a], s.locs[b]
		if x.Kind != y.Kind {
			return x.Kind < y.Kind
		}
		return x.order < y.order
	})
	type key struct {
		path, sym, dir, pkg string
		line                int
	}
	seen := map[key]bool{}
	out := s.locs[:0]
	for _, l := range s.locs {
		k := key{l.Path, l.Symbol, l.Dir, l.Pkg, l.Line}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, l)
	}
	return out
}

// line reads line i and returns the name of the row that consumed it, or "".
func (s *scanner) line(line string, i int) string {
	if len(line) > 4096 { // minified code or a data dump: no tool prints a location like that
		return ""
	}
	if len(s.traceback) > 0 && (line == "" || (line[0] != ' ' && line[0] != '\t')) {
		s.flushTraceback()
	}
	if len(s.jvm) > 0 && !jvmTraceLine(line) {
		s.flushJVM()
	}
	for _, r := range table {
		if r.match(s, line, i) {
			return r.name
		}
	}
	return ""
}

// add records a location found on line i by row.
func (s *scanner) add(l Loc, row string, i int) int {
	l.Path = strings.TrimPrefix(l.Path, "file://")
	if l.Path == "" && l.Symbol == "" {
		return -1
	}
	l.Row, l.Index, l.order = row, i, s.seq
	if l.Dir == "" {
		if n := len(s.dirs); n > 0 {
			l.Dir = s.dirs[n-1]
		} else {
			l.Dir = s.rootdir
		}
	}
	s.seq++
	s.locs = append(s.locs, l)
	return len(s.locs) - 1
}

func (s *scanner) flushTraceback() {
	for i := len(s.traceback) - 1; i >= 0; i-- {
		l := s.traceback[i]
		s.add(l, l.Row, l.Index)
	}
	s.traceback = s.traceback[:0]
}

func (s *scanner) flushPytest() {
	for i := len(s.pytest) - 1; i >= 0; i-- {
		l := s.pytest[i]
		s.add(l, l.Row, l.Index)
	}
	s.pytest = s.pytest[:0]
}

// flushJVM adds the frames of a JVM trace, the innermost cause first: the exception a
// "Caused by:" names is where the failure began, the enclosing ones only report it.
func (s *scanner) flushJVM() {
	for i := len(s.jvm) - 1; i >= 0; i-- {
		for _, l := range s.jvm[i] {
			s.add(l, l.Row, l.Index)
		}
	}
	s.jvm = s.jvm[:0]
}

// jvmTraceLine reports whether line continues a JVM stack trace: a frame, "... N more", or a
// nested exception.
func jvmTraceLine(line string) bool {
	t := strings.TrimLeft(line, " \t")
	return len(t) < len(line) && (strings.HasPrefix(t, "at ") || strings.HasPrefix(t, "... ") || strings.HasPrefix(t, "Suppressed: ")) ||
		strings.HasPrefix(line, "Caused by: ")
}

var reJVMFrame = &lazy.Regexp{Expr: `^\s+at (?:\S+/)?([\w$.<>-]+)\.[\w$<>-]+\(([\w$-]+\.(?:java|kt|kts|scala|groovy)):(\d+)\)$`}

// jvmFrame: <TAB>at com.acme.Calc.ratio(Calc.java:4), at java.base/java.lang.Integer.parseInt(…),
// at app//com.acme.Main.main(Main.kt:6). The file is looked for under its package's directory
// in any source root (src/main/java/com/acme/Calc.java).
func (s *scanner) jvmFrame(line string, i int) bool {
	if !strings.HasSuffix(line, ")") || !strings.Contains(line, "at ") {
		return false
	}
	m := reJVMFrame.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	class, file := m[1], m[2]
	path := file
	if k := strings.LastIndexByte(class, '.'); k > 0 {
		path = strings.ReplaceAll(class[:k], ".", "/") + "/" + file
	}
	if len(s.jvm) == 0 {
		s.jvm = append(s.jvm, nil)
	}
	n := len(s.jvm) - 1
	s.jvm[n] = append(s.jvm[n], Loc{Path: path, Line: atoi(m[3]), Kind: Error, Suffix: true, Row: "jvm-frame", Index: i})
	return true
}

// jvmCausedBy: Caused by: java.lang.NumberFormatException: For input string: "4x", whose frames
// follow; also <TAB>Suppressed: …
func (s *scanner) jvmCausedBy(line string, i int) bool {
	t := strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(line, "Caused by: ") && !(len(t) < len(line) && strings.HasPrefix(t, "Suppressed: ")) {
		return false
	}
	if len(s.jvm) > 0 {
		s.jvm = append(s.jvm, nil)
	}
	return true
}

var reSanitizerFrame = &lazy.Regexp{Expr: `^\s*#\d+ 0x[0-9a-f]+ in (?:.+?) (\S+?):(\d+)(?::(\d+))?$`}

// sanitizerFrame:     #0 0x55780f367371 in last src/buf.c:4 (gcc), … in last /src/buf.c:4:9
// (clang). The frames of the report's first stack are errors; those of an allocation or free
// stack after it are notes.
func (s *scanner) sanitizerFrame(line string, i int) bool {
	t := strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(t, "#") || !strings.Contains(t, " 0x") {
		return false
	}
	m := reSanitizerFrame.Get().FindStringSubmatch(line)
	if m == nil {
		return strings.Contains(t, " in ") // a frame in a binary without debug information
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: s.sanitizer}, "sanitizer-frame", i)
	return true
}

var reSanitizerSummary = &lazy.Regexp{Expr: `^SUMMARY: \w+Sanitizer: \S+ (\S+?):(\d+)(?::(\d+))? in `}

// sanitizerSummary: SUMMARY: AddressSanitizer: heap-buffer-overflow src/buf.c:4 in last. It
// also marks where the report's stacks begin and change: after "ERROR: AddressSanitizer" or a
// leak's "allocated from:" come errors, after "freed by thread" or "allocated by thread" notes.
func (s *scanner) sanitizerSummary(line string, i int) bool {
	switch {
	case strings.Contains(line, "Sanitizer: ") && (strings.Contains(line, "ERROR: ") || strings.Contains(line, "WARNING: ")),
		strings.HasSuffix(line, " allocated from:"):
		s.sanitizer = Error
		return false
	case strings.HasSuffix(line, " here:") && strings.Contains(line, " by thread "):
		s.sanitizer = Note
		return false
	}
	if !strings.HasPrefix(line, "SUMMARY: ") {
		return false
	}
	if m := reSanitizerSummary.Get().FindStringSubmatch(line); m != nil {
		s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Error}, "sanitizer-summary", i)
	}
	return true
}

var reNodeTestLocation = &lazy.Regexp{Expr: `^\s+location: '(.+?):(\d+):(\d+)'$`}

// nodeTestLocation:   location: '/src/sum.test.js:5:1', in the YAML block of a failing test
func (s *scanner) nodeTestLocation(line string, i int) bool {
	if !strings.Contains(line, "location: '") {
		return false
	}
	m := reNodeTestLocation.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Test}, "node-test-location", i)
	return true
}

var reNodeTestFrame = &lazy.Regexp{Expr: `^(?:.*? \()?([^\s()]+?):(\d+):(\d+)\)?$`}

// nodeTestStack: the frames of a TAP stack: |- block, innermost first, written without "at":
//
//	stack: |-
//	  TestContext.<anonymous> (/src/sum.test.js:6:10)
//	  node:internal/test_runner/harness:255:12
func (s *scanner) nodeTestStack(line string, i int) bool {
	t := strings.TrimLeft(line, " ")
	if t == "stack: |-" {
		s.tapStack = line[:len(line)-len(t)] + "  "
		return true
	}
	if s.tapStack == "" {
		return false
	}
	if !strings.HasPrefix(line, s.tapStack) {
		s.tapStack = ""
		return false
	}
	m := reNodeTestFrame.Get().FindStringSubmatch(t)
	if m != nil && !strings.HasPrefix(m[1], "node:") {
		s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Error}, "node-test-stack", i)
	}
	return true
}

var reNodeTestAt = &lazy.Regexp{Expr: `^test at (\S+?):(\d+):(\d+)$`}

// nodeTestAt: test at sum.test.js:5:1, above a failing test in the spec reporter's summary
func (s *scanner) nodeTestAt(line string, i int) bool {
	if !strings.HasPrefix(line, "test at ") {
		return false
	}
	m := reNodeTestAt.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Test}, "node-test-at", i)
	return true
}

var reCAssert = &lazy.Regexp{Expr: `^\S+: (\S+?):(\d+): .*: Assertion .* failed\.$`}

// cAssert: t: tests/test_buf.c:6: main: Assertion `last(xs, 3) == 3' failed.
func (s *scanner) cAssert(line string, i int) bool {
	if !strings.Contains(line, ": Assertion ") {
		return false
	}
	m := reCAssert.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Kind: Error}, "c-assert", i)
	return true
}

var reShellLine = &lazy.Regexp{Expr: `^([^\s:]+): (?:line )?(\d+): \S`}

// shellLine: scripts/deploy.sh: line 4: cp_files: command not found (bash), and
// scripts/deploy.sh: 4: cp_files: not found (dash, as sh)
func (s *scanner) shellLine(line string, i int) bool {
	// The regexp's own shape, checked by hand first: most lines of a long log are not this.
	c := strings.Index(line, ": ")
	if c <= 0 || line[0] == ' ' {
		return false
	}
	if rest := strings.TrimPrefix(line[c+2:], "line "); rest == "" || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	m := reShellLine.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Kind: Error}, "shell-line", i)
	return true
}

var rePythonFrame = &lazy.Regexp{Expr: `^\s*File "([^"]+)", line (\d+)`}

// pythonFrame:   File "/src/app.py", line 5, in main
func (s *scanner) pythonFrame(line string, i int) bool {
	if !strings.Contains(line, `File "`) {
		return false
	}
	m := rePythonFrame.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.traceback = append(s.traceback, Loc{Path: m[1], Line: atoi(m[2]), Kind: Error, Row: "python-frame", Index: i})
	return true
}

var reGoPanicFrame = &lazy.Regexp{Expr: `^\t(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$`}

// goPanicFrame: <TAB>/src/calc/calc.go:10 +0x1d
func (s *scanner) goPanicFrame(line string, i int) bool {
	if len(line) < 6 || line[0] != '\t' || !strings.Contains(line, ".go:") {
		return false
	}
	m := reGoPanicFrame.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Kind: Error}, "go-panic-frame", i)
	return true
}

// goTestFail: --- FAIL: TestAdd (0.00s), or a subtest TestAdd/negative
func (s *scanner) goTestFail(line string, i int) bool {
	t := strings.TrimLeft(line, " \t")
	rest, ok := strings.CutPrefix(t, "--- FAIL: ")
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, " ")
	name, _, _ = strings.Cut(name, "/")
	if name == "" {
		return true
	}
	if j := s.add(Loc{Symbol: name, Kind: Test}, "go-test-fail", i); j >= 0 {
		s.goWaiting = append(s.goWaiting, j)
	}
	return true
}

// goTestPkg: FAIL<TAB>example.com/m/calc<TAB>0.003s, or ok<SP><SP><TAB>… for a passing package.
// go test prints it after the package's output, so it names the package of the test lines
// before it, whose paths are bare file names.
func (s *scanner) goTestPkg(line string, i int) bool {
	if strings.HasPrefix(line, "ok  \t") {
		s.goWaiting = s.goWaiting[:0]
		return true
	}
	rest, ok := strings.CutPrefix(line, "FAIL\t")
	if !ok {
		return false
	}
	pkg, _, _ := strings.Cut(rest, "\t")
	pkg, _, _ = strings.Cut(pkg, " ")
	for _, j := range s.goWaiting {
		s.locs[j].Pkg = pkg
	}
	s.goWaiting = s.goWaiting[:0]
	return true
}

// pytestRootdir: rootdir: /src/project
func (s *scanner) pytestRootdir(line string, i int) bool {
	rest, ok := strings.CutPrefix(line, "rootdir: ")
	if !ok {
		return false
	}
	dir, _, _ := strings.Cut(rest, ",")
	s.rootdir = strings.TrimSpace(dir)
	return true
}

// pytestSection: ____ test_total ____ starts a failure; ==== FAILURES ==== and the other
// rules start or end the sections that hold them.
func (s *scanner) pytestSection(line string, i int) bool {
	if len(line) < 7 {
		return false
	}
	switch {
	case strings.HasPrefix(line, "___") && strings.HasSuffix(line, "___"):
		s.flushPytest()
		s.inPytest = true
		return true
	case strings.HasPrefix(line, "===") && strings.HasSuffix(line, "==="):
		s.flushPytest()
		s.inPytest = strings.Contains(line, " FAILURES ") || strings.Contains(line, " ERRORS ")
		return true
	}
	return false
}

// pytestFailed: FAILED tests/test_cart.py::TestCart::test_empty - assert 0.0 == 1
func (s *scanner) pytestFailed(line string, i int) bool {
	rest, ok := strings.CutPrefix(line, "FAILED ")
	if !ok {
		if rest, ok = strings.CutPrefix(line, "ERROR "); !ok {
			return false
		}
	}
	spec, _, _ := strings.Cut(rest, " ")
	path, sym, hasSym := strings.Cut(spec, "::")
	if !strings.HasSuffix(path, ".py") {
		return false
	}
	if !hasSym {
		s.add(Loc{Path: path, Kind: Error}, "pytest-failed", i)
		return true
	}
	if k := strings.LastIndex(sym, "::"); k >= 0 {
		sym = sym[k+2:]
	}
	sym, _, _ = strings.Cut(sym, "[") // parametrized: test_x[1-2]
	s.add(Loc{Path: path, Symbol: sym, Kind: Test}, "pytest-failed", i)
	return true
}

var reRustArrow = &lazy.Regexp{Expr: `^\s*(-->|:::) (.+?):(\d+):(\d+)$`}

// rustArrow:  --> src/main.rs:6:24, after an error[E0425]: or warning: header
func (s *scanner) rustArrow(line string, i int) bool {
	if !strings.Contains(line, "--> ") {
		return false
	}
	m := reRustArrow.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[2], Line: atoi(m[3]), Col: atoi(m[4]), Kind: s.sev}, "rust-arrow", i)
	return true
}

// rustRelated:  ::: src/lib.rs:3:8, a related location such as a definition
func (s *scanner) rustRelated(line string, i int) bool {
	if !strings.Contains(line, "::: ") {
		return false
	}
	m := reRustArrow.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[2], Line: atoi(m[3]), Col: atoi(m[4]), Kind: Note}, "rust-related", i)
	return true
}

var reRustPanic = &lazy.Regexp{Expr: `panicked at (?:'.*', )?(\S+?):(\d+):(\d+):?$`}

var reRustPanicEnd = &lazy.Regexp{Expr: `', (\S+?):(\d+):(\d+)$`}

// rustPanic: thread 'main' (1234) panicked at src/main.rs:2:5:, and before Rust 1.73 thread
// 'main' panicked at 'message', src/main.rs:2:5, whose message may span lines (assert_eq!'s
// left and right), the location closing the last.
func (s *scanner) rustPanic(line string, i int) bool {
	if s.rustOpen {
		if m := reRustPanicEnd.Get().FindStringSubmatch(line); m != nil {
			s.rustOpen = false
			s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Error}, "rust-panic", i)
			return true
		}
	}
	if !strings.Contains(line, "panicked at ") {
		return false
	}
	m := reRustPanic.Get().FindStringSubmatch(line)
	if m == nil {
		s.rustOpen = strings.Contains(line, "panicked at '")
		return s.rustOpen
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Error}, "rust-panic", i)
	return true
}

var reStackAt = &lazy.Regexp{Expr: `^\s+at (?:.*? \()?([^\s()]+?):(\d+):(\d+)\)?$`}

// stackAt:     at readPort (/src/lib/config.js:2:21), at file:///src/esm.mjs:7:1, and rust
// backtraces' at /src/main.rs:2:5. Node.js prints the innermost frame first.
func (s *scanner) stackAt(line string, i int) bool {
	t := strings.TrimLeft(line, " \t")
	if len(t) == len(line) || !strings.HasPrefix(t, "at ") {
		return false
	}
	m := reStackAt.Get().FindStringSubmatch(line)
	if m == nil {
		return true // a frame without a file (native code, "index 0"): nothing to find
	}
	if strings.HasPrefix(m[1], "node:") {
		return true
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Error}, "stack-at", i)
	return true
}

var reNodeThrowSite = &lazy.Regexp{Expr: `^(\S+\.(?:[cm]?[jt]s|[jt]sx)):(\d+)$`}

// nodeThrowSite: /src/lib/config.js:2, the first line of an uncaught exception's report
func (s *scanner) nodeThrowSite(line string, i int) bool {
	if line == "" || line[0] == ' ' || line[0] == '\t' || !strings.Contains(line, "s:") {
		return false
	}
	m := reNodeThrowSite.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Kind: Error}, "node-throw-site", i)
	return true
}

var reTsc = &lazy.Regexp{Expr: `^(\S.*?)\((\d+),(\d+)\): (error|warning)`}

// tsc: src/main.ts(3,32): error TS2322: Type 'string' is not assignable to type 'number'.
func (s *scanner) tsc(line string, i int) bool {
	if !strings.Contains(line, "): ") {
		return false
	}
	m := reTsc.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: severityWord(m[4])}, "tsc", i)
	return true
}

var reTscPretty = &lazy.Regexp{Expr: `^(\S+?):(\d+):(\d+) - (error|warning) TS\d+`}

// tscPretty: src/main.ts:3:32 - error TS2322: …
func (s *scanner) tscPretty(line string, i int) bool {
	if !strings.Contains(line, " - ") {
		return false
	}
	m := reTscPretty.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: severityWord(m[4])}, "tsc-pretty", i)
	return true
}

// tscRelated:   src/user.ts:3:3, related information under a --pretty error
func (s *scanner) tscRelated(line string, i int) bool {
	if line == "" || (line[0] != ' ' && line[0] != '\t') || !isDigit(line[len(line)-1]) {
		return false
	}
	t := strings.TrimLeft(line, " \t")
	if strings.ContainsAny(t, " \t") {
		return false
	}
	// PATH:LINE:COL, parsed from the end since PATH may hold colons.
	k := strings.LastIndexByte(t, ':')
	col, rest := leadingInt(t[k+1:])
	if k <= 0 || rest != "" {
		return false
	}
	j := strings.LastIndexByte(t[:k], ':')
	ln, rest := leadingInt(t[j+1 : k])
	if j <= 0 || rest != "" || ln == 0 {
		return false
	}
	s.add(Loc{Path: t[:j], Line: ln, Col: col, Kind: Note}, "tsc-related", i)
	return true
}

var reEslintCompact = &lazy.Regexp{Expr: `^(\S.*?): line (\d+), col (\d+), (Error|Warning) - `}

// eslintCompact: /src/app.js: line 5, col 37, Error - 'pth' is not defined. (no-undef)
func (s *scanner) eslintCompact(line string, i int) bool {
	if !strings.Contains(line, ": line ") {
		return false
	}
	m := reEslintCompact.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: severityWord(strings.ToLower(m[4]))}, "eslint-compact", i)
	return true
}

var reEslintStylish = &lazy.Regexp{Expr: `^\s+(\d+):(\d+)\s+(error|warning)\s`}

// eslintStylish:   5:37  error  'pth' is not defined  no-undef, under its file's header line
func (s *scanner) eslintStylish(line string, i int) bool {
	if s.eslint == "" || line == "" || line[0] != ' ' {
		return false
	}
	m := reEslintStylish.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: s.eslint, Line: atoi(m[1]), Col: atoi(m[2]), Kind: severityWord(m[3])}, "eslint-stylish", i)
	return true
}

// eslintFile: /src/app.js alone on a line, the header of eslint's stylish block for that file
func (s *scanner) eslintFile(line string, i int) bool {
	if len(line) < 2 || line[0] != '/' || strings.ContainsAny(line, " \t:()") {
		return false
	}
	s.eslint = line
	return true
}

var reGccInclude = &lazy.Regexp{Expr: `^(?:In file included|\s+) from (\S+?):(\d+)(?::(\d+))?[:,]$`}

// gccInclude: In file included from main.c:2: (and the "                 from x.c:3," lines)
func (s *scanner) gccInclude(line string, i int) bool {
	if !strings.Contains(line, " from ") {
		return false
	}
	m := reGccInclude.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Kind: Note}, "gcc-include", i)
	return true
}

var reMakeDir = &lazy.Regexp{Expr: `^\S*make(?:\[\d+\])?: (Entering|Leaving) directory ['‘` + "`" + `](.+?)['’]$`}

// makeDir: make[1]: Entering directory '/src/sub' (relative paths after it start there)
func (s *scanner) makeDir(line string, i int) bool {
	if !strings.Contains(line, " directory ") {
		return false
	}
	m := reMakeDir.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	if m[1] == "Entering" {
		s.dirs = append(s.dirs, m[2])
	} else if len(s.dirs) > 0 {
		s.dirs = s.dirs[:len(s.dirs)-1]
	}
	return true
}

var reMakeRecipe = &lazy.Regexp{Expr: `^\S*make(?:\[\d+\])?: \*\*\* \[(\S+?):(\d+): [^\]]*\] Error \d+`}

// makeRecipe: make: *** [Makefile:4: main] Error 1, the recipe line that failed
func (s *scanner) makeRecipe(line string, i int) bool {
	if !strings.Contains(line, ": *** [") {
		return false
	}
	m := reMakeRecipe.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Line: atoi(m[2]), Kind: Note}, "make-recipe", i)
	return true
}

var reLdUndefined = &lazy.Regexp{Expr: `^(\S+?):\(\.[\w.$]+\+0x[0-9a-f]+\): (?:undefined reference|multiple definition)`}

// ldUndefined: main.c:(.text+0x13): undefined reference to `twice'
func (s *scanner) ldUndefined(line string, i int) bool {
	if !strings.Contains(line, ":(.") {
		return false
	}
	m := reLdUndefined.Get().FindStringSubmatch(line)
	if m == nil {
		return false
	}
	s.add(Loc{Path: m[1], Kind: Error}, "ld-undefined", i)
	return true
}

// severity: error[E0308]: mismatched types — the header of a rustc diagnostic, whose
// location follows on a --> line
func (s *scanner) severity(line string, i int) bool {
	word, rest, ok := strings.Cut(line, ":")
	if !ok || !strings.HasPrefix(rest, " ") {
		return false
	}
	if j := strings.IndexByte(word, '['); j > 0 && strings.HasSuffix(word, "]") {
		word = word[:j]
	}
	switch word {
	case "error", "warning", "note", "help":
		s.sev = severityWord(word)
		return true
	}
	return false
}

// fileLine: the shape most tools share, PATH:LINE[:COL]: message. go build (./main.go:11:14:
// undefined: y), go vet, go test (    calc_test.go:7: got 0), gcc and clang (main.c:7:17: error:
// …, note: …), javac (Main.java:5: error: …), mypy (shop.py:9: error: …), pytest
// (tests/test_cart.py:7: AssertionError, shop/cart.py:12: in discount), make (Makefile:3: ***
// missing separator).
func (s *scanner) fileLine(line string, i int) bool {
	path, ln, col, msg, ok := splitFileLine(line)
	if !ok {
		return false
	}
	kind := Error
	m := strings.TrimSpace(msg)
	switch {
	case strings.HasPrefix(m, "warning"):
		kind = Warning
	case strings.HasPrefix(m, "note") || strings.HasPrefix(m, "remark") || strings.HasPrefix(m, "info"):
		kind = Note
	}
	l := Loc{Path: path, Line: ln, Col: col, Kind: kind, Row: "file-line", Index: i}
	if s.inPytest && strings.HasSuffix(path, ".py") && kind == Error {
		// pytest lists a failure's frames outermost first, each closed by its location line.
		l.Dir = s.rootdir
		s.pytest = append(s.pytest, l)
		return true
	}
	j := s.add(l, "file-line", i)
	if j >= 0 && strings.HasSuffix(path, ".go") && !strings.Contains(path, "/") {
		s.goWaiting = append(s.goWaiting, j) // go test prints bare file names
	}
	return true
}

// splitFileLine parses "PATH:LINE[:COL]:[ message]" with optional leading blanks, where PATH
// has no blanks. It is the hot path of Scan, so it does not use a regular expression.
func splitFileLine(line string) (path string, ln, col int, msg string, ok bool) {
	t := strings.TrimLeft(line, " \t")
	t = strings.TrimPrefix(t, "vet: ")
	for k := 0; k < len(t); k++ {
		c := t[k]
		if c == ' ' || c == '\t' {
			return "", 0, 0, "", false
		}
		if c != ':' || k == 0 || k+1 >= len(t) || !isDigit(t[k+1]) {
			continue
		}
		path = t[:k]
		rest := t[k+1:]
		ln, rest = leadingInt(rest)
		if len(rest) > 1 && rest[0] == ':' && isDigit(rest[1]) {
			col, rest = leadingInt(rest[1:])
		}
		if rest == "" || rest[0] != ':' || ln <= 0 {
			return "", 0, 0, "", false
		}
		return path, ln, col, rest[1:], true
	}
	return "", 0, 0, "", false
}

func leadingInt(s string) (int, string) {
	n, k := 0, 0
	for k < len(s) && isDigit(s[k]) && k < 9 {
		n = n*10 + int(s[k]-'0')
		k++
	}
	return n, s[k:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// severityWord maps a tool's severity word to a Kind.
func severityWord(w string) Kind {
	switch w {
	case "warning":
		return Warning
	case "note", "help":
		return Note
	}
	return Error
}
