package patch

import (
	"errors"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		reply string
		f     Format
		want  *Patch
	}{
		{
			reply: "Fixed the loop.\n*** Begin Patch\n*** Update File: \"a/src/x.go\"\n@@ type T struct\n@@ func (t *T) Run() {\n \tfor {\n-\t\tbreak\n+\t\tcontinue\n*** End of File\n*** End Patch\n",
			want: &Patch{Format: FormatV4A, Prose: "Fixed the loop.", Files: []FilePatch{{
				Path: "src/x.go",
				Hunks: []Hunk{{
					Anchors: []string{"type T struct", "func (t *T) Run() {"},
					Old:     []string{"\tfor {", "\t\tbreak"},
					New:     []string{"\tfor {", "\t\tcontinue"},
					AtEOF:   true, Line: 4,
					Same: []int{0, -1},
				}},
			}}},
		},
		{
			reply: "*** Begin Patch\n*** Update File: x.py\n@@ -10,4 +10,5 @@ def f():\n a\n+b\n@@ def g @@\n-c\n*** End Patch\n",
			want: &Patch{Format: FormatV4A, Files: []FilePatch{{
				Path: "x.py",
				Hunks: []Hunk{
					{Anchors: []string{"def f():"}, Old: []string{"a"}, New: []string{"a", "b"}, Line: 3, OldStart: 10, Same: []int{0, -1}},
					{Anchors: []string{"def g"}, Old: []string{"c"}, Line: 6},
				},
			}}},
		},
		{
			reply: "*** Begin Patch\n*** Update File: old.go\n*** Move to: new.go\n*** Delete File: gone.go\n*** Add File: b/add.txt\n+one\n+two\n*** End Patch\n",
			want: &Patch{Format: FormatV4A, Files: []FilePatch{
				{Path: "old.go", MoveTo: "new.go"},
				{Path: "gone.go", Op: OpDelete},
				{Path: "add.txt", Op: OpAdd, Content: "one\ntwo\n"},
			}},
		},
		{
			reply: "--- /dev/null\t2024-01-01 10:00:00\n+++ b/new.txt\t2024-01-01 10:00:00\n@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n",
			want: &Patch{Format: FormatUnified, Files: []FilePatch{{
				Path: "new.txt", Op: OpAdd, Content: "x\ny",
				Hunks: []Hunk{{New: []string{"x", "y"}, Line: 3, AtEOF: true, NewNoEOL: true, Same: []int{-1, -1}}},
			}}},
		},
		{
			reply: "**File:** `src/my app.py`\n<<<<<<< SEARCH\n=======\nprint(1)\n>>>>>>> REPLACE\n",
			want: &Patch{Format: FormatSearchReplace, Files: []FilePatch{{
				Path:  "src/my app.py",
				Hunks: []Hunk{{New: []string{"print(1)"}, Line: 2}},
			}}},
		},
		{
			reply: "notes.txt\n```\nline one\n\nline three\n```\n",
			f:     FormatWhole,
			want: &Patch{Format: FormatWhole, Files: []FilePatch{{
				Path: "notes.txt", Whole: true, Content: "line one\n\nline three\n",
			}}},
		},
	} {
		got, err := Parse(tc.reply, tc.f)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tc.reply, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.reply, got, tc.want)
		}
	}
}

func TestParseError(t *testing.T) {
	_, err := Parse("*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n*** Delete File: b\n-z\n", FormatAuto)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 7 || err.Error() != `reply line 7: delete of "b" has content lines` {
		t.Errorf("Parse(delete with content) error = %v, want *ParseError at line 7", err)
	}
	p := NewParser(FormatAuto, nil)
	p.Feed("a.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\nmore\n")
	if p.Err() == nil {
		t.Errorf("Parser.Err() = nil after a bad block, want the error before Close")
	}
	if _, err := p.Close(); !errors.As(err, &pe) {
		t.Errorf("Parser.Close() error = %v, want *ParseError", err)
	}
}

func TestPathOf(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"src/app.py", "src/app.py"},
		{"  `src/app.py`  ", "src/app.py"},
		{"`src/my app.py`:", "src/my app.py"},
		{"**src/app.py**", "src/app.py"},
		{"**src/app.py:**", "src/app.py"},
		{"File: src/app.py", "src/app.py"},
		{"**File:** `b/src/app.py`", "src/app.py"},
		{"Filename: 'x y.txt'", "x y.txt"},
		{"### src/app.py", "src/app.py"},
		{"__init__.py", "__init__.py"},
		{"Here is the fix:", ""},
		{"**Here is the fix**", ""},
		{"=======", ""},
		{"---", ""},
		{"...", ""},
		{"…", ""},
		{"`...`", ""},
		{"", ""},
	} {
		if got := pathOf(tc.line); got != tc.want {
			t.Errorf("pathOf(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestEventKindString(t *testing.T) {
	if got := EvHunkDone.String(); got != "hunk-done" {
		t.Errorf("EvHunkDone.String() = %q, want %q", got, "hunk-done")
	}
	if got := OpDelete.String(); got != "delete" {
		t.Errorf("OpDelete.String() = %q, want %q", got, "delete")
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := Parse("*** Begin Patch\n", Format("ed")); err == nil || err.Error() != `reply: unknown patch format "ed"` {
		t.Errorf("Parse(_, %q) error = %v, want unknown patch format", "ed", err)
	}
}
