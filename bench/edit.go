package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"

	"github.com/spark-cli/spark/edit/patch"
	"github.com/spark-cli/spark/llm/llmtest"
)

func init() { suites["edit"] = runEditBench }

const editRuns = 30

// runEditBench measures spark edit end to end against a local streaming server, with curl as the
// baseline for request start, and prints one table.
func runEditBench(ctx context.Context, _ []string) error {
	work, bin, err := workspace(ctx, "edit")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	t := &table{width: 58}
	add := t.add

	sparkStart, curlStart, err := measureRequestStart(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("request start: %w", err)
	}
	add("process start → request at server, spark edit (median)", fmtMs(median(sparkStart)), "≤ 10 ms")
	add("process start → request at server, curl (median)", fmtMs(median(curlStart)), "baseline")

	tail, err := measureLastTokenToExit(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("last token to exit: %w", err)
	}
	add("last token → exit, file written (median)", fmtMs(median(tail)), "≤ 5 ms")
	if err := compareCommit(ctx, add, bin, work); err != nil {
		return fmt.Errorf("last token to exit against the build before the commit lock: %w", err)
	}

	exitAfter, disc, err := measureInterrupt(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("interrupt: %w", err)
	}
	add("SIGINT mid-stream → exit 130 (median, file identical)", fmtMs(median(exitAfter)), "≤ 50 ms")
	add("SIGINT mid-stream → server sees disconnect (median)", fmtMs(median(disc)), "≤ 50 ms")

	big, size, err := measureBigPatch(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("1 MB patch: %w", err)
	}
	add(fmt.Sprintf("%.1f MB patch streamed, parsed, drawn live on a pty, applied (median of 5)", float64(size)/1e6), fmtMs(median(big)), "≤ 1 s")

	apply := measureApply()
	add("20 hunks applied to a 10,000-line file (median)", fmtMs(median(apply)), "≤ 5 ms")

	v4a, sr, whole := outputSizes()
	add("one-line change in a 2,000-line file, V4A bytes vs whole file", fmt.Sprintf("%d / %d = %.2f%%", v4a, whole, 100*float64(v4a)/float64(whole)), "≤ 2%")
	add("one-line change in a 2,000-line file, SEARCH/REPLACE bytes vs whole", fmt.Sprintf("%d / %d = %.2f%%", sr, whole, 100*float64(sr)/float64(whole)), "≤ 2%")

	t.print("**spark edit**")
	return nil
}

// buildSpark builds the binary the way a user installs it.
func buildSpark(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "spark")
	return bin, goBuild(ctx, ".", bin)
}

// goBuild builds the main package in src into bin as the README's install command does: with
// the urfave_cli_no_docs tag (urfave/cli's man-page generator and the Markdown parser it links
// are never used, and their package initialisation would run at every start) and without cgo
// (no dynamic loader at start; the pure-Go resolver and user lookup are what spark needs).
func goBuild(ctx context.Context, src, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "urfave_cli_no_docs", "-o", bin, ".")
	cmd.Dir, cmd.Stderr = src, os.Stderr
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build in %s: %w", src, err)
	}
	return nil
}

func benchEnv(work, url string) []string {
	return append(os.Environ(),
		"OPENAI_BASE_URL="+url, "OPENAI_API_KEY=sk-bench", "SPARK_MODEL=bench",
		"HOME="+work, "XDG_STATE_HOME="+filepath.Join(work, "state"), "XDG_CONFIG_HOME="+filepath.Join(work, "config"),
		"NO_COLOR=1")
}

const smallFile = "package main\n\nfunc main() {\n\tx := 1\n\tprintln(x)\n}\n"
const smallReply = "Rename x to y.\n*** Begin Patch\n*** Update File: main.go\n@@ func main() {\n-\tx := 1\n-\tprintln(x)\n+\ty := 1\n+\tprintln(y)\n }\n*** End Patch\n"

