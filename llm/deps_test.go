package llm

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the model client a library: no CLI, terminal colour or sibling packages.
func TestDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for _, pkg := range []string{"github.com/spark-cli/spark/llm", "github.com/spark-cli/spark/llm/llmtest"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range []string{"github.com/urfave/cli", "github.com/fatih/color", "github.com/spark-cli/spark/cmd", "github.com/spark-cli/spark/edit", "github.com/spark-cli/spark/shell"} {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
