package edit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/spark-cli/spark/internal/lazy"
)

// Defaults for ResolveOptions.
const (
	DefaultMaxSize  = 1 << 20 // bytes per file
	DefaultMaxFiles = 50      // files per glob
)

// rangedMaxSize caps the size of a file named with a line range. Only the range goes into the
// prompt, so the file may be larger than MaxSize, but it is still read whole.
const rangedMaxSize = 64 << 20

// racyWindow is how close to the moment a file was read its mtime must be for an unchanged stat to
// prove nothing: file systems keep mtime at a coarse granularity (a kernel tick, or 2 s on FAT), so
// a same-size write right after the read can leave size and mtime as they were.
const racyWindow = 2 * time.Second

// Target is one file the user named, read once, before any request is sent.
type Target struct {
	// Path is the file as the user named it, cleaned, and relative to the working directory when
	// it is inside it ("./a.go" is "a.go"). Prompts, patches and diffs use it.
	Path string
	// Real is the absolute path with symlinks resolved: the file that gets written.
	Real string
	// Content is the whole file as read. It must not be modified: Changed and Commit compare the
	// file on disk against it, and it is what a failed Commit puts back.
	Content []byte
	// Mode holds the permission bits to keep.
	Mode fs.FileMode
	// Start and End are the 1-based inclusive line range of PATH:START-END; both are 0 for the
	// whole file.
	Start, End int

	named string // absolute path as named, to notice a symlink pointed elsewhere
	snap  snapshot
}

// snapshot is what a file looked like on disk when it was read, to tell later whether it changed.
type snapshot struct {
	dir      *pinnedDir // the directory the file was read through; writes go through it too
	name     string     // the file's name in dir
	dev, ino uint64     // its identity
	size     int64
	mtime    time.Time
	readAt   time.Time
	content  []byte // what was read
}

// ResolveOptions configures Resolve. The zero value is ready to use.
type ResolveOptions struct {
	Dir      string // working directory that relative arguments start from; "" is os.Getwd
	MaxSize  int64  // largest file in bytes; 0 means DefaultMaxSize
	MaxFiles int    // most files one glob may add; 0 means DefaultMaxFiles
	// Skipped, if not nil, is told of each file a glob matched but leaves out because it is a
	// symlink to a file outside the directory the glob walks (path as shown, and why).
	Skipped func(path, reason string)
}

// TargetError is a target argument that cannot be edited, found before any request is sent.
type TargetError struct {
	Path   string // the file or glob pattern as the user named it
	Reason string // what is wrong, for example "no such file" or "binary file"
	Err    error  // the underlying error, if any
}

// Error returns "<path>: <reason>", with a glob pattern in single quotes.
func (e *TargetError) Error() string {
	p := e.Path
	if strings.ContainsAny(p, "*?[{") {
		p = "'" + p + "'"
	}
	return p + ": " + e.Reason
}

// Unwrap returns the underlying error, so errors.Is(err, fs.ErrNotExist) works.
func (e *TargetError) Unwrap() error { return e.Err }

