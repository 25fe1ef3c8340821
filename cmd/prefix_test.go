package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spark-cli/spark/llm/llmtest"
)

// TestStablePrefix holds the prompt to the layout that lets a provider's prompt cache hit: every
// edit in a project starts with the same system message (the rules and the project's AGENTS.md),
// so its cached prefix is shared by all of them; what varies comes after it, the instruction last.
func TestStablePrefix(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		".git/HEAD":  "ref: refs/heads/main\n",
		"AGENTS.md":  "Use tabs. Wrap errors with %w.\n",
		"a.go":       "package a\n\nfunc A() int {\n\treturn 1\n}\n",
		"sub/b.go":   "package sub\n\nfunc B() int {\n\treturn 2\n}\n",
		"sub/c.py":   "def c():\n    return 3\n",
		"editorconf": "root = true\n\n[*.py]\nindent_style = space\nindent_size = 4\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const (
		aReply = "*** Begin Patch\n*** Update File: a.go\n@@\n-\treturn 1\n+\treturn 10\n*** End Patch\n"
		bReply = "*** Begin Patch\n*** Update File: sub/b.go\n@@\n-\treturn 2\n+\treturn 20\n*** End Patch\n"
		badA   = "*** Begin Patch\n*** Update File: a.go\n@@\n-\treturn 100\n+\treturn 1000\n@@\n }\n*** End Patch\n"
		cReply = "*** Begin Patch\n*** Update File: sub/c.py\n@@\n-    return 3\n+    return 30\n*** End Patch\n"
	)
	srv := llmtest.NewServer(t,
		llmtest.Step{Chunks: llmtest.Split(aReply, 8)},
		llmtest.Step{Chunks: llmtest.Split(bReply, 8)},
		llmtest.Step{Chunks: llmtest.Split(badA, 8)}, llmtest.Step{Chunks: llmtest.Split(aReply, 8)},
		llmtest.Step{Chunks: llmtest.Split(cReply, 8)},
	)
	env := testEnv(t, srv.URL())
	env["SPARK_FORMAT"] = "v4a"
	t.Chdir(dir)
	edits := [][]string{
		{"edit", "a.go", "return ten"},
		{"edit", "sub/b.go", "return twenty, and say why in a comment"},
		{"edit", "a.go:3-5", "return ten"}, // a repair round: two requests
	}
	for _, args := range edits {
		if code, _, stderr := runSpark(context.Background(), t, env, args...); code != ExitOK {
			t.Fatalf("spark %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	system := func(r llmtest.Request) string { return messages(t, r)[0].Content }
	for i, r := range reqs[1:] {
		if got, want := system(r), system(reqs[0]); got != want {
			t.Errorf("request %d: system message differs from the first edit's:\n%s\nwant\n%s", i+1, got, want)
		}
	}
	if s := system(reqs[0]); !strings.Contains(s, "Wrap errors with %w.") {
		t.Errorf("system message lacks the project's AGENTS.md:\n%s", s)
	}
	// The repair round resends the whole conversation, so all of the first request is its prefix.
	first, repair := messages(t, reqs[2]), messages(t, reqs[3])
	if len(repair) != len(first)+2 {
		t.Fatalf("repair round has %d messages, want %d", len(repair), len(first)+2)
	}
	for i := range first {
		if repair[i] != first[i] {
			t.Errorf("repair round message %d differs from the first request's", i)
		}
	}

	// .editorconfig properties vary per file, so they travel with the file in the user message
	// and the system message stays byte-identical.
	if err := os.Rename(filepath.Join(dir, "editorconf"), filepath.Join(dir, ".editorconfig")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runSpark(context.Background(), t, env, "edit", "sub/c.py", "return thirty"); code != ExitOK {
		t.Fatalf("spark edit sub/c.py: exit %d: %s", code, stderr)
	}
	withEC := messages(t, srv.Requests()[4])
	if withEC[0].Content != system(reqs[0]) {
		t.Errorf("with .editorconfig, system message =\n%s\nwant it byte-identical to the others", withEC[0].Content)
	}
	if !strings.Contains(withEC[1].Content, "sub/c.py:\n(.editorconfig: ") || !strings.Contains(withEC[1].Content, "indent_size=4") {
		t.Errorf("with .editorconfig, user message =\n%s\nwant the file's properties under its name", withEC[1].Content)
	}
}

// messages decodes the chat messages of a recorded request.
func messages(t *testing.T, r llmtest.Request) []struct{ Role, Content string } {
	t.Helper()
	var body struct {
		Messages []struct{ Role, Content string } `json:"messages"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Messages) == 0 {
		t.Fatalf("request body %s: %v", r.Body, err)
	}
	return body.Messages
}
