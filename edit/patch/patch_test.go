package patch

import (
	"errors"
	"strings"
	"testing"
)

// applyCase parses c.Reply and applies it to the case's files, returning the new text of each.
func applyCase(c Case) (map[string]string, error) {
	parser := NewParser(c.Format, nil)
	parser.SetFiles(c.Named)
	parser.Feed(fenced(c.Reply))
	p, err := parser.Close()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, fp := range p.Files {
		orig := c.File
		if c.Files != nil {
			orig = c.Files[fp.Path]
		}
		b, err := ApplyFile(fp.Path, []byte(orig), fp)
		if err != nil {
			return nil, err
		}
		out[fp.Path] = string(b)
	}
	return out, nil
}

func TestCases(t *testing.T) {
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Prose != "" {
				if p, err := Parse(fenced(c.Reply), c.Format); err != nil || p.Prose != c.Prose {
					t.Errorf("Parse(%q).Prose = %+v (error %v), want %q", c.Reply, p, err, c.Prose)
				}
			}
			got, err := applyCase(c)
			if c.WantErr != "" {
				if err == nil {
					t.Fatalf("ApplyFile(Parse(%q)) = %q, want error %q", c.Reply, got, c.WantErr)
				}
				if !strings.Contains(err.Error(), c.WantErr) {
					t.Errorf("ApplyFile(Parse(%q)) error = %q, want %q", c.Reply, err, c.WantErr)
				}
				var pe *ParseError
				var he *HunkError
				isParse, isHunk := errors.As(err, &pe), errors.As(err, &he)
				if (c.ErrType == "parse") != isParse || (c.ErrType == "hunk") != isHunk {
					t.Errorf("ApplyFile(Parse(%q)) error type %T, want %s error", c.Reply, err, c.ErrType)
				}
				return
			}
			if err != nil {
				t.Fatalf("ApplyFile(Parse(%q)) error: %v", c.Reply, err)
			}
			want := c.Wants
			if want == nil {
				want = map[string]string{}
				for path := range got {
					want[path] = c.Want
				}
			}
			if len(got) != len(want) {
				t.Errorf("ApplyFile(Parse(%q)) changed %d files, want %d", c.Reply, len(got), len(want))
			}
			for path, w := range want {
				if got[path] != w {
					t.Errorf("ApplyFile(Parse(%q))[%s] = %q, want %q", c.Reply, path, got[path], w)
				}
			}
		})
	}
}
