package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/llm/llmtest"
	"github.com/spark-cli/spark/shell"
)

// escapes is what a hostile reply, file or server body holds to act on the terminal that shows
// it: OSC 52 (the clipboard), OSC 0 (the title), a screen clear, an OSC 8 link, C1 CSI and OSC,
// BEL, backspaces that hide text and a right-to-left override.
const escapes = "\x1b]52;c;cHduZWQ=\a \x1b]0;owned\x1b\\ \x1b[2J \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ " +
	"\u009b2J \u009d0;owned\u009c ding\a hid\b\b\b \u202eevil"

// sparkOwn matches the escape sequences spark itself prints: colours and the spinner's erase.
var sparkOwn = regexp.MustCompile(`\x1b\[[0-9;]*m|\x1b\[K`)

// assertInert fails if out holds anything of escapes that a terminal would act on, and checks
// that the escapes are there, shown inertly.
func assertInert(t *testing.T, what, out string) {
	t.Helper()
	rest := sparkOwn.ReplaceAllString(out, "")
	for _, bad := range []string{"\x1b", "\a", "\b", "\u009b", "\u009d", "\u009c", "\u202e"} {
		if strings.Contains(rest, bad) {
			t.Errorf("%s: output holds %q:\n%q", what, bad, out)
		}
	}
	for _, want := range []string{"^[]52;c;cHduZWQ=^G", "^[]0;owned^[\\", "^[[2J", "^[]8;;http://evil.example", "<U+009B>2J", "<U+009D>0;owned<U+009C>", "hid^H^H^H", "<U+202E>evil"} {
		if !strings.Contains(rest, want) {
			t.Errorf("%s: output lacks %q:\n%q", what, want, out)
		}
	}
}

// errorBody is an OpenAI error response carrying msg.
func errorBody(msg string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"message": msg, "type": "invalid_request_error"}})
	return string(b)
}

// pipeSpark runs the spark binary with stdout and stderr on pipes.
func pipeSpark(t *testing.T, dir string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	bin, err := exec.LookPath("spark")
	if err != nil {
		t.Fatalf("spark is not on PATH: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run spark: %v", err)
	}
	return code, out.String(), errb.String()
}

// TestEscapesShownInert runs the real binary on a pty and on pipes with the escape corpus in a
// reply's prose, in the lines of the file a diff shows, in a server's error body and in a
// recorded command's output.
func TestEscapesShownInert(t *testing.T) {
	file := "keep " + escapes + "\nx := 1\n"
	reply := "Done. " + escapes + "\n*** Begin Patch\n*** Update File: a.txt\n keep " + escapes + "\n-x := 1\n+x := 2\n*** End Patch\n"
	session := fakeSession(t, shell.Record{Command: "cat evil " + escapes, Cwd: "/src", Status: 1, Start: time.Now(), Output: escapes + "\n"})

	cases := []struct {
		name string
		step *llmtest.Step
		args []string
		code int
	}{
		{"reply and file in a diff", &llmtest.Step{Chunks: llmtest.Split(reply, 7)}, []string{"edit", "--dry-run", "a.txt", "change x"}, 0},
		{"server error body", &llmtest.Step{Status: 400, ErrorBody: errorBody("bad " + escapes)}, []string{"edit", "a.txt", "change x"}, 1},
		{"reply without an edit", &llmtest.Step{Chunks: llmtest.Split("Nothing to change. "+escapes+"\n", 7)}, []string{"edit", "a.txt", "change x"}, 1},
		{"recorded output in history", nil, []string{"history"}, 0},
	}
	for _, c := range cases {
		for _, mode := range []string{"pty", "pipe"} {
			t.Run(c.name+"/"+mode, func(t *testing.T) {
				var steps []llmtest.Step
				if c.step != nil {
					steps = append(steps, *c.step)
				}
				srv := llmtest.NewServer(t, steps...)
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(file), 0o644); err != nil {
					t.Fatal(err)
				}
				env := testEnv(t, srv.URL())
				env["SPARK_SESSION"] = session
				env["SPARK_NO_RETRY"] = "1"
				if mode == "pty" {
					p := startPtySpark(t, dir, env, c.args...)
					if code := p.exit(); code != c.code {
						t.Fatalf("spark %s on a pty = exit %d, want %d:\n%q", strings.Join(c.args, " "), code, c.code, p.screen())
					}
					<-p.done
					assertInert(t, "pty", p.screen())
					return
				}
				code, out, errOut := pipeSpark(t, dir, env, c.args...)
				if code != c.code {
					t.Fatalf("spark %s = exit %d, want %d; stderr %q", strings.Join(c.args, " "), code, c.code, errOut)
				}
				assertInert(t, "stdout and stderr", out+errOut)
			})
		}
	}
}

