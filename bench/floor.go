package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func init() { suites["floor"] = runFloorBench }

const (
	floorStartRuns = 41 // --version / hello world pairs
	floorBulkMB    = 50 // size of the file cat prints through the relays
	floorBulkRuns  = 15 // pairs per sink: the runs swing by a third, so many short ones
)

// runFloorBench measures spark's fixed costs against the floor a tool of its kind can reach,
// as ratios in one run: spark --version against a Go hello world built here and against
// bench/floorapp (the card's packages with nothing of spark's own), process start →
// request at the server for spark edit and spark suggest against curl, and spark shell's bulk
// output against util-linux script, to a pipe and to a pty. Each comparison alternates the
// two commands (A B A B ...) and takes the ratio pair by pair, so that a neighbour's load that
// comes and goes hits both alike; the figure is the median of the ratios. It also reports the
// binary's size and its package initialisation, and the load average before and after.
func runFloorBench(ctx context.Context, _ []string) error {
	for _, tool := range []string{"curl", "script", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed as a baseline: %w", tool, err)
		}
	}
	loadBefore := loadAvg()
	work, bin, err := workspace(ctx, "floor")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	hello, err := buildHello(ctx, work)
	if err != nil {
		return err
	}
	before, beforeRev, err := buildFloorBefore(ctx, work)
	if err != nil {
		return err
	}
	floorApp := filepath.Join(work, "floorapp")
	if err := goBuild(ctx, "bench/floorapp", floorApp); err != nil {
		return err
	}
	t := &mdTable{
		title:  "Fixed costs against their floor (medians; ratio = median of the A/B ratios of alternating pairs)",
		header: []string{"figure", "spark", "baseline", "ratio", "target"},
	}

	v, h, err := pairs(floorStartRuns, func() (time.Duration, error) { return timeRun(ctx, work, nil, bin, "--version") },
		func() (time.Duration, error) { return timeRun(ctx, work, nil, hello) })
	if err != nil {
		return fmt.Errorf("--version: %w", err)
	}
	t.add(fmt.Sprintf("`spark --version` vs a Go hello world, start → exit (%d pairs)", floorStartRuns),
		fmtMs(median(v)), fmtMs(median(h)), pairRatio(v, h), "≤ 2×")
	bv, bh, err := pairs(floorStartRuns, func() (time.Duration, error) { return timeRun(ctx, work, nil, before, "--version") },
		func() (time.Duration, error) { return timeRun(ctx, work, nil, hello) })
	if err != nil {
		return fmt.Errorf("--version at %s: %w", beforeRev, err)
	}
	t.add(fmt.Sprintf("the same, spark built at %s (before)", beforeRev), fmtMs(median(bv)), fmtMs(median(bh)), pairRatio(bv, bh), "")
	fv, fh, err := pairs(floorStartRuns, func() (time.Duration, error) { return timeRun(ctx, work, nil, floorApp, "--version") },
		func() (time.Duration, error) { return timeRun(ctx, work, nil, hello) })
	if err != nil {
		return fmt.Errorf("floorapp --version: %w", err)
	}
	t.add("the card's packages alone (bench/floorapp) `--version` vs the hello world", fmtMs(median(fv)), fmtMs(median(fh)), pairRatio(fv, fh), "")
	sv, sf, err := pairs(floorStartRuns, func() (time.Duration, error) { return timeRun(ctx, work, nil, bin, "--version") },
		func() (time.Duration, error) { return timeRun(ctx, work, nil, floorApp, "--version") })
	if err != nil {
		return fmt.Errorf("--version against floorapp: %w", err)
	}
	t.add("`spark --version` vs bench/floorapp `--version`: what spark's own code adds", fmtMs(median(sv)), fmtMs(median(sf)), pairRatio(sv, sf), "")

	es, ec, err := measureRequestStart(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("edit request start: %w", err)
	}
	t.add(fmt.Sprintf("`spark edit` vs curl, start → request at the server (%d pairs)", len(es)),
		fmtMs(median(es)), fmtMs(median(ec)), pairRatio(es, ec), "≤ 1×")
	ss, _, sc, err := measureSuggestStart(ctx, bin, work)
	if err != nil {
		return fmt.Errorf("suggest request start: %w", err)
	}
	t.add(fmt.Sprintf("`spark suggest` vs curl, start → request at the server (%d pairs)", len(ss)),
		fmtMs(median(ss)), fmtMs(median(sc)), pairRatio(ss, sc), "≤ 1×")

	bash, _ := exec.LookPath("bash")
	env := shellBenchEnv(work, bash)
	big := filepath.Join(work, "big.txt")
	if err := writeTextFile(big, floorBulkMB<<20); err != nil {
		return err
	}
	for _, sink := range []string{"pipe", "pty", "pipe, before"} {
		run := func(argv ...string) func() (time.Duration, error) {
			return func() (time.Duration, error) {
				if strings.HasPrefix(sink, "pipe") {
					return timeToPipe(ctx, argv, env)
				}
				d, _, err := timeBulkOutput(ctx, argv, env)
				return d, err
			}
		}
		// Throughput is the inverse of time: spark's rate over script's is script's time over spark's.
		spark := bin
		if strings.HasSuffix(sink, "before") {
			spark = before
		}
		sp, sc, err := pairs(floorBulkRuns, run(spark, "shell", "-c", "cat "+big), run("script", "-qc", "cat "+big, "/dev/null"))
		if err != nil {
			return fmt.Errorf("bulk output to a %s: %w", sink, err)
		}
		mbs := func(ds []time.Duration) string {
			return fmt.Sprintf("%.0f MB/s", float64(floorBulkMB<<20)/1e6/median(ds).Seconds())
		}
		t.add(fmt.Sprintf("`spark shell -c 'cat FILE'` vs `script -qc 'cat FILE'`, %d MB to a %s (%d pairs)", floorBulkMB, sink, floorBulkRuns),
			mbs(sp), mbs(sc), pairRatio(sc, sp), "≥ 1×")
	}

	var sizes [2]float64
	var inits [2]time.Duration
	for i, b := range []string{before, bin} {
		fi, err := os.Stat(b)
		if err != nil {
			return err
		}
		sizes[i] = float64(fi.Size()) / 1e6
		if inits[i], err = initTotal(ctx, b, work); err != nil {
			return err
		}
	}
	var faults [4]int64
	for i, argv := range [][]string{{before, "--version"}, {bin, "--version"}, {hello}, {floorApp, "--version"}} {
		if faults[i], err = minorFaults(ctx, work, argv); err != nil {
			return err
		}
	}
	t.notes = append(t.notes,
		fmt.Sprintf("The binary (`go build`, as `go install` builds it): %.1f MB, %.1f MB at %s. Package initialisation of "+
			"`spark --version` (`GODEBUG=inittrace=1`, the sum of its lines, median of 21): %s, %s at %s.",
			sizes[1], sizes[0], beforeRev, fmtMs(inits[1]), fmtMs(inits[0]), beforeRev),
		fmt.Sprintf("Minor page faults, start → exit (getrusage, median of 21): `spark --version` %d, %d at %s; the hello world %d; bench/floorapp %d.",
			faults[1], faults[0], beforeRev, faults[2], faults[3]),
		fmt.Sprintf("Load average (1 min) before and after: %s and %s, on %s.", loadBefore, loadAvg(), hostInfo()))
	t.print()
	return nil
}

