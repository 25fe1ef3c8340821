package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
)

func init() { suites["shell"] = runShellBench }

const (
	shellBigMB      = 200 // size of the file cat prints
	shellRuns       = 5   // throughput runs per wrapper
	shellKeystrokes = 300 // echo round trips per wrapper
	shellCommands   = 100 // commands in the long session
)

// runShellBench measures the spark shell relay against util-linux script and against no wrapper,
// in the same run: bulk output throughput, keystroke echo latency, and memory. It prints one
// table.
func runShellBench(ctx context.Context, _ []string) error {
	if _, err := exec.LookPath("script"); err != nil {
		return fmt.Errorf("util-linux script is needed as the baseline: %w", err)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		return fmt.Errorf("bash is needed: %w", err)
	}
	work, err := os.MkdirTemp("", "spark-bench-shell")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "spark")
	if err := goBuild(ctx, ".", bin); err != nil {
		return err
	}
	big := filepath.Join(work, "big.txt")
	if err := writeTextFile(big, shellBigMB<<20); err != nil {
		return err
	}
	env := shellBenchEnv(work, bash)

	type row struct{ name, value, target string }
	var rows []row
	add := func(name, value, target string) {
		rows = append(rows, row{name, value, target})
		fmt.Fprintf(os.Stderr, "  %-62s %s\n", name, value)
	}

	// Throughput: the three interleaved, so that a noisy neighbour hits them alike.
	wrappers := []struct {
		name string
		argv []string
	}{
		{"cat, no wrapper", []string{"cat", big}},
		{"script -qc 'cat FILE' /dev/null", []string{"script", "-qc", "cat " + big, "/dev/null"}},
		{"spark shell -c 'cat FILE'", []string{bin, "shell", "-c", "cat " + big}},
	}
	rates := make([][]float64, len(wrappers))
	var sparkRSS int64
	for range shellRuns {
		for i, w := range wrappers {
			d, rss, err := timeBulkOutput(ctx, w.argv, env)
			if err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			rates[i] = append(rates[i], float64(shellBigMB<<20)/1e6/d.Seconds())
			if i == 2 {
				sparkRSS = max(sparkRSS, rss)
			}
		}
	}
	for i, w := range wrappers {
		target := "baseline"
		if i == 2 {
			target = "≥ script"
		}
		add(fmt.Sprintf("bulk output, %s (MB/s, median of %d)", w.name, shellRuns), fmt.Sprintf("%.0f", medianFloat(rates[i])), target)
	}

	// Keystroke echo: one byte to the outer pty, until cat's echo of it comes back.
	echo := "stty raw -echo; printf READY; exec cat"
	lat := make([]time.Duration, 3)
	for i, argv := range [][]string{
		{"sh", "-c", echo},
		{"script", "-qc", echo, "/dev/null"},
		{bin, "shell", "-c", echo},
	} {
		ds, err := timeEcho(ctx, argv, env)
		if err != nil {
			return fmt.Errorf("echo through %s: %w", argv[0], err)
		}
		lat[i] = medianDuration(ds)
	}
	add(fmt.Sprintf("keystroke echo, no wrapper (median of %d)", shellKeystrokes), fmtMicros(lat[0]), "baseline")
	add("keystroke echo, script (median)", fmtMicros(lat[1]), "baseline")
	add("keystroke echo, spark shell (median)", fmtMicros(lat[2]), "")
	add("latency added by the spark relay (median, vs no wrapper)", fmtMicros(lat[2]-lat[0]), "≤ 1 ms")

	// Memory: the 200 MB cat above, and an interactive session of many commands with output.
	add(fmt.Sprintf("max RSS of spark, one %d MB cat", shellBigMB), fmt.Sprintf("%.1f MB", float64(sparkRSS)/1024), "bounded")
	rss, err := sessionRSS(ctx, bin, env, work)
	if err != nil {
		return fmt.Errorf("long session: %w", err)
	}
	add(fmt.Sprintf("max RSS of spark, %d recorded commands of 1 MB output each", shellCommands), fmt.Sprintf("%.1f MB", float64(rss)/1024), "bounded")

	fmt.Printf("\n**spark shell** (%s, bash %s)\n\n| figure | measured | target |\n| --- | --- | --- |\n", hostInfo(), bashVersion(bash))
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.name, r.value, r.target)
	}
	return nil
}

func shellBenchEnv(work, bash string) []string {
	home := filepath.Join(work, "home")
	run := filepath.Join(work, "run")
	os.MkdirAll(home, 0o700)
	os.MkdirAll(run, 0o700)
	os.WriteFile(filepath.Join(home, ".bashrc"), []byte("PS1='$ '\n"), 0o600)
	return []string{
		"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "SHELL=" + bash, "TERM=xterm-256color",
		"LANG=C.UTF-8", "XDG_RUNTIME_DIR=" + run,
	}
}

