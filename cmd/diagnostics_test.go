package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

// TestEarlyCheckDiagnostic checks what the benchmark compares: by default a hunk that does not
// match cancels the stream before the rest of the reply arrives; SPARK_NO_EARLY_CHECK=1 reads
// the whole reply first. Both end in the same repair round and the same file.
func TestEarlyCheckDiagnostic(t *testing.T) {
	const orig = "one\ntwo\nthree\n"
	// A first hunk that does not match, then a long second one: the first is complete, and
	// checked, when the second begins.
	bad := "*** Begin Patch\n*** Update File: list.txt\n@@\n one\n-TWO\n+2\n three\n@@\n three\n" +
		strings.Repeat("+a line the early check never waits for\n", 40) + "*** End Patch\n"
	good := "*** Begin Patch\n*** Update File: list.txt\n@@\n one\n-two\n+2\n three\n*** End Patch\n"
	for _, tt := range []struct {
		name     string
		late     string
		complete bool // whether the bad reply was read to its end
	}{
		{"early", "", false},
		{"late", "1", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Paced like a model, so that the early check has something to cut short.
			srv := llmtest.NewServer(t, llmtest.Step{Chunks: llmtest.Split(bad, 16), ChunkDelay: time.Millisecond},
				llmtest.Step{Chunks: llmtest.Split(good, 16)})
			env := testEnv(t, srv.URL())
			env["SPARK_NO_EARLY_CHECK"] = tt.late
			dir := t.TempDir()
			file := filepath.Join(dir, "list.txt")
			if err := os.WriteFile(file, []byte(orig), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			code, _, stderr := runSpark(context.Background(), t, env, "edit", "list.txt", "write two as a digit")
			if got, _ := os.ReadFile(file); code != ExitOK || string(got) != "one\n2\nthree\n" {
				t.Fatalf("exit %d, file %q, stderr %s", code, got, stderr)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2 (the reply and its repair)", len(reqs))
			}
			if complete := !reqs[0].Done.IsZero(); complete != tt.complete {
				t.Errorf("bad reply read to its end = %v, want %v", complete, tt.complete)
			}
		})
	}
}
