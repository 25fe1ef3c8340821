package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/shell"
)

// fakeSession makes a session directory in the layout spark shell writes, owned by this process.
func fakeSession(t *testing.T, recs ...shell.Record) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pid"), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b)+"\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "records.jsonl"), []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestHistory(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	recs := []shell.Record{
		{Command: "make", Cwd: "/src", Status: 2, Start: start, Duration: 1200 * time.Millisecond, Output: "make: *** [all] Error 1"},
		{Command: "ls", Cwd: "/src", Status: 0, Start: start.Add(time.Minute), Duration: 3 * time.Millisecond, Output: "Makefile"},
	}
	env := map[string]string{"SPARK_SESSION": fakeSession(t, recs...)}

	code, out, errOut := runSpark(context.Background(), t, env, "history")
	if code != 0 || out != shell.Format(recs, 0) || errOut != "" {
		t.Errorf("spark history = %d, %q, %q; want 0 and Format's text", code, out, errOut)
	}
	code, out, _ = runSpark(context.Background(), t, env, "history", "-n", "1")
	if code != 0 || out != "# /src · exit 0 · 3ms\n$ ls\nMakefile\n" {
		t.Errorf("spark history -n 1 = %d, %q", code, out)
	}
	code, out, _ = runSpark(context.Background(), t, env, "history", "--json")
	var got []shell.Record
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got) != 2 || got[0] != recs[0] || got[1] != recs[1] {
		t.Errorf("spark history --json = %d, %v, %+v", code, err, got)
	}
	if !strings.Contains(out, `"duration_ms": 1200`) {
		t.Errorf("spark history --json: durations not in milliseconds:\n%s", out)
	}

	empty := map[string]string{"SPARK_SESSION": fakeSession(t)}
	if code, out, errOut := runSpark(context.Background(), t, empty, "history"); code != 0 || out != "" || !strings.Contains(errOut, "no commands recorded yet") {
		t.Errorf("spark history in an empty session = %d, %q, %q", code, out, errOut)
	}
	if code, out, _ := runSpark(context.Background(), t, empty, "history", "--json"); code != 0 || out != "[]\n" {
		t.Errorf("spark history --json in an empty session = %d, %q", code, out)
	}
}

func TestHistoryOutsideSession(t *testing.T) {
	for _, env := range []map[string]string{
		nil,
		{"SPARK_SESSION": t.TempDir()}, // no live process owns it
	} {
		code, out, errOut := runSpark(context.Background(), t, env, "history")
		if code != ExitFailure || out != "" || errOut != "spark: history: not inside a spark shell session (start one with: spark shell)\n" {
			t.Errorf("spark history outside a session (%v) = %d, %q, %q", env, code, out, errOut)
		}
	}
}

func TestHistoryUsage(t *testing.T) {
	for _, args := range [][]string{{"history", "extra"}, {"history", "-n", "-1"}, {"history", "-n", "x"}} {
		if code, _, errOut := runSpark(context.Background(), t, nil, args...); code != ExitUsage || !strings.HasPrefix(errOut, "spark: ") {
			t.Errorf("spark %q = %d, %q; want a usage error", args, code, errOut)
		}
	}
}
