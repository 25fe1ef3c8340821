// Package locate reads the output of a failed build, test run, lint or crash and finds what to
// fix: the files inside the working tree that the errors point at, the lines in them, and a
// bounded excerpt of the output with the first error first.
//
// Scan applies an ordered table of patterns, one row per output shape of a real tool (go build,
// vet and test with panic frames; gcc and clang with notes and include chains; sanitizer reports
// and C asserts; rustc, cargo and Rust panics; Python tracebacks, unittest and pytest; mypy;
// Node.js stack traces and node --test; tsc; eslint's stylish and compact formats; javac; JVM
// stack frames with their causes; bash and sh; make), to the output with ANSI escapes removed,
// and returns the locations in rank order: errors and stack frames first, in the order the tools
// meant them to be read (innermost project frame first for tracebacks, the innermost cause first
// for JVM traces), then warnings, then notes.
//
// Locate resolves those locations to files. A path is tried as printed (absolute, or relative to
// the directory the command ran in, a directory make entered, pytest's rootdir, the directory of
// the Go package the test output belongs to, or an ancestor up to the root), and is kept only if
// it is a regular text file inside the working tree: a path outside the tree is never opened. The
// standard library, node_modules, vendored and generated files are used only when nothing else is
// left. Small files are sent whole; large ones as one line range around their error lines.
// Sources the failing code needs are added when small: a failing Go test brings its package's
// non-test files, and a failing test in another language the project files it imports (Python
// imports, JS/TS relative imports, JVM same-package classes and imports, Rust mod and use, C
// includes with the sources that implement them), two levels deep, most used first. Every bound
// (files, bytes, lines) has a default in Options.
//
// Package locate knows nothing of the command line, the shell session or the model client.
package locate
