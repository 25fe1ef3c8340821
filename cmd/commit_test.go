package cmd

import (
	"github.com/spark-cli/spark/internal/testenv"

	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/spark-cli/spark/llm/llmtest"
)

// buildSpark builds the spark binary as a user installs it, for tests that need real processes.
func buildSpark(t *testing.T) string {
	t.Helper()
	goTool := testenv.LookPath(t, "go")
	bin := filepath.Join(t.TempDir(), "spark")
	build := exec.Command(goTool, "build", "-o", bin, "github.com/spark-cli/spark")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// processEnv is a spark process's whole environment: the fake server, and a home and state
// directory of the test's own.
func processEnv(home, state, baseURL string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + state,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"OPENAI_BASE_URL=" + baseURL,
		"OPENAI_API_KEY=sk-test",
		"SPARK_MODEL=test-model",
		"NO_COLOR=1",
	}
}

// TestConcurrentEditsLoseNothing starts 20 spark edit processes at once on one file, each adding
// a line of its own: every run that exits 0 has its line in the final file, and every other run
// says, in one line, that the file changed, and wrote nothing.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	bin := buildSpark(t)
	const runs = 20
	dir, home := t.TempDir(), t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("first\nlast\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := llmtest.NewServer(t)
	for k := range runs {
		reply := fmt.Sprintf("*** Begin Patch\n*** Update File: f.txt\n@@\n first\n+line %02d\n*** End Patch\n", k)
		srv.Append(llmtest.Step{Chunks: llmtest.Split(reply, 16)})
	}
	env := processEnv(home, filepath.Join(home, "state"), srv.URL())
	cmds := make([]*exec.Cmd, runs)
	outs, errs := make([]bytes.Buffer, runs), make([]bytes.Buffer, runs)
	for i := range cmds {
		c := exec.Command(bin, "edit", "f.txt", "add your line after the first")
		c.Dir, c.Env, c.Stdout, c.Stderr = dir, env, &outs[i], &errs[i]
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = c
	}
	added := regexp.MustCompile(`(?m)^\+(line \d\d)$`)
	var won []string
	for i, c := range cmds {
		err := c.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			m := added.FindAllStringSubmatch(outs[i].String(), -1)
			if len(m) != 1 {
				t.Fatalf("run %d exited 0 with diff %q, want one added line", i, outs[i].String())
			}
			won = append(won, m[0][1])
		case errors.As(err, &exit) && exit.ExitCode() == ExitFailure:
			want := "spark: f.txt changed on disk while the model was writing; nothing written (run the edit again)\n"
			if got := errs[i].String(); got != want {
				t.Errorf("run %d failed with stderr %q, want %q", i, got, want)
			}
		default:
			t.Errorf("run %d: %v, stderr %q", i, err, errs[i].String())
		}
	}
	final, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, m := range added.FindAllStringSubmatch(strings.ReplaceAll("\n"+string(final), "\n", "\n+"), -1) {
		have = append(have, m[1])
	}
	slices.Sort(won)
	slices.Sort(have)
	if len(won) == 0 || !slices.Equal(won, have) {
		t.Errorf("runs that exited 0 added %q; the final file has %q:\n%s", won, have, final)
	}
	t.Logf("%d of %d concurrent runs committed; the others were refused", len(won), runs)
}

