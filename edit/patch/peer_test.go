package patch

import (
	"github.com/spark-cli/spark/internal/testenv"

	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The peer cases are replies and files from the test suites of other editing tools, with what
// those tools do with them. They live outside the project, in a "shared/peercases" directory
// beside the checkout or above it; TestPeerCases checks spark against them when they are there.

// peerDiffers lists the peer cases where spark deliberately does not do what the peer does, and
// why. README's "Compared with other tools" says the same.
var peerDiffers = map[string]string{
	"aider_editblock/filename_fuzzy_underscore":                   "a file name that only resembles a named file is refused",
	"aider_editblock/missing_filename":                            "a block without a file name edits the one file named",
	"aider_editblock/replace_multiple_matches":                    "an ambiguous match is refused, not the first taken",
	"aider_editblock/replace_multiple_matches_missing_whitespace": "an ambiguous match is refused, not the first taken",
	"codex_cli/uses_crlf_for_new_trailing_newline":                "a missing final newline is kept",
	"codex_scenarios/s014_update_file_appends_trailing_newline":   "a missing final newline is kept",
	"codex_parser/lenient_heredoc_mismatched_quotes":              "text around a complete patch is prose, whatever it is",
}

// peerCase is one case folder.
type peerCase struct {
	name   string
	expect string            // apply, refuse, legit:...
	files  []string          // named on the command line
	args   []string          // extra flags
	input  map[string][]byte // the files before
	want   map[string][]byte // the files after, for apply
	reply  string
}

func readPeerCase(dir string) (peerCase, error) {
	c := peerCase{input: map[string][]byte{}, want: map[string][]byte{}}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		return string(b)
	}
	c.expect = strings.TrimSpace(read("expect"))
	c.reply = read("reply.txt")
	c.files = strings.FieldsFunc(read("files"), func(r rune) bool { return r == '\n' })
	c.args = strings.Fields(read("args"))
	for _, sub := range []struct {
		dir string
		m   map[string][]byte
	}{{"input", c.input}, {"expected", c.want}} {
		root := filepath.Join(dir, sub.dir)
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			sub.m[filepath.ToSlash(rel)] = b
			return err
		})
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return c, err
		}
	}
	if c.expect == "" || c.reply == "" || len(c.files) == 0 {
		return c, fmt.Errorf("%s: incomplete case", dir)
	}
	return c, nil
}

// errRefused is an edit that spark refuses for what it does to the files (creates, deletes,
// moves, a file not named, a whole file not asked for), as the edit command does.
var errRefused = errors.New("refused")

// peerTarget maps a path named in a reply to a named file as the edit command does: the same
// path, the only file when the reply names none, or the one file whose path ends with it.
func peerTarget(files []string, path string) (string, error) {
	if path == "" && len(files) == 1 {
		return files[0], nil
	}
	clean := filepath.Clean(path)
	for _, f := range files {
		if filepath.Clean(f) == clean {
			return f, nil
		}
	}
	found := ""
	if !filepath.IsAbs(path) && !strings.HasPrefix(clean, "..") {
		for _, f := range files {
			if strings.HasSuffix("/"+filepath.Clean(f), "/"+clean) {
				if found != "" {
					return "", fmt.Errorf("%w: %q names two files", errRefused, path)
				}
				found = f
			}
		}
	}
	if found == "" {
		return "", fmt.Errorf("%w: %q was not named", errRefused, path)
	}
	return found, nil
}

