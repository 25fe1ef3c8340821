package main

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
)

const startupRuns = 60

// startupChanges are the subjects of the commits that shortened start-up; the comparison builds
// spark from the parent of the first and from the last. SPARK_BENCH_STARTUP=BEFORE..AFTER
// compares two other revisions.
var startupChanges = []string{
	"llm: render the chat completion body directly instead of through the SDK's reflection encoder",
}

// benchStartup times process start → request at a local server for spark built before and
// after the start-up changes, interleaved, and breaks the current build's package initialisation
// down with GODEBUG=inittrace=1.
func benchStartup(ctx context.Context, bin, work string) (*mdTable, error) {
	t := &mdTable{
		title:  fmt.Sprintf("Start-up: process start → request at a local server, plain HTTP (medians of %d, interleaved)", startupRuns),
		header: []string{"spark edit built from", "start → request", "start → exit"},
		timed:  true,
	}
	bins := []struct{ name, path string }{}
	before, after, err := startupRevisions(ctx)
	if err != nil {
		t.notes = append(t.notes, "Before/after skipped: "+err.Error()+".")
	} else {
		for _, rev := range []string{before, after} {
			p, err := buildSparkAt(ctx, rev, work)
			if err != nil {
				return nil, err
			}
			bins = append(bins, struct{ name, path string }{rev, p})
		}
	}
	bins = append(bins, struct{ name, path string }{"this tree", bin})

	srv, err := llmtest.Start()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	file := filepath.Join(work, "main.go")
	req := make([][]time.Duration, len(bins))
	exit := make([][]time.Duration, len(bins))
	for i := 0; i < startupRuns; i++ {
		for j, b := range bins {
			if err := os.WriteFile(file, []byte(smallFile), 0o644); err != nil {
				return nil, err
			}
			srv.Append(llmtest.Step{Chunks: llmtest.Split(smallReply, 16)})
			r := runSpark(ctx, srv, b.path, work, benchEnv(work, srv.URL()), "edit", "main.go", "rename x to y")
			if r.err != nil {
				return nil, fmt.Errorf("%s: %w", b.name, r.err)
			}
			req[j] = append(req[j], r.reqs[0].Arrived.Sub(r.start))
			exit[j] = append(exit[j], r.exited.Sub(r.start))
		}
	}
	drain(srv)
	for j, b := range bins {
		t.add(b.name, spread(req[j]), spread(exit[j]))
	}
	if len(bins) == 3 {
		t.notes = append(t.notes, fmt.Sprintf("Before/after the start-up changes: %s saved (%s → %s). They take CPU off "+
			"the main goroutine's path to the request; with pre-dial on, the request can then wait for the connection "+
			"instead, so they show end to end where the connection is ready first.",
			fmtMs(median(req[0])-median(req[1])), fmtMs(median(req[0])), fmtMs(median(req[1]))))
	}

	inits, err := initTrace(ctx, bin, work)
	if err != nil {
		return nil, err
	}
	t.notes = append(t.notes, inits)
	return t, nil
}

// startupRevisions finds the revisions to compare: the parent of the first start-up change and
// the last one.
func startupRevisions(ctx context.Context) (before, after string, err error) {
	if v := os.Getenv("SPARK_BENCH_STARTUP"); v != "" {
		b, a, ok := strings.Cut(v, "..")
		if !ok {
			return "", "", fmt.Errorf("SPARK_BENCH_STARTUP=%q: want BEFORE..AFTER", v)
		}
		return b, a, nil
	}
	var found []string
	for _, subject := range startupChanges {
		h, err := commitBySubject(ctx, subject)
		if err != nil {
			return "", "", err
		}
		found = append(found, h)
	}
	return found[0] + "^", found[len(found)-1], nil
}

// commitBySubject finds the newest commit whose message contains subject.
func commitBySubject(ctx context.Context, subject string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "log", "--format=%h", "-F", "--grep="+subject, "-1").Output()
	if err != nil {
		return "", fmt.Errorf("git log: %v", err)
	}
	h := strings.TrimSpace(string(out))
	if h == "" {
		return "", fmt.Errorf("commit %q not in this history", subject)
	}
	return h, nil
}

// buildSparkAt builds spark from the committed tree of rev (git archive), as buildSpark does.
func buildSparkAt(ctx context.Context, rev, work string) (string, error) {
	src, err := os.MkdirTemp(work, "src-")
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, "git", "archive", "--format=tar", rev).Output()
	if err != nil {
		return "", fmt.Errorf("git archive %s: %v", rev, err)
	}
	tr := tar.NewReader(bytes.NewReader(out))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		p := filepath.Join(src, filepath.FromSlash(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			var data []byte
			if data, err = io.ReadAll(tr); err == nil {
				err = os.WriteFile(p, data, os.FileMode(h.Mode)&0o777)
			}
		}
		if err != nil {
			return "", err
		}
	}
	bin := filepath.Join(work, "spark-"+strings.NewReplacer("^", "-parent", "/", "-").Replace(rev))
	if err := goBuild(ctx, src, bin); err != nil {
		return "", fmt.Errorf("at %s: %w", rev, err)
	}
	return bin, nil
}

// initTrace runs spark edit --show-prompt (which stops before any network) with
// GODEBUG=inittrace=1 and summarises the package initialisation: its median total and the
// packages that take the most.
func initTrace(ctx context.Context, bin, work string) (string, error) {
	const runs = 20
	var totals []time.Duration
	per := map[string][]time.Duration{}
	for i := 0; i < runs; i++ {
		cmd := exec.CommandContext(ctx, bin, "edit", "--show-prompt", "main.go", "rename x to y")
		cmd.Dir = work
		cmd.Env = append(benchEnv(work, "http://127.0.0.1:9/v1"), "GODEBUG=inittrace=1")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("inittrace run: %v: %s", err, errb.String())
		}
		var total time.Duration
		for _, line := range strings.Split(errb.String(), "\n") {
			// init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs
			f := strings.Fields(line)
			if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
				continue
			}
			ms, err := strconv.ParseFloat(f[4], 64)
			if err != nil {
				continue
			}
			d := time.Duration(ms * float64(time.Millisecond))
			total += d
			per[f[1]] = append(per[f[1]], d)
		}
		totals = append(totals, total)
	}
	type pkg struct {
		name string
		d    time.Duration
	}
	var pkgs []pkg
	for name, ds := range per {
		pkgs = append(pkgs, pkg{name, median(ds)})
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].d > pkgs[j].d })
	var top []string
	for _, p := range pkgs[:min(6, len(pkgs))] {
		top = append(top, fmt.Sprintf("%s %s", strings.TrimPrefix(p.name, "github.com/"), fmtMs(p.d)))
	}
	return fmt.Sprintf("Package initialisation of this build (GODEBUG=inittrace=1, median of %d): %s in all; the largest: %s.",
		runs, fmtMs(median(totals)), strings.Join(top, ", ")), nil
}