// writeTextFile writes size bytes of varied text lines.
func writeTextFile(path string, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	words := []string{"alpha", "beta", "gamma", "delta", "error:", "main.go:12:3", "undefined", "\tat", "ok", "--- FAIL"}
	n := 0
	for i := 0; n < size; i++ {
		line := fmt.Sprintf("%08d %s %s %s %s\n", i, words[i%10], words[(i/10)%10], words[(i/7)%10], strings.Repeat("x", i%40))
		n += len(line)
		w.WriteString(line)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// timeBulkOutput runs argv on a new pty and reads its output as fast as it can until the end;
// it returns the time from start to the end of output and the process's max RSS in KiB.
func timeBulkOutput(ctx context.Context, argv, env []string) (time.Duration, int64, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	start := time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Read(buf); err != nil {
			break // EIO: every process let go of the pty
		}
	}
	d := time.Since(start)
	if err := cmd.Wait(); err != nil {
		return 0, 0, err
	}
	return d, maxRSS(cmd.ProcessState), nil
}

// timeEcho runs argv (which puts its terminal in raw mode, prints READY and echoes its input)
// on a new pty, and times single-byte round trips.
func timeEcho(ctx context.Context, argv, env []string) ([]time.Duration, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
	if err != nil {
		return nil, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	}()
	var seen []byte
	buf := make([]byte, 256)
	for !bytes.Contains(seen, []byte("READY")) {
		n, err := f.Read(buf)
		if err != nil {
			return nil, fmt.Errorf("before READY: %w (%q)", err, seen)
		}
		seen = append(seen, buf[:n]...)
	}
	var ds []time.Duration
	for i := range shellKeystrokes + 20 {
		b := []byte{'a' + byte(i%26)}
		t0 := time.Now()
		if _, err := f.Write(b); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(f, buf[:1]); err != nil {
			return nil, err
		}
		d := time.Since(t0)
		if buf[0] != b[0] {
			return nil, fmt.Errorf("echo %q, want %q", buf[0], b[0])
		}
		if i >= 20 { // the first ones warm up
			ds = append(ds, d)
		}
		time.Sleep(time.Millisecond) // keystrokes, not a stream
	}
	return ds, nil
}

// sessionRSS runs an interactive spark shell that records shellCommands commands of 1 MB of
// output each, and returns spark's max RSS in KiB.
func sessionRSS(ctx context.Context, bin string, env []string, work string) (int64, error) {
	mb := filepath.Join(work, "one-mb.txt")
	if err := writeTextFile(mb, 1<<20); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, bin, "shell")
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 160})
	if err != nil {
		return 0, err
	}
	defer f.Close()
	done := make(chan error, 2)
	go func() {
		buf := make([]byte, 64<<10)
		var tail []byte // the end of the previous read, for a marker split across reads
		for {
			n, err := f.Read(buf)
			tail = append(tail, buf[:n]...)
			if bytes.Contains(tail, []byte("END-OF-SESSION")) {
				done <- nil
				tail = tail[:0]
			}
			tail = tail[max(0, len(tail)-32):]
			if err != nil {
				done <- err
				return
			}
		}
	}()
	var script strings.Builder
	for range shellCommands {
		fmt.Fprintf(&script, "cat %s\r", mb)
	}
	script.WriteString("echo END-OF-SESS''ION\r")
	if _, err := f.Write([]byte(script.String())); err != nil {
		return 0, err
	}
	select {
	case err := <-done:
		if err != nil {
			return 0, fmt.Errorf("session ended early: %w", err)
		}
	case <-time.After(5 * time.Minute):
		return 0, errors.New("session timed out")
	}
	f.Write([]byte("exit\r"))
	if err := cmd.Wait(); err != nil {
		return 0, err
	}
	return maxRSS(cmd.ProcessState), nil
}

func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

func medianFloat(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianDuration(v []time.Duration) time.Duration {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func fmtMicros(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d.Nanoseconds())/1e6)
}

func hostInfo() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return "linux"
	}
	b := make([]byte, 0, 65)
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	n, _ := os.ReadFile("/sys/fs/cgroup/cpu.max")
	cpus := fmt.Sprintf("%d CPUs", runtime.NumCPU())
	if s := strings.Fields(string(n)); len(s) == 2 && s[0] != "max" {
		cpus += " (cgroup " + s[0] + "/" + s[1] + ")"
	}
	return "Linux " + string(b) + ", " + cpus
}

func bashVersion(bash string) string {
	out, _ := exec.Command(bash, "-c", "echo $BASH_VERSION").Output()
	return strings.TrimSpace(string(out))
}
