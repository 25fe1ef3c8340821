package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spark-cli/spark/llm/llmtest"
)

// TestExplanationStreams: on a terminal the model's explanation appears as it arrives, before
// its line ends, and stays on screen when Ctrl-C stops a slow model mid-sentence; the
// interrupt's message starts on a line of its own.
func TestExplanationStreams(t *testing.T) {
	const sentence = "Renaming x to y, because the loop shadows"
	chunks := llmtest.Split(sentence+" the outer x.\n*** Begin Patch\n", 6)
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: chunks, HangAfter: len(llmtest.Split(sentence, 6))})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(steerFile), 0o644); err != nil {
		t.Fatal(err)
	}
	env := testEnv(t, srv.URL())
	env["SPARK_MODEL"] = "gpt-test"
	p := startPtySpark(t, dir, env, "edit", "--no-steer", "main.go", "rename x to y")
	p.waitFor(sentence)
	p.send("\x03")
	if code := p.exit(); code != ExitInterrupted {
		t.Fatalf("interrupted edit = exit %d, want %d; the terminal shows:\n%s", code, ExitInterrupted, p.screen())
	}
	if screen := p.screen(); !strings.Contains(screen, sentence) || !strings.Contains(screen, "\nspark: interrupted") {
		t.Errorf("after Ctrl-C the terminal shows %q; want the sentence so far, then the interrupt on a line of its own", screen)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(got) != steerFile {
		t.Errorf("interrupted edit left %q, want the file unchanged", got)
	}
}

// TestTerminalDrawsWhatChanges: on a terminal a SEARCH/REPLACE block and a whole file are drawn
// as the lines that change, with their context, and a dry run draws the diff once.
func TestTerminalDrawsWhatChanges(t *testing.T) {
	const file = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n"
	tests := []struct {
		name, format, reply string
		want, notWant       []string
	}{
		{
			name:    "search/replace",
			format:  "search-replace",
			reply:   "Capitalise four.\nnotes.txt\n<<<<<<< SEARCH\nthree\nfour\nfive\n=======\nthree\nFour\nfive\n>>>>>>> REPLACE\n",
			want:    []string{"Capitalise four.\r\n", " three\r\n-four\r\n+Four\r\n five\r\n", "(+1 -1)"},
			notWant: []string{"-three", "+three", "-five", "+five"},
		},
		{
			name:    "whole file",
			format:  "whole",
			reply:   "Capitalise four.\nnotes.txt\n```\n" + strings.Replace(file, "four", "Four", 1) + "```\n",
			want:    []string{"Capitalise four.\r\n", " two\r\n three\r\n-four\r\n+Four\r\n five\r\n six\r\n seven\r\n", "(+1 -1)"},
			notWant: []string{"+one", "-one", "+ten", "eight"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Step{Chunks: llmtest.Split(tt.reply, 5)})
			dir := t.TempDir()
			path := filepath.Join(dir, "notes.txt")
			if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			env := testEnv(t, srv.URL())
			p := startPtySpark(t, dir, env, "edit", "--dry-run", "--format", tt.format, "notes.txt", "capitalise four")
			if code := p.exit(); code != 0 {
				t.Fatalf("dry run = exit %d, want 0; the terminal shows:\n%s", code, p.screen())
			}
			screen := p.screen()
			for _, w := range tt.want {
				if !strings.Contains(screen, w) {
					t.Errorf("the terminal lacks %q; it shows:\n%s", w, screen)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(screen, w) {
					t.Errorf("the terminal shows %q, which does not change; it shows:\n%s", w, screen)
				}
			}
			if n := strings.Count(screen, "+Four"); n != 1 {
				t.Errorf("the diff is drawn %d times, want once; the terminal shows:\n%s", n, screen)
			}
			if got, _ := os.ReadFile(path); string(got) != file {
				t.Errorf("dry run wrote %q", got)
			}
		})
	}
}
