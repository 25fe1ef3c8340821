package edit

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spark-cli/spark/edit/patch"
)

func TestSystemPromptStable(t *testing.T) {
	for _, f := range []patch.Format{patch.FormatV4A, patch.FormatSearchReplace, patch.FormatWhole} {
		a := SystemPrompt(f, "")
		b := SystemPrompt(f, "From AGENTS.md:\nUse tabs.")
		if !strings.HasPrefix(b, a) {
			t.Errorf("SystemPrompt(%q) with conventions does not start with the bare prompt; the cacheable prefix moved", f)
		}
		for _, must := range []string{"smallest edit", "No unrequested refactors", "one short sentence"} {
			if !strings.Contains(a, must) {
				t.Errorf("SystemPrompt(%q) lacks %q", f, must)
			}
		}
	}
	if !strings.Contains(SystemPrompt(patch.FormatV4A, ""), "*** Begin Patch") ||
		!strings.Contains(SystemPrompt(patch.FormatSearchReplace, ""), "<<<<<<< SEARCH") {
		t.Error("SystemPrompt does not teach the format it asks for")
	}
}

func TestUserPromptEditorconfig(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{".editorconfig": "root = true\n[*.go]\nindent_style = tab\n", "a.go": "package a\n"})
	tg := &Target{Path: "a.go", Real: filepath.Join(root, "a.go"), Content: []byte("package a\n")}
	got := UserPrompt([]*Target{tg}, "", "x")
	if want := "a.go:\n(.editorconfig: indent_style=tab)\n```\npackage a\n"; !strings.Contains(got, want) {
		t.Errorf("UserPrompt() = %q, want it to contain %q", got, want)
	}
}

func TestUserPrompt(t *testing.T) {
	whole := &Target{Path: "a.go", Content: []byte("package a\n")}
	ranged := &Target{Path: "b.go", Content: []byte("l1\nl2\nl3\nl4\n"), Start: 2, End: 3}
	fenced := &Target{Path: "README.md", Content: []byte("```go\nx\n```")}
	got := UserPrompt([]*Target{whole, ranged, fenced}, "$ go build\nerror", "  do it  ")
	for _, want := range []string{
		"a.go:\n```\npackage a\n```\n",
		"Lines 2-3 of b.go (only these lines",
		"```\nl2\nl3\n```\n",
		"README.md:\n````\n```go\nx\n```\n````\n",
		"Recent shell activity:\n$ go build\nerror\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("UserPrompt() = %q, want it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "l1") || strings.Contains(got, "l4") {
		t.Errorf("UserPrompt() = %q sends lines outside the range", got)
	}
	if !strings.HasSuffix(got, "Instruction: do it\n") {
		t.Errorf("UserPrompt() does not end with the instruction: %q", got)
	}
}