// applyPeer does what `spark edit FILES... ARGS` does with the reply, in memory: the new text of
// each named file, or the error that makes spark write nothing.
func applyPeer(c peerCase) (map[string][]byte, error) {
	wholeAsked := slices.Contains(c.args, "whole")
	for _, f := range c.files {
		if _, ok := c.input[f]; !ok {
			return nil, fmt.Errorf("%w: %s does not exist", errRefused, f)
		}
	}
	f := FormatAuto
	if wholeAsked {
		f = FormatWhole
	}
	parser := NewParser(f, nil)
	parser.SetFiles(c.files)
	parser.Feed(c.reply)
	p, err := parser.Close()
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	matchers := map[string]*Matcher{}
	for _, fp := range p.Files {
		switch {
		case fp.Op != OpUpdate:
			return nil, fmt.Errorf("%w: %s %s", errRefused, fp.Op, fp.Path)
		case fp.MoveTo != "":
			return nil, fmt.Errorf("%w: move %s", errRefused, fp.Path)
		case fp.Whole && !wholeAsked:
			return nil, fmt.Errorf("%w: a code block for %s", errRefused, fp.Path)
		}
		tg, err := peerTarget(c.files, fp.Path)
		if err != nil {
			return nil, err
		}
		if fp.Whole {
			if strings.TrimSpace(fp.Content) == "" && len(bytes.TrimSpace(c.input[tg])) > 0 {
				return nil, fmt.Errorf("%w: empty file for %s", errRefused, tg)
			}
			b, err := ApplyFile(tg, c.input[tg], fp)
			if err != nil {
				return nil, err
			}
			out[tg] = b
			continue
		}
		m := matchers[tg]
		if m == nil {
			m = NewMatcher(tg, c.input[tg])
			matchers[tg] = m
		}
		for i := range fp.Hunks {
			if err := m.Add(&fp.Hunks[i]); err != nil {
				return nil, err
			}
		}
	}
	for tg, m := range matchers {
		b, err := m.Result()
		if err != nil {
			return nil, err
		}
		out[tg] = b
	}
	if slices.Contains(c.args, "--dry-run") {
		return map[string][]byte{}, nil
	}
	return out, nil
}

// peerAgrees reports whether spark does with the case what the peer does, and says what it did.
func peerAgrees(c peerCase) (agree bool, legit bool, what string) {
	out, err := applyPeer(c)
	switch {
	case strings.HasPrefix(c.expect, "legit:"):
		return err != nil, true, fmt.Sprint(err)
	case c.expect == "refuse":
		if err != nil {
			return true, false, err.Error()
		}
		return false, false, "applied what the peer refuses"
	case err != nil:
		return false, false, err.Error()
	}
	for name, before := range c.input {
		want, ok := c.want[name]
		if !ok {
			want = before
		}
		got, ok := out[name]
		if !ok {
			got = before
		}
		if !bytes.Equal(got, want) {
			return false, false, fmt.Sprintf("%s = %q, want %q", name, got, want)
		}
	}
	return true, false, "applied"
}

// TestPeerCases applies every peer case as the edit command would and fails for each case where
// spark and the peer disagree, unless peerDiffers says why spark is deliberately different.
func TestPeerCases(t *testing.T) {
	root := testenv.SharedData(t, "peercases")
	if root == "" {
		t.Skip("no shared/peercases beside the checkout: the peer cases are not part of the project")
	}
	dirs, err := filepath.Glob(filepath.Join(root, "*", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no peer cases under %s (%v)", root, err)
	}
	agree, legit, differ := 0, 0, 0
	for _, dir := range dirs {
		name := filepath.ToSlash(strings.TrimPrefix(dir, root+string(filepath.Separator)))
		c, err := readPeerCase(dir)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		ok, isLegit, what := peerAgrees(c)
		why, deliberate := peerDiffers[name]
		switch {
		case ok && isLegit:
			legit++
		case ok:
			agree++
			if deliberate {
				t.Errorf("%s: agrees with the peer now; remove it from peerDiffers", name)
			}
		case deliberate:
			differ++
			t.Logf("%s: differs deliberately (%s): %s", name, why, what)
		default:
			t.Errorf("%s: expected %s, spark: %s", name, c.expect, what)
		}
	}
	t.Logf("peers: %d of %d cases agree, %d legitimate refusals, %d deliberate differences", agree, len(dirs), legit, differ)
}
