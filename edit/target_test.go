package edit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeTree creates files (path -> content) under root; a content of "->target" makes a symlink.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// describe renders targets as "path" or "path:start-end", for comparison and messages.
func describe(ts []*Target) []string {
	out := []string{}
	for _, t := range ts {
		if t.Start > 0 {
			out = append(out, fmt.Sprintf("%s:%d-%d", t.Path, t.Start, t.End))
		} else {
			out = append(out, t.Path)
		}
	}
	return out
}

// resolveWithin runs Resolve but fails the test instead of hanging (a named pipe opened for reading
// would block).
func resolveWithin(t *testing.T, args []string, opts ResolveOptions) ([]*Target, error) {
	t.Helper()
	type result struct {
		ts  []*Target
		err error
	}
	done := make(chan result, 1)
	go func() {
		ts, err := Resolve(args, opts)
		done <- result{ts, err}
	}()
	select {
	case r := <-done:
		return r.ts, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("Resolve(%q) did not return within 10s", args)
		return nil, nil
	}
}

var threeLines = "one\ntwo\nthree\n"

// tree is the layout most Resolve cases run in; the working directory is "work".
var tree = map[string]string{
	"out.go":                "package out\n",
	"work/a.go":             threeLines,
	"work/b:1-2":            "a file with a colon\n",
	"work/src/b.go":         "package src\n",
	"work/src/sub/c.go":     "package sub\n",
	"work/src/.git/e.go":    "package git\n",
	"work/.git/hooks/d.go":  "package hooks\n",
	"work/.hidden/f.go":     "package hidden\n",
	"work/img/bin.go":       "GIF89a\x00\x01\x02",
	"work/img/u16.txt":      "\xff\xfea\x00b\x00",
	"work/big/big.go":       strings.Repeat("// a comment line\n", 10), // 180 bytes
	"work/link.go":          "->src/b.go",
	"work/dangling.go":      "->nowhere.go",
	"work/pipes/ok.txt":     "text\n",
	"work/pipes/sub/ok.txt": "text\n",
	"work/control.txt":      strings.Repeat("\x01\x02\x03a", 100),
	"work/ansi.log":         strings.Repeat("\x1b[31mred\x1b[0m\r\n", 50),
}