// Resolve turns command-line target arguments into Targets, reading every file, so that all that
// can fail without the model fails before any request.
//
// An argument is, in this order: a path that exists as typed (so a file named "a:1-2" is that
// file); PATH:START-END or PATH:N, a 1-based inclusive line range (N alone is one line); a
// doublestar glob when it contains any of * ? [ {; otherwise a path. Paths outside the working
// directory are allowed, and a symlink named explicitly is followed wherever it leads: the user
// named them.
//
// Globs match relative to opts.Dir, skip hidden files and directories unless the pattern names
// them (as shells do), never look inside .git, do not follow symlinked directories, skip (and
// tell opts.Skipped of) a symlinked file that resolves outside the directory the glob walks, and
// silently skip binary, oversized and non-regular files.
//
// Each Target keeps its directory open: Changed and Commit look at the file, and write it,
// through that handle, so that a directory moved or swapped for a symlink after the read is
// reported as a change and never redirects a write. Their matches are sorted, and a file named
// explicitly elsewhere (or matched by an earlier glob) is not added twice. The result keeps the
// order of the arguments.
//
// Resolve returns the first failure as a *TargetError: a missing file or broken symlink,
// permission denied, a directory or other non-regular file (a named pipe or device is never opened
// for reading), a binary file (a NUL byte or over 30% control characters in the first 8 KiB), a
// file over MaxSize (a file with a line range may be up to 64 MiB, but its range must fit
// MaxSize), a range that starts after it ends or past the end of the file, the same file named
// twice with different ranges, a glob that matches no file, matches only skipped files, or matches
// more than MaxFiles, and a malformed pattern.
func Resolve(args []string, opts ResolveOptions) ([]*Target, error) {
	if len(args) == 0 {
		return nil, errors.New("resolve targets: no files named")
	}
	r, err := newResolver(opts)
	if err != nil {
		return nil, err
	}
	// Explicit paths first, so that a glob skips the files also named on their own (which may
	// carry a line range) wherever they stand among the arguments.
	slots := make([][]*Target, len(args))
	var globs []int
	for i, arg := range args {
		if r.isGlob(arg) {
			globs = append(globs, i)
			continue
		}
		t, err := r.explicit(arg)
		if err != nil {
			return nil, err
		}
		if t != nil {
			slots[i] = []*Target{t}
		}
	}
	for _, i := range globs {
		if slots[i], err = r.glob(args[i]); err != nil {
			return nil, err
		}
	}
	return slices.Concat(slots...), nil
}

type resolver struct {
	dir      string
	maxSize  int64
	maxFiles int
	skipped  func(path, reason string)
	byReal   map[string]*Target
	dirs     map[string]*pinnedDir // by path: one handle per directory
}

func newResolver(opts ResolveOptions) (*resolver, error) {
	r := &resolver{dir: opts.Dir, maxSize: opts.MaxSize, maxFiles: opts.MaxFiles, skipped: opts.Skipped,
		byReal: map[string]*Target{}, dirs: map[string]*pinnedDir{}}
	if r.dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("resolve targets: %w", err)
		}
		r.dir = wd
	}
	dir, err := filepath.Abs(r.dir)
	if err != nil {
		return nil, fmt.Errorf("resolve targets: %w", err)
	}
	r.dir = dir
	if r.maxSize <= 0 {
		r.maxSize = DefaultMaxSize
	}
	if r.maxFiles <= 0 {
		r.maxFiles = DefaultMaxFiles
	}
	return r, nil
}

func (r *resolver) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(r.dir, p)
}

// display returns the Path for a file named p: relative to the working directory when inside it,
// else p cleaned.
func (r *resolver) display(p string) string {
	rel, err := filepath.Rel(r.dir, r.abs(p))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.Clean(p)
	}
	return rel
}

func (r *resolver) exists(p string) bool {
	_, err := os.Lstat(r.abs(p))
	return err == nil
}

// rangeSuffix matches PATH:START[-END]. It is compiled on first use, not at package
// initialisation, which every spark command (--version included) pays.
var rangeSuffix = &lazy.Regexp{Expr: `^(.+):([0-9]+)(?:-([0-9]+))?$`}

func (r *resolver) isGlob(arg string) bool {
	return strings.ContainsAny(arg, "*?[{") && !rangeSuffix.Get().MatchString(arg) && !r.exists(arg)
}

