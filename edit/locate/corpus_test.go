package locate

import (
	"github.com/spark-cli/spark/internal/testenv"

	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// The corpus: testdata/corpus/*.txtar, one case per file. The comment holds lines "key: value":
//
//	run:      the shell command that fails (run in the project, or in its dir: subdirectory)
//	dir:      the subdirectory the command runs in, where relative paths start; default the root
//	env:      extra environment, NAME=value separated by blanks
//	version:  the command that prints the tool's version
//	recorded: what version printed when the output was recorded
//	rows:     the pattern table rows this output must exercise
//	fix:      the files a correct fix changes; each must be among the files sent
//	needs:    programs the run uses besides the first word of run: (sh, and the first word of
//	          each version: command, are looked up too)
//
// The archive holds the project's files, "output" (what run printed, recorded once with the
// project directory written as $ROOT) and "want": the files Locate must send, best first, one
// per line as PATH [LINE...], with "needed" last for a file no error names.
//
// TestCorpusRecorded checks every recorded output; TestCorpusLive runs the real tool where it
// is installed and checks its output against the same want. `go test -run TestCorpusLive
// -record` rewrites the recorded outputs from the live tools.
var record = flag.Bool("record", false, "rewrite the corpus outputs from the live tools")

type corpusCase struct {
	name    string
	path    string
	ar      *txtar.Archive
	meta    map[string]string
	output  string
	want    []string
	project []txtar.File
}

func loadCorpus(t *testing.T) []*corpusCase {
	t.Helper()
	paths, err := filepath.Glob("testdata/corpus/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var cases []*corpusCase
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c := &corpusCase{name: strings.TrimSuffix(filepath.Base(p), ".txtar"), path: p, ar: ar, meta: map[string]string{}}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(k, "#") {
				c.meta[k] = strings.TrimSpace(v)
			}
		}
		for _, f := range ar.Files {
			switch f.Name {
			case "output":
				c.output = string(f.Data)
			case "want":
				for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
					if l = strings.TrimSpace(l); l != "" {
						c.want = append(c.want, l)
					}
				}
			default:
				c.project = append(c.project, f)
			}
		}
		if c.meta["run"] == "" || c.meta["recorded"] == "" || c.meta["rows"] == "" || c.meta["fix"] == "" {
			t.Fatalf("%s: the comment needs run:, recorded:, rows: and fix:", p)
		}
		cases = append(cases, c)
	}
	return cases
}

// materialize writes the project into a fresh directory and returns it (symlinks resolved, as
// tools print them).
func (c *corpusCase) materialize(t *testing.T) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range c.project {
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// check runs Locate on output as produced in root and compares the files with want, and the
// rows that matched with the rows the case names.
func (c *corpusCase) check(t *testing.T, root, output string) {
	t.Helper()
	dir := filepath.Join(root, filepath.FromSlash(c.meta["dir"]))
	rep, err := Locate(output, Options{Root: root, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Files {
		rel, _ := filepath.Rel(root, f.Path)
		s := filepath.ToSlash(rel)
		for _, l := range f.Lines {
			s += fmt.Sprint(" ", l)
		}
		if f.Needed {
			s += " needed"
		}
		got = append(got, s)
	}
	if !slices.Equal(got, c.want) {
		t.Errorf("%s: Locate sends\n\t%s\nwant\n\t%s\nlocations: %+v\nskipped: %v", c.name,
			strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"), rep.Locs, rep.Skipped)
	}
	for _, fix := range strings.Fields(c.meta["fix"]) {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.Fields(g)[0] == fix }) {
			t.Errorf("%s: %s, the file to fix, is not sent", c.name, fix)
		}
	}
	matched := scanRows(StripANSI(output))
	for _, r := range strings.Fields(c.meta["rows"]) {
		if matched[r] == 0 {
			t.Errorf("%s: row %s matched no line (matched: %v)", c.name, r, matched)
		}
	}
	// Every first error reaches the error text, whatever its size.
	if len(rep.Files) > 0 && len(rep.Files[0].Lines) > 0 {
		first := rep.Files[0]
		for _, l := range rep.Locs {
			if l.Kind == Error && filepath.Base(l.Path) == filepath.Base(first.Path) {
				if !strings.Contains(rep.Errors, StripANSI(lineOf(output, l.Index))) {
					t.Errorf("%s: error text lacks the first error's line %q", c.name, lineOf(output, l.Index))
				}
				break
			}
		}
	}
}

func lineOf(text string, i int) string {
	lines := strings.Split(StripANSI(text), "\n")
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

func TestCorpusRecorded(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			root := c.materialize(t)
			c.check(t, root, strings.ReplaceAll(c.output, "$ROOT", root))
		})
	}
}