// measureRequestStart times exec → request arrival for spark edit and for curl, interleaved.
func measureRequestStart(ctx context.Context, bin, work string) (spark, curl []time.Duration, err error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, nil, err
	}
	defer srv.Close()
	file := filepath.Join(work, "main.go")
	body := `{"model":"bench","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`
	for i := 0; i < editRuns; i++ {
		for _, tool := range []string{"spark", "curl"} {
			if err := os.WriteFile(file, []byte(smallFile), 0o644); err != nil {
				return nil, nil, err
			}
			srv.Append(llmtest.Step{Chunks: llmtest.Split(smallReply, 16)})
			var cmd *exec.Cmd
			if tool == "spark" {
				cmd = exec.CommandContext(ctx, bin, "edit", "main.go", "rename x to y")
			} else {
				cmd = exec.CommandContext(ctx, "curl", "-sN", "-o", "/dev/null", "-H", "Content-Type: application/json",
					"-H", "Authorization: Bearer sk-bench", "-d", body, srv.URL()+"/chat/completions")
			}
			cmd.Dir, cmd.Env = work, benchEnv(work, srv.URL())
			start := time.Now()
			if err := cmd.Start(); err != nil {
				return nil, nil, err
			}
			req := <-srv.Arrived()
			if err := cmd.Wait(); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", tool, err)
			}
			d := req.Arrived.Sub(start)
			if tool == "spark" {
				spark = append(spark, d)
			} else {
				curl = append(curl, d)
			}
		}
	}
	return spark, curl, nil
}

// measureLastTokenToExit times the server's last byte ([DONE] flushed) → the process has exited
// with the file written.
func measureLastTokenToExit(ctx context.Context, bin, work string) ([]time.Duration, error) {
	out, err := measureLastTokenToExitOf(ctx, []string{bin}, work)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// measureLastTokenToExitOf is measureLastTokenToExit for several binaries, interleaved run by
// run so that they share the machine's moods.
func measureLastTokenToExitOf(ctx context.Context, bins []string, work string) ([][]time.Duration, error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	file := filepath.Join(work, "main.go")
	out := make([][]time.Duration, len(bins))
	for i := 0; i < editRuns; i++ {
		for j, bin := range bins {
			os.WriteFile(file, []byte(smallFile), 0o644)
			srv.Append(llmtest.Step{Chunks: llmtest.Split(smallReply, 16)})
			cmd := exec.CommandContext(ctx, bin, "edit", "main.go", "rename x to y")
			cmd.Dir, cmd.Env = work, benchEnv(work, srv.URL())
			if err := cmd.Run(); err != nil {
				return nil, err
			}
			exited := time.Now()
			got, _ := os.ReadFile(file)
			if !bytes.Contains(got, []byte("y := 1")) {
				return nil, fmt.Errorf("file not edited: %q", got)
			}
			reqs := srv.Requests()
			out[j] = append(out[j], exited.Sub(reqs[len(reqs)-1].Done))
		}
	}
	return out, nil
}

// commitChange is the subject of the commit that put the lock and the intent log into the
// commit; the build before it is the baseline for their cost. SPARK_BENCH_COMMIT=REV picks
// another baseline.
const commitChange = "edit: commits under a lock with an intent log"

// compareCommit times last token → exit for this build and the baseline build, interleaved,
// and adds the ratio.
func compareCommit(ctx context.Context, add func(name, value, target string), bin, work string) error {
	rev := os.Getenv("SPARK_BENCH_COMMIT")
	if rev == "" {
		h, err := commitBySubject(ctx, commitChange)
		if err != nil {
			return err
		}
		rev = h + "^"
	}
	old, err := buildSparkAt(ctx, rev, work)
	if err != nil {
		return err
	}
	tails, err := measureLastTokenToExitOf(ctx, []string{bin, old}, work)
	if err != nil {
		return err
	}
	now, before := median(tails[0]), median(tails[1])
	add(fmt.Sprintf("last token → exit, with commit lock and intent log vs %s, interleaved (median)", rev),
		fmt.Sprintf("%s vs %s (%.2f×)", fmtMs(now), fmtMs(before), float64(now)/float64(before)), "≈ 1×")
	return nil
}

// measureInterrupt sends SIGINT while the reply streams and times the exit and the disconnect.
func measureInterrupt(ctx context.Context, bin, work string) (exit, disc []time.Duration, err error) {
	srv, err := llmtest.Start()
	if err != nil {
		return nil, nil, err
	}
	defer srv.Close()
	file := filepath.Join(work, "main.go")
	for i := 0; i < editRuns; i++ {
		os.WriteFile(file, []byte(smallFile), 0o644)
		srv.Append(llmtest.Step{Chunks: llmtest.Split(smallReply, 8), HangAfter: 4})
		cmd := exec.CommandContext(ctx, bin, "edit", "main.go", "rename x to y")
		cmd.Dir, cmd.Env = work, benchEnv(work, srv.URL())
		if err := cmd.Start(); err != nil {
			return nil, nil, err
		}
		<-srv.Arrived()
		time.Sleep(30 * time.Millisecond) // let the first chunks arrive
		sent := time.Now()
		cmd.Process.Signal(syscall.SIGINT)
		err := cmd.Wait()
		exited := time.Now()
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			return nil, nil, fmt.Errorf("exit %d (%v), want 130", code, err)
		}
		if got, _ := os.ReadFile(file); string(got) != smallFile {
			return nil, nil, fmt.Errorf("file changed after SIGINT")
		}
		exit = append(exit, exited.Sub(sent))
		deadline := time.Now().Add(2 * time.Second)
		for {
			reqs := srv.Requests()
			if d := reqs[len(reqs)-1].Disconnected; !d.IsZero() {
				disc = append(disc, d.Sub(sent))
				break
			}
			if time.Now().After(deadline) {
				return nil, nil, fmt.Errorf("server never saw the disconnect")
			}
			time.Sleep(time.Millisecond)
		}
	}
	return exit, disc, nil
}