func TestResolve(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, tree)
	dir := filepath.Join(root, "work")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipes", "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.go"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		args    []string
		opts    ResolveOptions
		want    []string
		wantErr string
	}{
		{name: "plain", args: []string{"a.go"}, want: []string{"a.go"}},
		{name: "dot slash", args: []string{"./a.go"}, want: []string{"a.go"}},
		{name: "not clean", args: []string{"src/../a.go"}, want: []string{"a.go"}},
		{name: "absolute inside", args: []string{filepath.Join(dir, "src", "b.go")}, want: []string{"src/b.go"}},
		{name: "outside", args: []string{"../out.go"}, want: []string{"../out.go"}},
		{name: "outside absolute", args: []string{filepath.Join(root, "out.go")}, want: []string{filepath.Join(root, "out.go")}},
		{name: "range", args: []string{"a.go:2-3"}, want: []string{"a.go:2-3"}},
		{name: "range whole file", args: []string{"./a.go:1-3"}, want: []string{"a.go:1-3"}},
		{name: "single line", args: []string{"a.go:2"}, want: []string{"a.go:2-2"}},
		{name: "backwards range", args: []string{"a.go:3-2"}, wantErr: "a.go: line range 3-2 starts after it ends"},
		{name: "range past the end", args: []string{"a.go:2-9"}, wantErr: "a.go: line range 2-9 is past the end (the file has 3 lines)"},
		{name: "line zero", args: []string{"a.go:0-1"}, wantErr: "a.go: line numbers start at 1"},
		{name: "huge line number", args: []string{"a.go:1-99999999999999999999"}, wantErr: "a.go: bad line range 1-99999999999999999999"},
		{name: "literal colon", args: []string{"b:1-2"}, want: []string{"b:1-2"}},
		{name: "range of a missing file", args: []string{"nope.go:1-2"}, wantErr: "nope.go: no such file"},
		{name: "range of a pattern", args: []string{"*.go:1-2"}, wantErr: "'*.go': a line range needs one file, not a pattern"},
		{name: "glob", args: []string{"**/*.go"}, opts: ResolveOptions{MaxSize: 100},
			want: []string{"a.go", "src/b.go", "src/sub/c.go"}}, // link.go is src/b.go
		{name: "glob matching a symlink", args: []string{"l*.go"}, want: []string{"link.go"}},
		{name: "glob in a subdirectory", args: []string{"src/**"}, want: []string{"src/b.go", "src/sub/c.go"}},
		{name: "glob naming a hidden directory", args: []string{".hidden/*"}, want: []string{".hidden/f.go"}},
		{name: "glob never enters .git", args: []string{".git/**"}, wantErr: "'.git/**': no files match"},
		{name: "glob never enters .git below", args: []string{"**/.git/*"}, wantErr: "'**/.git/*': no files match"},
		{name: "explicit file in .git", args: []string{".git/hooks/d.go"}, want: []string{".git/hooks/d.go"}},
		{name: "glob skips .git inside", args: []string{"src/{.git,sub}/*.go"}, want: []string{"src/sub/c.go"}},
		{name: "glob with dot slash", args: []string{"./src/*.go"}, want: []string{"src/b.go"}},
		{name: "glob outside", args: []string{"../*.go"}, want: []string{"../out.go"}},
		{name: "glob dedup with explicit", args: []string{"src/**/*.go", "src/b.go:1"}, want: []string{"src/sub/c.go", "src/b.go:1-1"}},
		{name: "glob dedup with glob", args: []string{"src/*.go", "src/**/*.go"}, want: []string{"src/b.go", "src/sub/c.go"}},
		{name: "symlink and its target", args: []string{"link.go", "src/b.go"}, want: []string{"link.go"}},
		{name: "same file twice", args: []string{"a.go", "./a.go"}, want: []string{"a.go"}},
		{name: "same file two ranges", args: []string{"a.go:1", "a.go:2"}, wantErr: "a.go: named twice with different line ranges (give one range per file)"},
		{name: "glob matching nothing", args: []string{"cmd/**/*.rs"}, wantErr: "'cmd/**/*.rs': no files match"},
		{name: "glob matching only binaries", args: []string{"img/*"}, wantErr: "'img/*': no text files match (2 skipped: binary, too large or not regular)"},
		{name: "glob over the file limit", args: []string{"**/*.go"}, opts: ResolveOptions{MaxFiles: 3},
			wantErr: "'**/*.go': more than 3 files match (narrow the pattern)"},
		{name: "glob at the file limit", args: []string{"src/**/*.go"}, opts: ResolveOptions{MaxFiles: 2}, want: []string{"src/b.go", "src/sub/c.go"}},
		{name: "glob skips a fifo", args: []string{"pipes/**"}, want: []string{"pipes/ok.txt", "pipes/sub/ok.txt"}},
		{name: "bad pattern", args: []string{"a[.go"}, wantErr: "'a[.go': bad pattern"},
		{name: "missing", args: []string{"main.go"}, wantErr: "main.go: no such file"},
		{name: "missing directory", args: []string{"a.go/x.go"}, wantErr: "a.go/x.go: no such file"},
		{name: "broken symlink", args: []string{"dangling.go"}, wantErr: "dangling.go: broken symlink"},
		{name: "directory", args: []string{"src"}, wantErr: "src: is a directory (name its files, or a glob like 'src/**')"},
		{name: "fifo", args: []string{"fifo.go"}, wantErr: "fifo.go: not a regular file"},
		{name: "device", args: []string{"/dev/null"}, wantErr: "/dev/null: not a regular file"},
		{name: "binary", args: []string{"img/bin.go"}, wantErr: "img/bin.go: binary file"},
		{name: "utf-16", args: []string{"img/u16.txt"}, wantErr: "img/u16.txt: binary file (UTF-16 text is not supported)"},
		{name: "control characters", args: []string{"control.txt"}, wantErr: "control.txt: binary file"},
		{name: "ansi colours are text", args: []string{"ansi.log"}, want: []string{"ansi.log"}},
		{name: "oversized", args: []string{"big/big.go"}, opts: ResolveOptions{MaxSize: 100},
			wantErr: "big/big.go: 180 bytes is over the 100 bytes limit (narrow it with big/big.go:START-END)"},
		{name: "oversized with a range", args: []string{"big/big.go:2-3"}, opts: ResolveOptions{MaxSize: 100}, want: []string{"big/big.go:2-3"}},
		{name: "range over the size limit", args: []string{"big/big.go:1-6"}, opts: ResolveOptions{MaxSize: 100},
			wantErr: "big/big.go: lines 1-6 are 108 bytes, over the 100 bytes limit (narrow the range)"},
		{name: "first failure wins", args: []string{"a.go", "nope.go", "img/bin.go"}, wantErr: "nope.go: no such file"},
		{name: "no arguments", args: nil, wantErr: "resolve targets: no files named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Dir = dir
			ts, err := resolveWithin(t, tt.args, opts)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Resolve(%q) = %q, %v, want error %q", tt.args, describe(ts), err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(describe(ts), tt.want) {
				t.Fatalf("Resolve(%q) = %q, %v, want %q", tt.args, describe(ts), err, tt.want)
			}
		})
	}
}