// TestHistoryJSONExact checks that spark history --json stays exact JSON: the records decode to
// what was recorded, and the characters a terminal would act on are escaped by the encoder.
func TestHistoryJSONExact(t *testing.T) {
	rec := shell.Record{Command: "cat " + escapes, Cwd: "/src", Status: 1, Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Output: escapes + "\x7f\n"}
	env := map[string]string{"SPARK_SESSION": fakeSession(t, rec)}
	code, out, errOut := pipeSpark(t, t.TempDir(), env, "history", "--json")
	if code != 0 {
		t.Fatalf("spark history --json = exit %d, %q", code, errOut)
	}
	var got []shell.Record
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got[0] != rec {
		t.Fatalf("spark history --json = %q, %v; want the record exactly", out, err)
	}
	for _, bad := range []string{"\x1b", "\a", "\b", "\x7f", "\u009b", "\u009d", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("spark history --json holds %q raw:\n%q", bad, out)
		}
	}
}

// TestReplyControlBytesRefused checks that a reply adding NUL or ESC to a text file that had none
// is refused whole with one clear line, whether it would be written, shown as a dry run or
// filtered: nothing is written and no repair is asked for.
func TestReplyControlBytesRefused(t *testing.T) {
	const file = "a\nb\nc\n"
	reply := "*** Begin Patch\n*** Update File: a.txt\n a\n-b\n+b\x00\x1b]52;c;eA==\x07\n c\n*** End Patch\n"
	for _, args := range [][]string{{"edit", "a.txt", "change b"}, {"edit", "--dry-run", "a.txt", "change b"}} {
		srv := llmtest.NewServer(t, llmtest.Step{Chunks: llmtest.Split(reply, 9)})
		dir := t.TempDir()
		path := filepath.Join(dir, "a.txt")
		if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := pipeSpark(t, dir, testEnv(t, srv.URL()), args...)
		got, _ := os.ReadFile(path)
		if code != 1 || string(got) != file || out != "" || len(srv.Requests()) != 1 ||
			!strings.Contains(errOut, "spark: edit a.txt: the reply puts control character NUL (0x00) into line 2") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("spark %s = exit %d, file %q, stdout %q, stderr %q, %d requests; want exit 1, the file as it was, one line, one request",
				strings.Join(args, " "), code, got, out, errOut, len(srv.Requests()))
		}
	}
}

// TestFileNamesShownInert: a file's name is outside text too. A glob that meets a symlink out
// of the tree says so, and an edit and its undo name the file, all without the name's escapes
// reaching the terminal.
func TestFileNamesShownInert(t *testing.T) {
	const evil = "b\x1b]0;owned\a.txt"
	reply := "*** Begin Patch\n*** Update File: " + evil + "\n-x := 1\n+x := 2\n*** End Patch\n"
	srv := llmtest.NewServer(t, llmtest.Step{Chunks: llmtest.Split(reply, 5)})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, evil), []byte("x := 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "l\x1b]0;owned\a.txt")); err != nil {
		t.Fatal(err)
	}
	env := testEnv(t, srv.URL())
	for _, args := range [][]string{{"edit", "*.txt", "change x"}, {"undo"}} {
		code, out, errOut := pipeSpark(t, dir, env, args...)
		if code != 0 {
			t.Fatalf("spark %s = exit %d; stdout %q, stderr %q", strings.Join(args, " "), code, out, errOut)
		}
		all := out + errOut
		if strings.ContainsAny(all, "\x1b\a") {
			t.Errorf("spark %s printed a file name raw:\n%q", strings.Join(args, " "), all)
		}
		if !strings.Contains(all, "b^[]0;owned^G.txt") {
			t.Errorf("spark %s does not name the file inertly:\n%q", strings.Join(args, " "), all)
		}
	}
}