// measureBigPatch streams a V4A patch of about 1 MB (every line of a 1 MB file replaced) at full
// speed and times the whole edit.
func measureBigPatch(ctx context.Context, bin, work string) ([]time.Duration, int, error) {
	var orig, reply strings.Builder
	reply.WriteString("Rewrite every line.\n*** Begin Patch\n*** Update File: big.txt\n")
	for i := 0; orig.Len() < 500_000; i++ {
		line := fmt.Sprintf("line %06d of the big file, with some text to make it longer", i)
		orig.WriteString(line + "\n")
		reply.WriteString("-" + line + "\n+" + strings.ToUpper(line) + "\n")
	}
	reply.WriteString("*** End Patch\n")
	srv, err := llmtest.Start()
	if err != nil {
		return nil, 0, err
	}
	defer srv.Close()
	file := filepath.Join(work, "big.txt")
	var out []time.Duration
	for i := 0; i < 5; i++ {
		os.WriteFile(file, []byte(orig.String()), 0o644)
		srv.Append(llmtest.Step{Chunks: llmtest.Split(reply.String(), 64)})
		// On a pty, so the live coloured diff is drawn as it would be for a person.
		cmd := exec.CommandContext(ctx, bin, "edit", "big.txt", "upper-case every line")
		cmd.Dir, cmd.Env = work, append(benchEnv(work, srv.URL()), "FORCE_COLOR=1", "TERM=xterm-256color")
		start := time.Now()
		tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
		if err != nil {
			return nil, 0, err
		}
		drained := make(chan int64)
		go func() {
			n, _ := io.Copy(io.Discard, tty)
			drained <- n
		}()
		err = cmd.Wait()
		d := time.Since(start)
		tty.Close()
		if n := <-drained; err != nil || n < int64(reply.Len()) {
			return nil, 0, fmt.Errorf("spark on a pty: %v, %d bytes drawn", err, n)
		}
		out = append(out, d)
		got, _ := os.ReadFile(file)
		if !bytes.Equal(got, []byte(strings.ToUpper(orig.String()))) {
			return nil, 0, fmt.Errorf("big file not edited as expected")
		}
	}
	return out, reply.Len(), nil
}

