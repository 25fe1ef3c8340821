package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

func init() { suites["again"] = runAgainBench }

// runAgainBench measures process start → request at the server for spark again against spark
// edit, alternating in the same run: again reads the undo entry and its stored conversation and
// takes the edit back (fsynced) before it sends.
func runAgainBench(ctx context.Context, _ []string) error {
	work, bin, err := workspace(ctx, "again")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	edits, agains, err := measureAgainStart(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("request start: %w", err)
	}
	t := &table{width: 58}
	t.add("process start → request at server, spark edit (median)", fmtMs(median(edits)), "baseline")
	t.add("process start → request at server, spark again (median)", fmtMs(median(agains)), "")
	t.print("**spark again**")
	return nil
}

// measureAgainStart runs spark edit then spark again on a fresh file, editRuns times, and times
// each from exec to its request's arrival.
func measureAgainStart(ctx context.Context, bin, work string) (edits, agains []time.Duration, err error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, nil, err
	}
	defer srv.Close()
	file := filepath.Join(work, "main.go")
	for i := 0; i < editRuns; i++ {
		if err := os.WriteFile(file, []byte(smallFile), 0o644); err != nil {
			return nil, nil, err
		}
		for _, args := range [][]string{{"edit", "main.go", "rename x to y"}, {"again", "call it y"}} {
			srv.Append(llmtest.Step{Chunks: llmtest.Split(smallReply, 16)})
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir, cmd.Env = work, benchEnv(work, srv.URL())
			start := time.Now()
			if err := cmd.Start(); err != nil {
				return nil, nil, err
			}
			req := <-srv.Arrived()
			if err := cmd.Wait(); err != nil {
				return nil, nil, fmt.Errorf("spark %s: %w", args[0], err)
			}
			d := req.Arrived.Sub(start)
			if args[0] == "edit" {
				edits = append(edits, d)
			} else {
				agains = append(agains, d)
			}
		}
	}
	return edits, agains, nil
}
