package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

const defaultReply = "Hello from fakeopenai: a scripted OpenAI-compatible streaming server.\n"

// scriptStep is llmtest.Step as written in a script file.
type scriptStep struct {
	llmtest.Step
	Reply      string `json:"reply"`
	ChunkDelay string `json:"chunk_delay"`
	FirstDelay string `json:"first_delay"`
}

// run serves until ctx is done; out gets the URL, the log (stderr unless -log) one line per request.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("fakeopenai", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	replyFile := fs.String("reply", "", "file whose text every request gets as the streamed reply (default: a short greeting)")
	chunk := fs.Int("chunk", 16, "runes per content chunk")
	delay := fs.Duration("delay", 0, "sleep before each chunk after the first")
	first := fs.Duration("first", 0, "sleep before the first content chunk")
	finish := fs.String("finish", "stop", "finish_reason of the reply")
	script := fs.String("script", "", "JSON file with an array of steps to serve in order")
	repeat := fs.Bool("repeat", false, "with -script: answer requests beyond the script with its last step")
	logFile := fs.String("log", "", "append the request log to this file instead of stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	var steps []llmtest.Step
	var err error
	if *script != "" {
		if steps, err = readScript(*script, *chunk); err != nil {
			return err
		}
		if len(steps) == 0 {
			return fmt.Errorf("script %s: no steps", *script)
		}
	} else {
		text := defaultReply
		if *replyFile != "" {
			b, err := os.ReadFile(*replyFile)
			if err != nil {
				return err
			}
			text = string(b)
		}
		steps = []llmtest.Step{{Chunks: llmtest.Split(text, *chunk), ChunkDelay: *delay, FirstDelay: *first, FinishReason: *finish}}
		*repeat = true
	}

	logw := errOut
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		logw = f
	}

	srv, err := llmtest.Listen(*addr, steps...)
	if err != nil {
		return err
	}
	defer srv.Close()
	if *repeat {
		srv.Repeat(steps[len(steps)-1])
	}
	fmt.Fprintln(out, srv.URL())
	n := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-srv.Arrived():
			n++
			fmt.Fprintf(logw, "request %d unix_ns=%d path=%s bytes=%d step=%d", n, r.Arrived.UnixNano(), r.Path, len(r.Body), r.Step)
			if r.Unexpected != "" {
				fmt.Fprintf(logw, " unexpected=%q", r.Unexpected)
			}
			fmt.Fprintln(logw)
		}
	}
}

// readScript reads a JSON array of steps.
func readScript(name string, chunk int) ([]llmtest.Step, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var raw []scriptStep
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("script %s: %w", name, err)
	}
	steps := make([]llmtest.Step, len(raw))
	for i, s := range raw {
		st := s.Step
		if len(st.Chunks) == 0 && s.Reply != "" {
			st.Chunks = llmtest.Split(s.Reply, chunk)
		}
		for _, d := range []struct {
			text string
			dst  *time.Duration
		}{{s.ChunkDelay, &st.ChunkDelay}, {s.FirstDelay, &st.FirstDelay}} {
			if d.text == "" {
				continue
			}
			if *d.dst, err = time.ParseDuration(d.text); err != nil {
				return nil, fmt.Errorf("script %s: step %d: %w", name, i, err)
			}
		}
		steps[i] = st
	}
	return steps, nil
}