// explicit resolves one argument that is not a glob. It returns nil for a repeat of an earlier
// argument.
func (r *resolver) explicit(arg string) (*Target, error) {
	p, start, end := arg, 0, 0
	if m := rangeSuffix.Get().FindStringSubmatch(arg); m != nil && !r.exists(arg) {
		p = m[1]
		bad := func(reason string) error { return &TargetError{Path: r.display(p), Reason: reason} }
		var err1, err2 error
		start, err1 = strconv.Atoi(m[2])
		end, err2 = start, nil
		if m[3] != "" {
			end, err2 = strconv.Atoi(m[3])
		}
		switch {
		case err1 != nil || err2 != nil:
			return nil, bad(fmt.Sprintf("bad line range %s", arg[len(p)+1:]))
		case start < 1:
			return nil, bad("line numbers start at 1")
		case start > end:
			return nil, bad(fmt.Sprintf("line range %d-%d starts after it ends", start, end))
		case strings.ContainsAny(p, "*?[{") && !r.exists(p):
			return nil, &TargetError{Path: p, Reason: "a line range needs one file, not a pattern"}
		}
	}
	t, err := r.load(p, false, start, end)
	if err != nil || t == nil {
		return nil, err
	}
	if prev := r.byReal[t.Real]; prev != nil {
		if prev.Start == t.Start && prev.End == t.End {
			return nil, nil
		}
		return nil, &TargetError{Path: t.Path, Reason: "named twice with different line ranges (give one range per file)"}
	}
	r.byReal[t.Real] = t
	return t, nil
}

// glob expands one pattern into the files it adds.
func (r *resolver) glob(pattern string) ([]*Target, error) {
	fail := func(reason string, err error) error { return &TargetError{Path: pattern, Reason: reason, Err: err} }
	base, rest := doublestar.SplitPattern(filepath.ToSlash(filepath.Clean(pattern)))
	root := r.abs(filepath.FromSlash(base))
	var matches []string
	if isGitPath(base) {
		return nil, fail("no files match", nil)
	}
	err := doublestar.GlobWalk(gitless{os.DirFS(root)}, rest, func(p string, _ fs.DirEntry) error {
		matches = append(matches, filepath.FromSlash(path.Join(base, p)))
		return nil
	}, doublestar.WithFilesOnly(), doublestar.WithNoFollow(), doublestar.WithNoHidden())
	if err != nil {
		if errors.Is(err, doublestar.ErrBadPattern) {
			return nil, fail("bad pattern", err)
		}
		return nil, fail(err.Error(), err)
	}
	if len(matches) == 0 {
		return nil, fail("no files match", nil)
	}
	slices.Sort(matches)
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fail(statReason(root, err), err)
	}
	var out []*Target
	skipped := 0
	for _, m := range matches {
		t, err := r.load(m, true, 0, 0)
		if err != nil {
			return nil, err
		}
		if t != nil && !within(realRoot, t.Real) {
			if r.skipped != nil {
				where := r.display(root)
				if root == r.dir {
					where = "the working directory"
				}
				r.skipped(t.Path, "a symlink to "+t.Real+", outside "+where)
			}
			t = nil
		}
		if t == nil {
			skipped++
			continue
		}
		if prev := r.byReal[t.Real]; prev != nil {
			// A symlink and its target both matched: keep the target's own name.
			if i := slices.Index(out, prev); i >= 0 && prev.named != prev.Real && t.named == t.Real {
				out[i], r.byReal[t.Real] = t, t
			}
			continue
		}
		if len(out) == r.maxFiles {
			return nil, fail(fmt.Sprintf("more than %d files match (narrow the pattern)", r.maxFiles), nil)
		}
		r.byReal[t.Real] = t
		out = append(out, t)
	}
	if skipped == len(matches) {
		return nil, fail(fmt.Sprintf("no text files match (%d skipped: binary, too large or not regular)", skipped), nil)
	}
	return out, nil
}

// within reports whether the clean absolute path p is root or inside it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// pin returns the handle of the directory at the symlink-free path p, opening it once.
func (r *resolver) pin(p string) (*pinnedDir, error) {
	if d := r.dirs[p]; d != nil {
		return d, nil
	}
	d, err := pinDir(p)
	if err != nil {
		return nil, err
	}
	r.dirs[p] = d
	return d, nil
}

// gitless hides .git directories from a glob, so that ** never walks a repository's objects.
type gitless struct{ fsys fs.FS }

func isGitPath(name string) bool {
	return slices.Contains(strings.Split(name, "/"), ".git")
}

