package llm

import (
	"github.com/spark-cli/spark/internal/testenv"

	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spark-cli/spark/llm/llmtest"
)

// The wire cases are responses recorded from real servers, kept byte for byte. They live outside
// the project, in a "shared/wirecases" directory beside the checkout or above it;
// TestWireCases replays them through the client when they are there.

// wirePatch is the text that the content deltas of every wire case spell.
const wirePatch = "*** Begin Patch\n*** Update File: calc.go\n@@ func add(a, b int) int {\n-\treturn a - b\n+\treturn a + b\n*** End Patch"

// wireStep is the llmtest step that answers with a recorded response.
func wireStep(t *testing.T, dir string) llmtest.Step {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	status, err := strconv.Atoi(strings.TrimSpace(read("status")))
	if err != nil {
		t.Fatalf("%s: status: %v", dir, err)
	}
	body := read("stream.sse")
	if status == http.StatusOK {
		return llmtest.Step{Raw: body}
	}
	st := llmtest.Step{Status: status, ErrorBody: body}
	for _, l := range strings.Split(read("headers"), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "Retry-After") {
			st.RetryAfter = strings.TrimSpace(v)
		}
	}
	return st
}

// TestWireCases streams each recorded response through the client and checks that it yields
// the patch, or fails with the server's own words, as the case expects.
func TestWireCases(t *testing.T) {
	root := testenv.SharedData(t, "wirecases")
	if root == "" {
		t.Skip("no shared/wirecases beside the checkout: the wire cases are not part of the project")
	}
	dirs, err := filepath.Glob(filepath.Join(root, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no wire cases under %s (%v)", root, err)
	}
	pass := 0
	for _, dir := range dirs {
		name := filepath.Base(dir)
		expect, err := os.ReadFile(filepath.Join(dir, "expect"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := strings.TrimSpace(string(expect))
		step := wireStep(t, dir)
		srv := llmtest.NewServer(t, step)
		srv.Repeat(step) // a retried request gets the same answer, as from the real server
		res, err := newTestClient(srv).Stream(context.Background(), userMsg("apply case-"+name), nil)
		switch {
		case want == "apply" && err != nil:
			t.Errorf("%s: Stream error %v, want the patch", name, err)
		case want == "apply" && strings.TrimSpace(res.Text) != wirePatch:
			t.Errorf("%s: Stream text = %q, want %q", name, res.Text, wirePatch)
		case strings.HasPrefix(want, "error:") && err == nil:
			t.Errorf("%s: Stream = %q, nil error; want an error saying %q", name, res.Text, want[6:])
		case strings.HasPrefix(want, "error:") && !strings.Contains(errorText(err), want[6:]):
			t.Errorf("%s: Stream error %q, want it to say %q", name, errorText(err), want[6:])
		case want != "apply" && !strings.HasPrefix(want, "error:"):
			t.Errorf("%s: unknown expectation %q", name, want)
		default:
			pass++
		}
	}
	t.Logf("wire: %d of %d cases pass", pass, len(dirs))
}

// errorText is what the user sees of err: its line and, for an *Error, its hint.
func errorText(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Hint != "" {
		return err.Error() + "\n" + e.Hint
	}
	return err.Error()
}
