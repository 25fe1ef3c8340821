package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spark-cli/spark/llm/llmtest"
)

// bigGoFile is the 2,000-line file of the output-size comparison (outputSizes in edit.go).
func bigGoFile() string {
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "\tresult = append(result, compute(%d, opts))\n", i)
	}
	return b.String()
}

// tokens estimates tokens at four bytes each, OpenAI's rule of thumb and what the fake reports.
func tokens(n int) int { return (n + 3) / 4 }

// benchOutputSize compares what the model must write for a one-line change in a 2,000-line file
// in each format, and checks end to end that a whole-file edit with SPARK_PREDICTION=1 sends the
// file as a Predicted Output and reports the prediction tokens from the usage chunk.
func benchOutputSize(ctx context.Context, bin, work string) (*mdTable, error) {
	v4a, sr, whole := outputSizes()
	file := bigGoFile()
	wholeReply := "Use computeFast for item 1000.\nbig.go\n```go\n" + strings.Replace(file, "compute(1000,", "computeFast(1000,", 1) + "```\n"
	if len(wholeReply) != whole {
		return nil, fmt.Errorf("whole reply is %d bytes, outputSizes says %d", len(wholeReply), whole)
	}

	// Predicted Outputs, end to end: the usage is scripted (a fake cannot accept or reject
	// anything), so this checks the plumbing, not a model.
	srv, err := llmtest.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	path := filepath.Join(work, "big.go")
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		return nil, err
	}
	usage := llmtest.Usage{PromptTokens: int64(tokens(len(file) + 1500)), CompletionTokens: int64(tokens(whole)),
		AcceptedPredictionTokens: int64(tokens(whole) - 12), RejectedPredictionTokens: 5}
	srv.Append(llmtest.Step{Chunks: llmtest.Split(wholeReply, 64), Usage: &usage})
	env := append(benchEnv(work, srv.URL()), "SPARK_PREDICTION=1")
	r := runSpark(ctx, srv, bin, work, env, "edit", "--format", "whole", "big.go", "use computeFast for item 1000")
	drain(srv)
	if r.err != nil {
		return nil, r.err
	}
	var body struct {
		Prediction struct{ Type, Content string } `json:"prediction"`
	}
	if err := json.Unmarshal(r.reqs[0].Body, &body); err != nil {
		return nil, err
	}
	if body.Prediction.Type != "content" || body.Prediction.Content != file {
		return nil, fmt.Errorf("prediction sent = %q (%d bytes), want the file (%d bytes)", body.Prediction.Type, len(body.Prediction.Content), len(file))
	}
	summary := regexp.MustCompile(`tokens .*\(prediction \d+ accepted, \d+ rejected\)`).FindString(r.stderr)
	if summary == "" {
		return nil, fmt.Errorf("summary line lacks the prediction tokens: %s", r.stderr)
	}

	pct := func(n int) string { return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(whole)) }
	t := &mdTable{
		title:  "Output size: a one-line change in a 2,000-line file (90 KB)",
		header: []string{"format", "output bytes", "≈ output tokens", "vs whole file"},
		notes: []string{
			"Tokens are estimated at four bytes each. V4A is the default for OpenAI's models, SEARCH/REPLACE for the rest; " +
				"whole-file replies are for small files and the repair of a failed patch in a file of at most 200 lines.",
			fmt.Sprintf("Predicted Outputs (SPARK_PREDICTION=1, --format whole): the request carried the whole file as "+
				"`prediction` (%d bytes, checked byte for byte) and the summary line read `%s` from the usage chunk. "+
				"A prediction makes the accepted tokens stream faster on OpenAI's 4o/4.1 models; they are still output "+
				"tokens, and rejected ones are billed too, so a patch stays the smaller and faster choice for a small change.",
				len(body.Prediction.Content), summary),
		},
	}
	t.add("V4A (apply_patch)", fmt.Sprint(v4a), fmt.Sprint(tokens(v4a)), pct(v4a))
	t.add("SEARCH/REPLACE", fmt.Sprint(sr), fmt.Sprint(tokens(sr)), pct(sr))
	t.add("whole file", fmt.Sprint(whole), fmt.Sprint(tokens(whole)), pct(whole))
	t.add("whole file + Predicted Output", fmt.Sprint(whole), fmt.Sprint(tokens(whole)), pct(whole))
	return t, nil
}