func (g gitless) Open(name string) (fs.File, error) {
	if isGitPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return g.fsys.Open(name)
}

func (g gitless) Stat(name string) (fs.FileInfo, error) {
	if isGitPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return fs.Stat(g.fsys, name)
}

func (g gitless) ReadDir(name string) ([]fs.DirEntry, error) {
	if isGitPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := fs.ReadDir(g.fsys, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == ".git" }), err
}

// load reads the file p into a Target. A file a glob should skip (binary, oversized, not regular)
// gives nil, nil when fromGlob; any other failure is a *TargetError.
func (r *resolver) load(p string, fromGlob bool, start, end int) (*Target, error) {
	abs, shown := r.abs(p), r.display(p)
	fail := func(reason string, err error) error { return &TargetError{Path: shown, Reason: reason, Err: err} }
	skip := func(reason string, err error) (*Target, error) {
		if fromGlob {
			return nil, nil
		}
		return nil, fail(reason, err)
	}
	limit := r.maxSize
	if start > 0 {
		limit = max(limit, rangedMaxSize)
	}
	tooBig := func(size int64) string {
		if start > 0 {
			return fmt.Sprintf("%s is over the %s limit for a file with a line range", formatSize(size), formatSize(limit))
		}
		return fmt.Sprintf("%s is over the %s limit (narrow it with %s:START-END)", formatSize(size), formatSize(limit), shown)
	}
	notRegular := func(fi fs.FileInfo) (*Target, error) {
		if fi.IsDir() {
			return skip(fmt.Sprintf("is a directory (name its files, or a glob like '%s')", filepath.Join(shown, "**")), nil)
		}
		return skip("not a regular file", nil)
	}

	// Stat before opening: opening a named pipe for reading would block until a writer comes.
	fi, err := os.Stat(abs)
	if err != nil {
		if fromGlob && errors.Is(err, fs.ErrNotExist) { // a broken symlink, or gone since the walk
			return nil, nil
		}
		return nil, fail(statReason(abs, err), err)
	}
	if !fi.Mode().IsRegular() {
		return notRegular(fi)
	}
	if fi.Size() > limit {
		return skip(tooBig(fi.Size()), nil)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fail(statReason(abs, err), err)
	}
	dir, err := r.pin(filepath.Dir(real))
	if errors.Is(err, errDirMoved) {
		return nil, fail("its directory was moved or replaced while being read", err)
	}
	if err != nil {
		return nil, fail(statReason(filepath.Dir(real), err), err)
	}
	readAt := time.Now()
	// O_NONBLOCK in case the file was swapped for a pipe since the stat; Fstat then tells.
	// O_NOFOLLOW (in open) in case it was swapped for a symlink.
	f, err := dir.open(filepath.Base(real), syscall.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fail("replaced by a symlink while being read", err)
	}
	if err != nil {
		return nil, fail(statReason(real, err), err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fail(statReason(real, err), err)
	}
	if !fi.Mode().IsRegular() {
		return notRegular(fi)
	}
	content, binary, err := readText(f, fi.Size(), limit)
	switch {
	case errors.Is(err, errTooBig):
		return skip(tooBig(int64(len(content))), nil)
	case err != nil:
		return nil, fail(statReason(real, err), err)
	case binary != "":
		return skip(binary, nil)
	}
	t := &Target{
		Path:    shown,
		Real:    real,
		Content: content,
		Mode:    fi.Mode().Perm(),
		Start:   start,
		End:     end,
		named:   abs,
		snap:    *newSnapshot(dir, filepath.Base(real), fi, readAt, content),
	}
	if start > 0 {
		if n := countLines(content); end > n {
			return nil, fail(fmt.Sprintf("line range %d-%d is past the end (the file has %d %s)", start, end, n, plural(n, "line")), nil)
		}
		if _, region, _ := t.Region(); int64(len(region)) > r.maxSize {
			return nil, fail(fmt.Sprintf("lines %d-%d are %s, over the %s limit (narrow the range)", start, end, formatSize(int64(len(region))), formatSize(r.maxSize)), nil)
		}
	}
	return t, nil
}

var errTooBig = errors.New("file too large")

// readText reads f whole, up to limit bytes, and checks its first 8 KiB for binary content before
// reading on. size is the size from stat, to allocate once.
func readText(f *os.File, size, limit int64) (content []byte, binary string, err error) {
	buf := make([]byte, 0, min(size, limit)+1) // +1 to hit EOF without growing
	sniffed := false
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 64<<10)
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if !sniffed && (len(buf) >= sniffLen || err == io.EOF) {
			sniffed = true
			if reason := binaryReason(buf); reason != "" {
				return nil, reason, nil
			}
		}
		if int64(len(buf)) > limit {
			return buf, "", errTooBig
		}
		if err == io.EOF {
			return buf, "", nil
		}
		if err != nil {
			return nil, "", err
		}
	}
}

