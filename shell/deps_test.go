package shell

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps package shell a library: no CLI framework, no colour, nothing of spark's
// other packages.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/urfave/cli", "github.com/fatih/color", "github.com/spark-cli/spark/cmd",
			"github.com/spark-cli/spark/edit", "github.com/spark-cli/spark/llm"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("package shell depends on %s", dep)
			}
		}
	}
}
