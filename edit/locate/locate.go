package locate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Defaults for Options. A fix is a micro-edit: the prompt stays small so the first token comes
// soon, and what is left out reaches the model on the next attempt, once the first errors are
// fixed.
const (
	DefaultWholeLines = 300      // a file up to this many lines…
	DefaultWholeBytes = 12 << 10 // …and bytes is sent whole
	DefaultContext    = 20       // lines either side of an error line in a large file
	DefaultMaxSpan    = 200      // most lines of one large file
	DefaultMaxFiles   = 8        // most files
	DefaultMaxBytes   = 32 << 10 // most bytes of source in all
	DefaultMaxErrors  = 8 << 10  // most bytes of error text
)

// maxRead is the largest file Locate reads; a larger one is never sent.
const maxRead = 8 << 20

// Options says where the output came from and bounds what Locate sends. The zero value of every
// bound means its default.
type Options struct {
	// Root is the working tree: no file outside it is opened or sent. "" means Dir.
	Root string
	// Dir is the directory the command ran in, where relative paths in its output start. ""
	// means the process's working directory.
	Dir string

	WholeLines int // a file up to WholeLines lines and WholeBytes bytes is sent whole
	WholeBytes int
	Context    int // lines of context either side of an error line in a larger file
	MaxSpan    int // most lines sent of one larger file
	MaxFiles   int // most files sent
	MaxBytes   int // most bytes of source sent in all; the first file is sent whatever its size
	MaxErrors  int // most bytes of error text
}

// File is one file to send, whole or as one line range.
type File struct {
	// Path is the file's absolute, clean path, inside the root. It may be a symbolic link,
	// whose target is inside the root too.
	Path string
	// Start and End are the 1-based, inclusive line range to send; both are 0 for the whole file.
	// The error lines of a large file are covered by one range: windows that overlap or lie
	// close together are merged, and one that would stretch the range past MaxSpan is left out.
	Start, End int
	// Lines are the error lines the range covers, best rank first; none for a file that is sent
	// because the failing code needs it.
	Lines []int
	// Needed is set for a file that no error names but the failing code needs: the non-test
	// files of a failing Go test's package, the project files a failing test imports.
	Needed bool
	// Why says, for a Needed file, why it is sent ("imported by tests/test_cart.py").
	Why string
	// Size is the number of bytes sent.
	Size int
}

// Skipped is a path the output names that is not sent, and why.
type Skipped struct {
	Path   string // as printed
	Reason string // "outside the working tree", ReasonMissing, "binary file", …
}

// ReasonMissing is the Reason of a Skipped path that names no file at all: nothing by that name
// exists in or under the working tree. Such a name is often not a file (a program that reports
// with its own name, as sh does) or a mistyped one.
const ReasonMissing = "no such file"

// Report is what Locate found: the files to send, best first, and the error text to send with
// them.
type Report struct {
	Files []File
	// Errors is the output with ANSI escapes removed, bounded to MaxErrors bytes: whole when it
	// fits, otherwise the lines around the first errors, the last lines and the first lines, in
	// their original order, with a line that says how much was left out between them.
	Errors string
	// Skipped lists the named paths that are not sent, in rank order.
	Skipped []Skipped
	// Locs are every location Scan found, in rank order.
	Locs []Loc
}

func (o *Options) fill() error {
	if o.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("locate: %w", err)
		}
		o.Dir = wd
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return fmt.Errorf("locate: %w", err)
	}
	o.Dir = dir
	if o.Root == "" {
		o.Root = o.Dir
	}
	if o.Root, err = filepath.Abs(o.Root); err != nil {
		return fmt.Errorf("locate: %w", err)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.WholeLines, DefaultWholeLines)
	def(&o.WholeBytes, DefaultWholeBytes)
	def(&o.Context, DefaultContext)
	def(&o.MaxSpan, DefaultMaxSpan)
	def(&o.MaxFiles, DefaultMaxFiles)
	def(&o.MaxBytes, DefaultMaxBytes)
	def(&o.MaxErrors, DefaultMaxErrors)
	return nil
}

// Locate finds the files and lines that output (a failed command's stdout and stderr, as printed)
// points at, and bounds the error text to send with them.
//
// Every location Scan finds is resolved to a file: an absolute path as it is; a relative one
// against, in turn, the directory make says it entered, pytest's rootdir, the directory of the Go
// package the test output belongs to, opts.Dir and its ancestors up to the root; a bare file name
// that none of those hold, against the one file of that name in the tree. A candidate outside
// opts.Root, or a symbolic link that leads out of it, is never opened. Files that are not regular,
// are binary or larger than 8 MiB are skipped. Files under node_modules, vendor or a Python
// environment, and generated or minified files, are used only when no other file is left.
//
// The files are ranked by their best location, and sent within the bounds of opts: the first
// always; a small one whole, a larger one as one range around its error lines. When a Go test
// fails, the small non-test files of its package follow.
//
// Locate fails only when opts.Dir or opts.Root cannot be made absolute; output that names no
// usable file gives a Report without Files.
func Locate(output string, opts Options) (*Report, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	text := StripANSI(output)
	locs := Scan(text)
	f := newFinder(opts)
	hits := f.resolveAll(locs)
	files, important := f.choose(hits)
	return &Report{
		Files:   files,
		Errors:  Excerpt(text, important, opts.MaxErrors),
		Skipped: f.skipped,
		Locs:    locs,
	}, nil
}

// Why returns one line per file sent, saying why it is sent: the lines the errors point at,
// or what needs it. Paths are relative to dir.
func (r *Report) Why(dir string) string {
	var b strings.Builder
	for _, f := range r.Files {
		p, err := filepath.Rel(dir, f.Path)
		if err != nil {
			p = f.Path
		}
		fmt.Fprintf(&b, "- %s: ", filepath.ToSlash(p))
		switch {
		case f.Needed:
			b.WriteString(f.Why)
		case len(f.Lines) == 0:
			b.WriteString("named by the errors")
		default:
			b.WriteString("the errors point at line")
			if len(f.Lines) > 1 {
				b.WriteString("s")
			}
			for i, l := range f.Lines {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, " %d", l)
			}
		}
		if f.Start > 0 {
			fmt.Fprintf(&b, " (lines %d-%d sent)", f.Start, f.End)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Root returns the working tree that dir belongs to: the nearest directory at or above dir
// that holds a .git entry, or dir itself when none does.
func Root(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// inside reports whether p is root or lies under it, lexically.
func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