// statReason words a failure to stat or open a file.
func statReason(p string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return "broken symlink"
		}
		return "no such file"
	case errors.Is(err, syscall.ENOTDIR):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// formatSize returns n bytes for people: "512 bytes", "3.2 KiB", "1 MiB".
func formatSize(n int64) string {
	var s string
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d %s", n, plural(int(n), "byte"))
	case n < 1<<20:
		s = fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		s = fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return strings.Replace(s, ".0 ", " ", 1)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// countLines returns the number of lines in b; a last line without a newline counts.
func countLines(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// lineOffset returns the offset in b where line n (1-based) starts, or len(b) past the end.
func lineOffset(b []byte, n int) int {
	off := 0
	for ; n > 1; n-- {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			return len(b)
		}
		off += i + 1
	}
	return off
}

// Region splits Content into the text before the line range, the range, and the text after it;
// for the whole file, before and after are empty. Line endings stay attached to their lines. The
// three slices share Content's memory and cannot be appended to in place.
func (t *Target) Region() (before, region, after []byte) {
	c := t.Content
	if t.Start <= 0 {
		return c[:0:0], c[:len(c):len(c)], c[len(c):]
	}
	from := lineOffset(c, t.Start)
	to := from + lineOffset(c[from:], t.End-t.Start+2)
	return c[:from:from], c[from:to:to], c[to:]
}

// Splice returns the whole new file with newRegion in place of the line range (or of the whole
// file). When text follows the range and newRegion does not end in a newline, the range's own
// line ending (LF or CRLF) is added, so the last new line cannot merge with the next old one.
func (t *Target) Splice(newRegion []byte) []byte {
	before, region, after := t.Region()
	out := make([]byte, 0, len(before)+len(newRegion)+len(after)+2)
	out = append(out, before...)
	out = append(out, newRegion...)
	if len(after) > 0 && len(newRegion) > 0 && newRegion[len(newRegion)-1] != '\n' {
		if bytes.HasSuffix(region, []byte("\r\n")) {
			out = append(out, '\r')
		}
		out = append(out, '\n')
	}
	return append(out, after...)
}

// Changed reports whether the file on disk is no longer the one that was read: its content
// differs, it was removed or replaced by something that is not a regular file, its directory was
// moved or replaced, or the symlink the user named now points elsewhere. A same-size file whose
// identity and mtime match is taken as unchanged unless that mtime is too close to the read to
// prove anything; then the content is compared. It returns an error when the file cannot be
// examined, or when t was not made by Resolve.
func (t *Target) Changed() (bool, error) {
	if t.snap.dir == nil {
		return false, fmt.Errorf("check %s: not read from disk", t.Path)
	}
	if t.named != t.Real {
		real, err := filepath.EvalSymlinks(t.named)
		if errors.Is(err, fs.ErrNotExist) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("check %s: %w", t.Path, err)
		}
		if real != t.Real {
			return true, nil
		}
	}
	changed, err := t.snap.changed()
	if err != nil {
		return false, fmt.Errorf("check %s: %w", t.Path, err)
	}
	return changed, nil
}

var errNotRegular = errors.New("not a regular file")