// TestCorpusLive runs each case's tool for real where it is installed and works, so that the
// patterns are checked against the output of the tools on this machine, not only against what
// was recorded.
func TestCorpusLive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs compilers")
	}
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			if c.meta["version"] == "" {
				t.Skip("no live run")
			}
			for _, tool := range c.tools() {
				testenv.LookPath(t, tool)
			}
			version := c.version(t)
			root := c.materialize(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "sh", "-c", c.meta["run"])
			cmd.Dir = filepath.Join(root, filepath.FromSlash(c.meta["dir"]))
			cmd.Env = append(os.Environ(), "NO_COLOR=", "TERM=dumb")
			cmd.Env = append(cmd.Env, strings.Fields(c.meta["env"])...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("%s passed; the case needs it to fail:\n%s", c.meta["run"], out)
			}
			c.check(t, root, string(out))
			if *record {
				c.rewrite(t, root, string(out), version)
			}
		})
	}
}

// tools returns the programs a live run of the case executes: sh, the first word of run: and of
// each version: command, and those named by needs:.
func (c *corpusCase) tools() []string {
	tools := []string{"sh"}
	add := func(cmd string) {
		if f := strings.Fields(cmd); len(f) > 0 && !slices.Contains(tools, f[0]) {
			tools = append(tools, f[0])
		}
	}
	add(c.meta["run"])
	for _, v := range strings.Split(c.meta["version"], ";") {
		add(v)
	}
	for _, n := range strings.Fields(c.meta["needs"]) {
		add(n)
	}
	return tools
}

// version runs each of the case's version: commands (separated by ";", each a program and its
// arguments, run without a shell) and joins the first line each prints with " / ".
func (c *corpusCase) version(t *testing.T) string {
	t.Helper()
	var lines []string
	for _, v := range strings.Split(c.meta["version"], ";") {
		args := strings.Fields(v)
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", v, err, out)
		}
		// The first line that is not a JVM's warning about its options.
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if !strings.Contains(l, "warning:") {
				lines = append(lines, strings.TrimSpace(l))
				break
			}
		}
	}
	return strings.Join(lines, " / ")
}

// rewrite stores a live output as the case's recorded output.
func (c *corpusCase) rewrite(t *testing.T, root, output, version string) {
	t.Helper()
	var comment []string
	for _, line := range strings.Split(strings.TrimRight(string(c.ar.Comment), "\n"), "\n") {
		if strings.HasPrefix(line, "recorded: ") {
			line = "recorded: " + strings.ReplaceAll(version, "\n", " / ")
		}
		comment = append(comment, line)
	}
	c.ar.Comment = []byte(strings.Join(comment, "\n") + "\n")
	for i, f := range c.ar.Files {
		if f.Name == "output" {
			c.ar.Files[i].Data = []byte(strings.ReplaceAll(output, root, "$ROOT"))
		}
	}
	if err := os.WriteFile(c.path, txtar.Format(c.ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTableProven checks that every row of the pattern table is exercised by some recorded
// output of a real tool.
func TestTableProven(t *testing.T) {
	proven := map[string]bool{}
	for _, c := range loadCorpus(t) {
		matched := scanRows(StripANSI(strings.ReplaceAll(c.output, "$ROOT", "/root")))
		for _, r := range strings.Fields(c.meta["rows"]) {
			if matched[r] > 0 {
				proven[r] = true
			}
		}
	}
	for _, r := range table {
		if !proven[r.name] {
			t.Errorf("row %s (%s) is not proven by any corpus case", r.name, r.tools)
		}
	}
}

// scanRows reports how many lines each row of the table consumed.
func scanRows(text string) map[string]int {
	s := &scanner{}
	counts := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		if r := s.line(line, i); r != "" {
			counts[r]++
		}
	}
	return counts
}