// measureApply times patch.ApplyFile for 20 scattered hunks in a 10,000-line file.
func measureApply() []time.Duration {
	var file strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&file, "\tstatement(%d, \"value %d\")\n", i, i*7)
	}
	var reply strings.Builder
	reply.WriteString("*** Begin Patch\n*** Update File: f.go\n")
	for h := 0; h < 20; h++ {
		n := 250 + h*480
		fmt.Fprintf(&reply, "@@\n \tstatement(%d, \"value %d\")\n-\tstatement(%d, \"value %d\")\n+\tchanged(%d)\n \tstatement(%d, \"value %d\")\n", n-1, (n-1)*7, n, n*7, n, n+1, (n+1)*7)
	}
	reply.WriteString("*** End Patch\n")
	p, err := patch.Parse(reply.String(), patch.FormatV4A)
	if err != nil {
		panic(err)
	}
	content := []byte(file.String())
	var out []time.Duration
	for i := 0; i < 200; i++ {
		start := time.Now()
		if _, err := patch.ApplyFile("f.go", content, p.Files[0]); err != nil {
			panic(err)
		}
		out = append(out, time.Since(start))
	}
	return out
}

// outputSizes compares what a model must write for a one-line change in a 2,000-line file: a
// V4A hunk and a SEARCH/REPLACE block with their usual context, against the whole file.
func outputSizes() (v4a, sr, whole int) {
	// A 2,000-line function: the V4A reply anchors its hunk on the function's first line.
	var file strings.Builder
	file.WriteString("func build(opts Options) (result []Result) {\n")
	for i := 0; i < 1998; i++ {
		fmt.Fprintf(&file, "\tresult = append(result, compute(%d, opts))\n", i)
	}
	file.WriteString("}\n")
	v4aReply := "Use computeFast for item 1000.\n*** Begin Patch\n*** Update File: big.go\n@@ func build(\n" +
		" \tresult = append(result, compute(997, opts))\n \tresult = append(result, compute(998, opts))\n \tresult = append(result, compute(999, opts))\n" +
		"-\tresult = append(result, compute(1000, opts))\n+\tresult = append(result, computeFast(1000, opts))\n" +
		" \tresult = append(result, compute(1001, opts))\n \tresult = append(result, compute(1002, opts))\n \tresult = append(result, compute(1003, opts))\n*** End Patch\n"
	srReply := "Use computeFast for item 1000.\nbig.go\n<<<<<<< SEARCH\n\tresult = append(result, compute(1000, opts))\n=======\n\tresult = append(result, computeFast(1000, opts))\n>>>>>>> REPLACE\n"
	wholeReply := "Use computeFast for item 1000.\nbig.go\n```go\n" + strings.Replace(file.String(), "compute(1000,", "computeFast(1000,", 1) + "```\n"
	for _, r := range []struct {
		reply string
		f     patch.Format
	}{{v4aReply, patch.FormatV4A}, {srReply, patch.FormatSearchReplace}} {
		p, err := patch.Parse(r.reply, r.f)
		if err != nil {
			panic(err)
		}
		got, err := patch.ApplyFile("big.go", []byte(file.String()), p.Files[0])
		if err != nil || !strings.Contains(string(got), "computeFast(1000, opts)") {
			panic(fmt.Sprintf("output-size reply does not apply: %v", err))
		}
	}
	return len(v4aReply), len(srReply), len(wholeReply)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func fmtMs(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}