// benchPromptSize measures what spark edit sends for a small file, a large file, and a window
// of the large file, and how much of it is a prefix shared with other edits (what a provider's
// prompt cache can reuse).
func benchPromptSize(ctx context.Context, bin, work string) (*mdTable, error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	proj := filepath.Join(work, "project")
	files := map[string]string{
		".git/HEAD": "ref: refs/heads/main\n",
		"AGENTS.md": "Go code: gofmt, wrap errors with %w, table tests.\n",
		"main.go":   smallFile,
		"big.go":    bigGoFile(),
	}
	for name, text := range files {
		p := filepath.Join(proj, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	// Each edit gets a reply that changes nothing, so the files stay as they are.
	noEdit := llmtest.Step{Chunks: []string{"The code already does that; no edit is needed."}}
	edits := []struct {
		name string
		args []string
	}{
		{"6-line file", []string{"main.go", "rename x to y"}},
		{"2,000-line file, whole", []string{"big.go", "use computeFast for item 1000"}},
		{"2,000-line file, lines 990-1010", []string{"big.go:990-1010", "use computeFast for item 1000"}},
		{"2,000-line file, another instruction", []string{"big.go", "add a comment above item 1500"}},
	}
	type message struct{ Role, Content string }
	var bodies [][]byte
	var msgs [][]message
	t := &mdTable{
		title:  "Prompt size per edit (V4A format, a project with an AGENTS.md)",
		header: []string{"edit", "system bytes", "user bytes", "≈ prompt tokens", "request body bytes"},
	}
	for _, e := range edits {
		srv.Append(noEdit)
		r := runSpark(ctx, srv, bin, proj, append(benchEnv(work, srv.URL()), "SPARK_FORMAT=v4a"), append([]string{"edit"}, e.args...)...)
		if r.err != nil {
			return nil, r.err
		}
		var body struct{ Messages []message }
		if err := json.Unmarshal(r.reqs[0].Body, &body); err != nil || len(body.Messages) != 2 {
			return nil, fmt.Errorf("request body: %v, %d messages", err, len(body.Messages))
		}
		bodies = append(bodies, r.reqs[0].Body)
		msgs = append(msgs, body.Messages)
		sys, user := len(body.Messages[0].Content), len(body.Messages[1].Content)
		t.add(e.name, fmt.Sprint(sys), fmt.Sprint(user), fmt.Sprint(tokens(sys+user)), fmt.Sprint(len(r.reqs[0].Body)))
	}
	drain(srv)
	same := true
	for _, m := range msgs[1:] {
		same = same && m[0] == msgs[0][0]
	}
	common := 0
	for common < len(bodies[1]) && common < len(bodies[3]) && bodies[1][common] == bodies[3][common] {
		common++
	}
	sys := len(msgs[0][0].Content)
	t.notes = append(t.notes,
		fmt.Sprintf("The system message (rules, edit format, AGENTS.md) is byte-identical across these edits: %v. "+
			"It is %d bytes, about %d tokens: below the 1,024 tokens from which OpenAI caches a prompt prefix, so on "+
			"its own it is not cached; a long AGENTS.md would make it so.", yesNo(same), sys, tokens(sys)),
		fmt.Sprintf("Files come before the instruction, so two edits of the 2,000-line file with different instructions "+
			"share their first %d of %d request bytes (%.1f%%, about %d tokens), all cacheable; a repair or steering round "+
			"resends the whole conversation, so the previous request is its prefix. A line range sends only those lines.",
			common, len(bodies[3]), 100*float64(common)/float64(len(bodies[3])), tokens(common)),
		"Not identical: a file with .editorconfig properties adds a line naming the file at the end of the system "+
			"message, so edits of different files share the system message up to that line only.")
	return t, nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