func TestResolveTargetError(t *testing.T) {
	dir := t.TempDir()
	_, err := Resolve([]string{"missing.go"}, ResolveOptions{Dir: dir})
	var te *TargetError
	if !errors.As(err, &te) || te.Path != "missing.go" || te.Reason != "no such file" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Resolve(%q) = %#v, want a *TargetError wrapping fs.ErrNotExist", "missing.go", err)
	}
}

func TestResolveFields(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, tree)
	dir := filepath.Join(root, "work")
	if err := os.Chmod(filepath.Join(dir, "src", "b.go"), 0o755); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(filepath.Join(dir, "src", "b.go"))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := Resolve([]string{"link.go"}, ResolveOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := ts[0]
	if got.Path != "link.go" || got.Real != real || string(got.Content) != "package src\n" || got.Mode != 0o755 {
		t.Errorf("Resolve(link.go) = {Path %q Real %q Content %q Mode %v}, want {link.go %q %q %v}",
			got.Path, got.Real, got.Content, got.Mode, real, "package src\n", fs.FileMode(0o755))
	}
}

func TestResolveDefaultDir(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "x\n"})
	t.Chdir(dir)
	ts, err := Resolve([]string{"a.go"}, ResolveOptions{})
	if err != nil || len(ts) != 1 || ts[0].Path != "a.go" {
		t.Fatalf("Resolve(a.go) in the working directory = %q, %v, want [a.go]", describe(ts), err)
	}
}

func TestResolvePermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode, so permission denied cannot happen")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"secret.go": "x\n", "locked/a.go": "x\n"})
	if err := os.Chmod(filepath.Join(dir, "secret.go"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	for _, tt := range []struct{ arg, want string }{
		{"secret.go", "secret.go: permission denied"},
		{"locked/a.go", "locked/a.go: permission denied"},
	} {
		_, err := Resolve([]string{tt.arg}, ResolveOptions{Dir: dir})
		if err == nil || err.Error() != tt.want {
			t.Errorf("Resolve(%q) = %v, want %v", tt.arg, err, tt.want)
		}
	}
}

func TestResolveLargeFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"big.sql": strings.Repeat("x", 3355444)})
	_, err := Resolve([]string{"big.sql"}, ResolveOptions{Dir: dir})
	want := "big.sql: 3.2 MiB is over the 1 MiB limit (narrow it with big.sql:START-END)"
	if err == nil || err.Error() != want {
		t.Fatalf("Resolve(%q) = %v, want %v", "big.sql", err, want)
	}
}

func TestFormatSize(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"}, {1, "1 byte"}, {1023, "1023 bytes"}, {1024, "1 KiB"}, {1536, "1.5 KiB"},
		{1 << 20, "1 MiB"}, {3355444, "3.2 MiB"}, {64 << 20, "64 MiB"},
	} {
		if got := formatSize(tt.n); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestRegionSplice(t *testing.T) {
	tests := []struct {
		name                  string
		content               string
		start, end            int
		before, region, after string
		newRegion, spliced    string
	}{
		{name: "whole file", content: "a\nb\n", region: "a\nb\n", newRegion: "x\n", spliced: "x\n"},
		{name: "empty file", content: "", region: "", newRegion: "x", spliced: "x"},
		{name: "middle", content: "a\nb\nc\n", start: 2, end: 2, before: "a\n", region: "b\n", after: "c\n",
			newRegion: "B\nB2\n", spliced: "a\nB\nB2\nc\n"},
		{name: "first lines", content: "a\nb\nc\n", start: 1, end: 2, region: "a\nb\n", after: "c\n",
			newRegion: "", spliced: "c\n"},
		{name: "crlf", content: "a\r\nb\r\nc\r\n", start: 2, end: 3, before: "a\r\n", region: "b\r\nc\r\n",
			newRegion: "B\r\n", spliced: "a\r\nB\r\n"},
		{name: "no final newline", content: "a\nb\nc", start: 3, end: 3, before: "a\nb\n", region: "c",
			newRegion: "C", spliced: "a\nb\nC"},
		{name: "no final newline, range before it", content: "a\nb\nc", start: 1, end: 2, region: "a\nb\n", after: "c",
			newRegion: "A\n", spliced: "A\nc"},
		{name: "new region missing its newline", content: "a\nb\nc\n", start: 2, end: 2, before: "a\n", region: "b\n", after: "c\n",
			newRegion: "B", spliced: "a\nB\nc\n"},
		{name: "crlf region missing its newline", content: "a\r\nb\r\nc\r\n", start: 1, end: 1, region: "a\r\n", after: "b\r\nc\r\n",
			newRegion: "A", spliced: "A\r\nb\r\nc\r\n"},
		{name: "bom", content: "\ufeffa\nb\n", start: 1, end: 1, region: "\ufeffa\n", after: "b\n",
			newRegion: "\ufeffA\n", spliced: "\ufeffA\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := &Target{Path: "f", Content: []byte(tt.content), Start: tt.start, End: tt.end}
			before, region, after := tg.Region()
			if string(before) != tt.before || string(region) != tt.region || string(after) != tt.after {
				t.Errorf("Region(%q, %d-%d) = %q, %q, %q, want %q, %q, %q", tt.content, tt.start, tt.end,
					before, region, after, tt.before, tt.region, tt.after)
			}
			if got := tg.Splice(region); string(got) != tt.content {
				t.Errorf("Splice(%q) of %q = %q, want the file unchanged", region, tt.content, got)
			}
			if got := tg.Splice([]byte(tt.newRegion)); string(got) != tt.spliced {
				t.Errorf("Splice(%q) of %q = %q, want %q", tt.newRegion, tt.content, got, tt.spliced)
			}
			if string(tg.Content) != tt.content {
				t.Errorf("Splice changed Content to %q", tg.Content)
			}
		})
	}
}

