package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

func init() { suites["fix"] = runFixBench }

const fixRuns = 30

// runFixBench measures spark fix against a local streaming server: how soon the request goes
// out with a large piped log (curl as the baseline, in the same run), and how large the prompt
// is for a build log with many errors.
func runFixBench(ctx context.Context, _ []string) error {
	work, bin, err := workspace(ctx, "fix")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	t := &table{width: 62}
	add := t.add

	proj := filepath.Join(work, "proj")
	log, err := writeFixProject(proj)
	if err != nil {
		return err
	}
	sparkStart, curlStart, promptBytes, err := measureFixStart(ctx, bin, work, proj, log)
	if err != nil {
		return fmt.Errorf("request start: %w", err)
	}
	add(fmt.Sprintf("start → request at server, spark fix, %d KB piped (median)", len(log)>>10), fmtMs(median(sparkStart)), "≤ 15 ms")
	add("start → request at server, curl (median)", fmtMs(median(curlStart)), "baseline")
	add(fmt.Sprintf("request body for the %d KB log", len(log)>>10), fmt.Sprintf("%d bytes", promptBytes), "bounded")

	size, files, first, logSize, err := measureFixPrompt(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("prompt size: %w", err)
	}
	add(fmt.Sprintf("prompt for a 50-error build log (%d KB), %d files", logSize>>10, files), fmt.Sprintf("%d bytes", size), "bounded")
	add("first error's file in that prompt", first, "always")

	t.print("**spark fix**")
	return nil
}

// writeFixProject writes a small Go module and returns about 200 KB of `go test -v` output
// from a large suite in which one test in it failed.
func writeFixProject(dir string) ([]byte, error) {
	files := map[string]string{
		"go.mod":            "module example.com/proj\n\ngo 1.22\n",
		"calc/calc.go":      "package calc\n\n// Add returns a+b.\nfunc Add(a, b int) int {\n\treturn a - b\n}\n",
		"calc/calc_test.go": "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif got := Add(2, 2); got != 4 {\n\t\tt.Errorf(\"Add(2, 2) = %d, want 4\", got)\n\t}\n}\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	for i := 0; b.Len() < 100<<10; i++ {
		fmt.Fprintf(&b, "=== RUN   TestCase%04d\n    case_test.go:%d: step %d of a long-running suite, all fine\n--- PASS: TestCase%04d (0.00s)\n", i, 10+i%90, i, i)
	}
	b.WriteString("=== RUN   TestAdd\n    calc_test.go:7: Add(2, 2) = 0, want 4\n--- FAIL: TestAdd (0.00s)\nFAIL\nFAIL\texample.com/proj/calc\t0.004s\n")
	for i := 0; b.Len() < 200<<10; i++ {
		fmt.Fprintf(&b, "=== RUN   TestOther%04d\n--- PASS: TestOther%04d (0.00s)\n", i, i)
	}
	b.WriteString("ok  \texample.com/proj/other\t0.120s\nFAIL\n")
	return b.Bytes(), nil
}

// measureFixStart times exec → request arrival for `spark fix` with the log piped in, and for
// curl, interleaved. The reply is prose only, so nothing is written between runs.
func measureFixStart(ctx context.Context, bin, work, proj string, log []byte) (spark, curl []time.Duration, body int, err error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, nil, 0, err
	}
	defer srv.Close()
	reqBody := `{"model":"bench","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
	for i := 0; i < fixRuns; i++ {
		for _, tool := range []string{"spark", "curl"} {
			srv.Append(llmtest.Step{Chunks: llmtest.Split("Nothing to change.", 16)})
			var cmd *exec.Cmd
			if tool == "spark" {
				cmd = exec.CommandContext(ctx, bin, "fix")
				cmd.Stdin = bytes.NewReader(log)
			} else {
				cmd = exec.CommandContext(ctx, "curl", "-sN", "-o", "/dev/null", "-H", "Content-Type: application/json",
					"-H", "Authorization: Bearer sk-bench", "-d", reqBody, srv.URL()+"/chat/completions")
			}
			cmd.Dir, cmd.Env = proj, benchEnv(work, srv.URL())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			if err := cmd.Start(); err != nil {
				return nil, nil, 0, err
			}
			req := <-srv.Arrived()
			// The reply is words only, which spark reports as a failure (exit 1): only the
			// start of the request is measured here.
			var ee *exec.ExitError
			if err := cmd.Wait(); err != nil && !(tool == "spark" && errors.As(err, &ee) && ee.ExitCode() == 1) {
				return nil, nil, 0, fmt.Errorf("%s: %w: %s", tool, err, stderr.Bytes())
			}
			d := req.Arrived.Sub(start)
			if tool == "spark" {
				if !bytes.Contains(req.Body, []byte("calc/calc.go")) {
					return nil, nil, 0, fmt.Errorf("the request lacks calc/calc.go")
				}
				spark, body = append(spark, d), len(req.Body)
			} else {
				curl = append(curl, d)
			}
		}
	}
	return spark, curl, body, nil
}

// measureFixPrompt builds a tree of 60 C files of a few hundred lines and a gcc log of 50
// errors across them, each with its code excerpt, and measures what `spark fix --show-prompt`
// would send.
func measureFixPrompt(ctx context.Context, bin, work string) (size, files int, first string, logSize int, err error) {
	var log strings.Builder
	for i := 0; i < 60; i++ {
		var src strings.Builder
		fmt.Fprintf(&src, "#include \"common.h\"\n\n")
		n := 150 + (i*37)%450
		for l := 3; l <= n; l++ {
			if l%25 == 3 {
				fmt.Fprintf(&src, "int f%d(int x) {\n", l)
				continue
			}
			fmt.Fprintf(&src, "\tx = x * %d + %d; /* keep the compiler busy with line %d */\n", l, i, l)
		}
		p := filepath.Join(work, "src", fmt.Sprintf("p%02d.c", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, 0, "", 0, err
		}
		if err := os.WriteFile(p, []byte(src.String()), 0o644); err != nil {
			return 0, 0, "", 0, err
		}
		if i < 50 {
			l := 40 + (i*13)%100
			fmt.Fprintf(&log, "src/p%02d.c: In function \u2018f%d\u2019:\n", i, l-(l-3)%25)
			fmt.Fprintf(&log, "src/p%02d.c:%d:9: error: \u2018helper%d\u2019 undeclared (first use in this function)\n", i, l, i)
			fmt.Fprintf(&log, "  %3d |         x = helper%d(x);\n      |             ^~~~~~~~\n", l, i)
		}
	}
	log.WriteString("make: *** [Makefile:4: all] Error 1\n")
	cmd := exec.CommandContext(ctx, bin, "fix", "--show-prompt")
	cmd.Dir, cmd.Env = work, benchEnv(work, "http://127.0.0.1:1/v1")
	cmd.Stdin = strings.NewReader(log.String())
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, "", 0, fmt.Errorf("spark fix --show-prompt: %w", err)
	}
	// A file is shown under a header line: "PATH:" when whole, "Lines A-B of PATH (…" for a range.
	files = len(regexp.MustCompile(`(?m)^(?:Lines \d+-\d+ of src/p\d\d\.c \(|src/p\d\d\.c:$)`).FindAll(out, -1))
	first = "missing"
	if regexp.MustCompile(`(?m)^(?:Lines \d+-\d+ of src/p00\.c \(|src/p00\.c:$)`).Match(out) {
		first = "present"
	}
	return len(out), files, first, log.Len(), nil
}
