package completions

import (
	"github.com/spark-cli/spark/internal/testenv"

	"os/exec"
	"strings"
	"testing"
)

// TestScriptsParse runs each script through its shell's syntax check.
func TestScriptsParse(t *testing.T) {
	for _, sh := range Shells {
		t.Run(sh, func(t *testing.T) { scriptsParse(t, sh) })
	}
}

func scriptsParse(t *testing.T, sh string) {
	path := testenv.LookPath(t, sh)
	for kind, get := range map[string]func(string) (string, error){"completion": Completion, "widget": Widget} {
		script, err := get(sh)
		if err != nil {
			t.Fatalf("%s(%s) = %v", kind, sh, err)
		}
		check := exec.Command(path, "-n")
		if sh == "fish" {
			check = exec.Command(path, "--no-execute")
		}
		check.Stdin = strings.NewReader(script)
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("%s %s script does not parse: %v\n%s", sh, kind, err, out)
		}
	}
}

func TestUnknownShell(t *testing.T) {
	for _, get := range []func(string) (string, error){Completion, Widget} {
		if _, err := get("tcsh"); err == nil || !strings.Contains(err.Error(), "bash, zsh or fish") {
			t.Errorf("unknown shell: %v, want an error naming the shells", err)
		}
	}
}