// TestCrashAtEveryRename kills spark edit with SIGKILL (injected by strace) at each rename of a
// four-file edit, at the rename that turns the intent log into the undo entry, and as it
// creates the intent log. The next spark command recovers: the four files end all-old or
// all-new, no temp file or intent log remains, and the undo stack matches the files.
func TestCrashAtEveryRename(t *testing.T) {
	strace := testenv.LookPath(t, "strace")
	bin := buildSpark(t)
	names := []string{"d1/f.txt", "d2/f.txt", "d3/f.txt", "d4/f.txt"}
	var reply strings.Builder
	reply.WriteString("*** Begin Patch\n")
	for _, n := range names {
		fmt.Fprintf(&reply, "*** Update File: %s\n-old %s\n+new %s\n", n, n, n)
	}
	reply.WriteString("*** End Patch\n")
	srv := llmtest.NewServer(t)
	srv.Repeat(llmtest.Step{Chunks: llmtest.Split(reply.String(), 16)})

	type point struct {
		renamed int // files renamed before the kill (or one more, if the killed rename went through)
		name    string
		path    func(work, undo string) string // strace -P: the syscall must touch it
		syscall string
	}
	var points []point
	for i, n := range names {
		points = append(points, point{i, "rename of " + n, func(work, _ string) string { return filepath.Join(work, filepath.Dir(n)) }, "renameat,renameat2"})
	}
	points = append(points,
		point{len(names), "rename of the intent log to the undo entry", func(_, undo string) string { return filepath.Join(undo, "intent") }, "renameat,renameat2"},
		point{0, "creation of the intent log", func(_, undo string) string { return filepath.Join(undo, "intent") }, "openat"},
	)
	for _, p := range points {
		work, home := t.TempDir(), t.TempDir()
		state := filepath.Join(home, "state")
		undo := filepath.Join(state, "spark", "undo")
		for _, n := range names {
			if err := os.MkdirAll(filepath.Join(work, filepath.Dir(n)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(work, n), []byte("old "+n+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		env := processEnv(home, state, srv.URL())
		args := append([]string{"-f", "-qq", "-o", os.DevNull, "-P", p.path(work, undo), "-e", "trace=" + p.syscall,
			"-e", "inject=" + p.syscall + ":signal=SIGKILL:when=1", bin, "edit"}, names...)
		c := exec.Command(strace, append(args, "mark them new")...)
		c.Dir, c.Env = work, env
		out, err := c.CombinedOutput()
		if !killed(err) {
			t.Fatalf("%s: strace spark edit = %v, want it killed by SIGKILL:\n%s", p.name, err, out)
		}

		// The kill came where it was meant to: the files before it are new, those after it old.
		renamed := 0
		for _, n := range names {
			if got, _ := os.ReadFile(filepath.Join(work, n)); strings.HasPrefix(string(got), "new") {
				renamed++
			}
		}
		if renamed != p.renamed && renamed != p.renamed+1 {
			t.Errorf("%s: %d files written at the kill, want %d", p.name, renamed, p.renamed)
		}

		// The next command recovers, and says so.
		c = exec.Command(bin, "undo", "--list")
		c.Dir, c.Env = work, env
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		if err := c.Run(); err != nil {
			t.Fatalf("%s: spark undo --list after the kill: %v\n%s", p.name, err, stderr.String())
		}
		msg := regexp.MustCompile(`^spark: (rolled back|completed) an interrupted edit of d1/f.txt, d2/f.txt, d3/f.txt, d4/f.txt\n$`)
		if p.syscall != "openat" && !msg.MatchString(stderr.String()) {
			t.Errorf("%s: spark undo --list said %q, want one line on the recovery", p.name, stderr.String())
		}

		side := ""
		for _, n := range names {
			got, err := os.ReadFile(filepath.Join(work, n))
			if err != nil {
				t.Fatal(err)
			}
			s := strings.Fields(string(got))[0] // "old" or "new"
			if side != "" && s != side {
				t.Errorf("%s: after recovery %s is %s, but another file is %s", p.name, n, s, side)
			}
			side = s
		}
		t.Logf("killed at the %s: all %s after %q", p.name, side, stderr.String())
		assertOnly(t, p.name, work, []string{"d1", "d1/f.txt", "d2", "d2/f.txt", "d3", "d3/f.txt", "d4", "d4/f.txt"})
		entries, _ := os.ReadDir(undo)
		var left []string
		for _, e := range entries {
			left = append(left, e.Name())
		}
		if side == "new" {
			if !slices.Equal(left, []string{"0000000000000001", "lock"}) || !strings.HasPrefix(stdout.String(), "1  ") {
				t.Errorf("%s: all new, but the undo directory holds %q and the list is %q", p.name, left, stdout.String())
			}
			c = exec.Command(bin, "undo")
			c.Dir, c.Env = work, env
			if out, err := c.CombinedOutput(); err != nil {
				t.Errorf("%s: spark undo after recovery: %v\n%s", p.name, err, out)
			}
			for _, n := range names {
				if got, _ := os.ReadFile(filepath.Join(work, n)); string(got) != "old "+n+"\n" {
					t.Errorf("%s: after undo %s = %q, want it old", p.name, n, got)
				}
			}
		} else if stdout.String() != "nothing to undo\n" || slices.ContainsFunc(left, func(s string) bool { return s != "lock" }) {
			t.Errorf("%s: all old, but the undo directory holds %q and the list is %q", p.name, left, stdout.String())
		}
	}
}

// killed reports whether err says the process was killed by SIGKILL: strace passes its tracee's
// death on by killing itself with the same signal, or exits 128+9.
func killed(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && (ws.Signaled() && ws.Signal() == syscall.SIGKILL || ws.Exited() && ws.ExitStatus() == 128+int(syscall.SIGKILL))
}

// assertOnly fails the test when root holds anything but want (slash-separated, relative).
func assertOnly(t *testing.T, what, root string, want []string) {
	t.Helper()
	var have []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if rel, _ := filepath.Rel(root, p); rel != "." {
			have = append(have, filepath.ToSlash(rel))
		}
		return err
	})
	if !slices.Equal(have, want) {
		t.Errorf("%s: after recovery the tree holds %q, want %q", what, have, want)
	}
}
