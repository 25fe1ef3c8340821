package edit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConventions(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".git/HEAD":     "ref: refs/heads/main\n",
		"AGENTS.md":     "Use tabs. Wrap errors with %w.\n",
		"sub/x.go":      "package sub\n",
		"sub/y.py":      "x = 1\n",
		"web/app.js":    "let x\n",
		"web/AGENTS.md": "Prefer const.\n",
		".editorconfig": `root = true
[*]
end_of_line = lf
insert_final_newline = true
[*.go]
indent_style = tab
[*.{py,js}]
indent_style = space
indent_size = 4
`,
		"web/.editorconfig": "[*.js]\nindent_size = 2\n[/lib/*.js]\nmax_line_length = 100\n",
	})
	tests := []struct {
		paths []string
		want  []string
		not   []string
	}{
		{[]string{"sub/x.go"}, []string{"From AGENTS.md:\nUse tabs."}, []string{"Prefer const", "indent"}},
		{[]string{"web/app.js"}, []string{"From web/AGENTS.md:\nPrefer const."}, []string{"Use tabs"}},
	}
	for _, tt := range tests {
		got := Conventions(root, tt.paths)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("Conventions(%q) = %q, want it to contain %q", tt.paths, got, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("Conventions(%q) = %q, want no %q", tt.paths, got, n)
			}
		}
	}
	files := []struct {
		path, want string
	}{
		{"sub/x.go", "end_of_line=lf indent_style=tab insert_final_newline=true"},
		{"sub/y.py", "end_of_line=lf indent_size=4 indent_style=space insert_final_newline=true"},
		{"web/app.js", "end_of_line=lf indent_size=2 indent_style=space insert_final_newline=true"},
		{"web/lib/z.js", "end_of_line=lf indent_size=2 indent_style=space insert_final_newline=true max_line_length=100"},
	}
	for _, f := range files {
		if got := fileConventions(filepath.Join(root, f.path)); got != f.want {
			t.Errorf("fileConventions(%q) = %q, want %q", f.path, got, f.want)
		}
	}
}

func TestConventionsStopsAtRepoRoot(t *testing.T) {
	outer := t.TempDir()
	writeFiles(t, outer, map[string]string{
		"AGENTS.md":      "outside the repo\n",
		"repo/.git/HEAD": "x\n",
		"repo/a.go":      "package a\n",
	})
	if got := Conventions(filepath.Join(outer, "repo"), []string{"a.go"}); got != "" {
		t.Errorf("Conventions outside the repository root = %q, want empty", got)
	}
}

func TestConventionsTruncatesAgents(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".git/HEAD": "x\n",
		"AGENTS.md": strings.Repeat("rule\n", 5000),
		"a.go":      "package a\n",
	})
	got := Conventions(root, []string{"a.go"})
	if len(got) > maxAgentsBytes+200 || !strings.Contains(got, "[AGENTS.md truncated]") {
		t.Errorf("Conventions with a 25 KB AGENTS.md = %d bytes, want at most %d and a truncation mark", len(got), maxAgentsBytes+200)
	}
}

func TestEditorconfigMatch(t *testing.T) {
	tests := []struct {
		glob, rel string
		want      bool
	}{
		{"*", "a/b.go", true},
		{"*.go", "a/b.go", true},
		{"*.{js,py}", "x.py", true},
		{"*.{js,py}", "x.go", false},
		{"Makefile", "sub/Makefile", true},
		{"/lib/*.js", "lib/a.js", true},
		{"/lib/*.js", "x/lib/a.js", false},
		{"lib/**.js", "lib/a/b.js", false},
		{"lib/**/*.js", "lib/a/b.js", true},
	}
	for _, tt := range tests {
		if got := editorconfigMatch(tt.glob, tt.rel); got != tt.want {
			t.Errorf("editorconfigMatch(%q, %q) = %v, want %v", tt.glob, tt.rel, got, tt.want)
		}
	}
}