// floorChange is the subject of the first commit that lowered these costs: "before" is built
// from its parent. SPARK_BENCH_FLOOR_BEFORE=REV names another revision.
const floorChange = "llm: send the Chat Completions request itself instead of through openai-go's root package"

// buildFloorBefore builds spark at the revision before the floor changes.
func buildFloorBefore(ctx context.Context, work string) (bin, rev string, err error) {
	rev = os.Getenv("SPARK_BENCH_FLOOR_BEFORE")
	if rev == "" {
		h, err := commitBySubject(ctx, floorChange)
		if err != nil {
			return "", "", err
		}
		rev = h + "^"
	}
	bin, err = buildSparkAt(ctx, rev, work)
	return bin, rev, err
}

// pairs runs a and b alternately n times (after one warm-up of each) and returns their times.
func pairs(n int, a, b func() (time.Duration, error)) (as, bs []time.Duration, err error) {
	for i := -1; i < n; i++ {
		da, err := a()
		if err != nil {
			return nil, nil, err
		}
		db, err := b()
		if err != nil {
			return nil, nil, err
		}
		if i >= 0 {
			as, bs = append(as, da), append(bs, db)
		}
	}
	return as, bs, nil
}

// pairRatio is the median of a[i]/b[i], formatted.
func pairRatio(a, b []time.Duration) string {
	r := make([]float64, len(a))
	for i := range a {
		r[i] = float64(a[i]) / float64(b[i])
	}
	slices.Sort(r)
	return fmt.Sprintf("%.2f×", r[len(r)/2])
}

// timeRun times argv from start to exit, its output thrown away.
func timeRun(ctx context.Context, dir string, env []string, argv ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w", argv[0], err)
	}
	return time.Since(start), nil
}

// timeToPipe runs argv with its output to a pipe that is read as fast as possible, and times it
// from start to the end of the output.
func timeToPipe(ctx context.Context, argv, env []string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	n, err := io.CopyBuffer(io.Discard, out, buf)
	d := time.Since(start)
	if werr := cmd.Wait(); werr != nil {
		return 0, werr
	}
	if err != nil {
		return 0, err
	}
	if n < floorBulkMB<<20 {
		return 0, fmt.Errorf("%s printed %d bytes, want at least %d", argv[0], n, floorBulkMB<<20)
	}
	return d, nil
}

// buildHello builds the Go hello world that spark's start-up is compared with, by the same
// toolchain.
func buildHello(ctx context.Context, work string) (string, error) {
	dir := filepath.Join(work, "hello")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"), 0o644)
	bin := filepath.Join(work, "hello-world")
	return bin, goBuild(ctx, dir, bin)
}

// initTotal is the median over 21 runs of spark --version's package initialisation, the sum of
// the clock times GODEBUG=inittrace=1 prints.
func initTotal(ctx context.Context, bin, work string) (time.Duration, error) {
	var totals []time.Duration
	for range 21 {
		cmd := exec.CommandContext(ctx, bin, "--version")
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("inittrace: %v", err)
		}
		var total time.Duration
		for _, line := range strings.Split(errb.String(), "\n") {
			// init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs
			f := strings.Fields(line)
			if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
				continue
			}
			if ms, err := strconv.ParseFloat(f[4], 64); err == nil {
				total += time.Duration(ms * float64(time.Millisecond))
			}
		}
		totals = append(totals, total)
	}
	return median(totals), nil
}

// minorFaults is the median over 21 runs of argv's minor page faults: each first touch of a page
// of the binary, the heap or a stack, which costs more than most of start-up's instructions on a
// virtual machine.
func minorFaults(ctx context.Context, work string, argv []string) (int64, error) {
	var n []int64
	for range 21 {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = work
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("%s: %w", argv[0], err)
		}
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			return 0, fmt.Errorf("%s: no resource usage", argv[0])
		}
		n = append(n, ru.Minflt)
	}
	slices.Sort(n)
	return n[len(n)/2], nil
}

// loadAvg is the 1-minute load average.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}