func TestChanged(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		want   bool
	}{
		{name: "untouched", change: func(*testing.T, string) {}, want: false},
		{name: "same size at once", change: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a.go"), "ONE\ntwo\n")
		}, want: true},
		{name: "appended", change: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a.go"), "one\ntwo\nthree\n")
		}, want: true},
		{name: "removed", change: func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "a.go")))
		}, want: true},
		{name: "replaced by a directory", change: func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "a.go")))
			must(t, os.Mkdir(filepath.Join(dir, "a.go"), 0o755))
		}, want: true},
		{name: "same content saved by rename", change: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "tmp"), "one\ntwo\n")
			must(t, os.Rename(filepath.Join(dir, "tmp"), filepath.Join(dir, "a.go")))
		}, want: false},
		{name: "touched", change: func(t *testing.T, dir string) {
			now := time.Now().Add(time.Hour)
			must(t, os.Chtimes(filepath.Join(dir, "a.go"), now, now))
		}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"a.go": "one\ntwo\n"})
			ts, err := Resolve([]string{"a.go"}, ResolveOptions{Dir: dir})
			must(t, err)
			tt.change(t, dir)
			if got, err := ts[0].Changed(); got != tt.want || err != nil {
				t.Errorf("Changed() after %s = %v, %v, want %v", tt.name, got, err, tt.want)
			}
		})
	}
}

func TestChangedOldFile(t *testing.T) {
	// An mtime well before the read proves the file unchanged without hashing; any write moves it.
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "one\n"})
	p := filepath.Join(dir, "a.go")
	old := time.Now().Add(-time.Hour)
	must(t, os.Chtimes(p, old, old))
	ts, err := Resolve([]string{"a.go"}, ResolveOptions{Dir: dir})
	must(t, err)
	if got, err := ts[0].Changed(); got || err != nil {
		t.Errorf("Changed() of an old untouched file = %v, %v, want false", got, err)
	}
	writeFile(t, p, "ONE\n")
	if got, err := ts[0].Changed(); !got || err != nil {
		t.Errorf("Changed() of an old file rewritten = %v, %v, want true", got, err)
	}
}

func TestChangedSymlinkRepointed(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.go": "x\n", "b.go": "x\n", "link.go": "->a.go"})
	ts, err := Resolve([]string{"link.go"}, ResolveOptions{Dir: dir})
	must(t, err)
	must(t, os.Remove(filepath.Join(dir, "link.go")))
	must(t, os.Symlink("b.go", filepath.Join(dir, "link.go")))
	if got, err := ts[0].Changed(); !got || err != nil {
		t.Errorf("Changed() after the link moved = %v, %v, want true", got, err)
	}
}

func TestChangedNotResolved(t *testing.T) {
	tg := &Target{Path: "-", Content: []byte("x")}
	if _, err := tg.Changed(); err == nil {
		t.Errorf("Changed() of a Target not made by Resolve = nil error, want one")
	}
}

