package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingFailsWhenRequired runs a test that looks up a command that does not exist, once
// as a developer would and once as CI does, in a child test binary so the failure is observed
// rather than suffered.
func TestMissingFailsWhenRequired(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") != "" {
		LookPath(t, "spark-no-such-tool-xyzzy")
		t.Log("reached past a missing tool")
		return
	}
	for _, tc := range []struct {
		require  string
		wantFail bool
		wantOut  string
	}{
		{"", false, "--- SKIP"},
		{"1", true, "--- FAIL"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingFailsWhenRequired$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", RequireVar+"="+tc.require)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tc.wantFail {
			t.Errorf("%s=%q: child failed = %v, want %v\n%s", RequireVar, tc.require, failed, tc.wantFail, out)
		}
		if !strings.Contains(string(out), tc.wantOut) || !strings.Contains(string(out), "spark-no-such-tool-xyzzy") {
			t.Errorf("%s=%q: child output lacks %q naming the tool:\n%s", RequireVar, tc.require, tc.wantOut, out)
		}
		if strings.Contains(string(out), "reached past a missing tool") {
			t.Errorf("%s=%q: the test went on without its tool:\n%s", RequireVar, tc.require, out)
		}
	}
}

func TestLookPathFindsSh(t *testing.T) {
	if p := LookPath(t, "sh"); !strings.HasSuffix(p, "/sh") {
		t.Errorf("LookPath(sh) = %q, want a path ending in /sh", p)
	}
}
