package llm

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the model client a library (no CLI, terminal colour or sibling packages) and
// small: none of openai-go's API surface beyond the SSE decoder.
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
			// openai-go's root package holds its whole API surface, whose package
			// initialisation alone costs more start-up time than spark's own work.
			if pkg == "github.com/spark-cli/spark/llm" && dep == "github.com/openai/openai-go/v3" {
				t.Errorf("%s depends on %s; use its subpackages", pkg, dep)
			}
		}
	}
}