func TestBinaryReason(t *testing.T) {
	for _, tt := range []struct {
		head, want string
	}{
		{"", ""},
		{"package main\n", ""},
		{"héllo wörld ✓\n", ""},
		{"\xef\xbb\xbfbom\r\n", ""},
		{"a\tb\fc\bd\x1b[0m\n", ""},
		{"a\x00b", "binary file"},
		{"\xff\xfea\x00", "binary file (UTF-16 text is not supported)"},
		{strings.Repeat("\x01a", 10), "binary file"},
		{strings.Repeat("\x01aaa", 10), ""},
		{strings.Repeat("a", sniffLen) + "\x00", ""},
	} {
		if got := binaryReason([]byte(tt.head)); got != tt.want {
			t.Errorf("binaryReason(%.40q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestResolveGlobSkipsSymlinkOutside: a glob leaves out a symlinked file that resolves outside
// the directory it walks, and says so; a symlink inside it, and one named explicitly, are kept.
func TestResolveGlobSkipsSymlinkOutside(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"outside/secret.txt": "secret\n",
		"tree/a.txt":         "a\n",
		"tree/in.txt":        "->a.txt",
		"tree/out.txt":       "->../outside/secret.txt",
	})
	dir := filepath.Join(root, "tree")
	var skipped []string
	opts := ResolveOptions{Dir: dir, Skipped: func(p, reason string) { skipped = append(skipped, p+": "+reason) }}
	ts, err := Resolve([]string{"*.txt"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(ts); !slices.Equal(got, []string{"a.txt"}) {
		t.Errorf("Resolve(*.txt) = %q, want [a.txt] (in.txt is a.txt again, out.txt leaves the tree)", got)
	}
	want := "out.txt: a symlink to " + filepath.Join(root, "outside", "secret.txt") + ", outside the working directory"
	if len(skipped) != 1 || skipped[0] != want {
		t.Errorf("Skipped told %q, want %q", skipped, want)
	}
	ts, err = Resolve([]string{"out.txt"}, opts)
	if err != nil || len(ts) != 1 || ts[0].Real != filepath.Join(root, "outside", "secret.txt") {
		t.Errorf("Resolve(out.txt) named explicitly = %v, %v, want the link's target", ts, err)
	}
	if _, err := Resolve([]string{"o*.txt"}, opts); err == nil || !strings.Contains(err.Error(), "no text files match (1 skipped") {
		t.Errorf("Resolve(o*.txt) = %v, want no files, one skipped", err)
	}
}

// TestCommitDirectorySwapped: a directory moved away and replaced by a symlink to another after
// the read is a conflict; swapped during the commit, after the last check, it still cannot
// redirect the write: the file that was read is the one written.
func TestCommitDirectorySwapped(t *testing.T) {
	swap := func(t *testing.T, root string) {
		must(t, os.Rename(filepath.Join(root, "sub"), filepath.Join(root, "sub.old")))
		must(t, os.Symlink("other", filepath.Join(root, "sub")))
	}
	t.Run("before the commit", func(t *testing.T) {
		root := t.TempDir()
		writeTree(t, root, map[string]string{"sub/f.txt": "mine\n", "other/f.txt": "other\n"})
		ts := resolveAll(t, root, "sub/f.txt")
		swap(t, root)
		err := Commit([]Change{{ts[0], []byte("edited\n")}}, t.TempDir())
		var conflict *ConflictError
		if !errors.As(err, &conflict) {
			t.Errorf("Commit() after sub was swapped = %v, want a *ConflictError", err)
		}
		for name, want := range map[string]string{"sub.old/f.txt": "mine\n", "other/f.txt": "other\n"} {
			if got := readFile(t, filepath.Join(root, name)); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
	})
	t.Run("during the commit", func(t *testing.T) {
		root := t.TempDir()
		writeTree(t, root, map[string]string{"sub/f.txt": "mine\n", "other/f.txt": "other\n"})
		ts := resolveAll(t, root, "sub/f.txt")
		renameIn = func(d *pinnedDir, from, to string) error {
			swap(t, root)
			return renameAt(d, from, to)
		}
		t.Cleanup(func() { renameIn = renameAt })
		must(t, Commit([]Change{{ts[0], []byte("edited\n")}}, t.TempDir()))
		for name, want := range map[string]string{"sub.old/f.txt": "edited\n", "other/f.txt": "other\n"} {
			if got := readFile(t, filepath.Join(root, name)); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		noTemps(t, filepath.Join(root, "other"), filepath.Join(root, "sub.old"))
	})
}
