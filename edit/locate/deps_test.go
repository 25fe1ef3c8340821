package locate

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps locate a library: no CLI, terminal colour, shell session or model client.
func TestDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/spark-cli/spark/edit/locate").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/urfave/cli", "github.com/fatih/color", "github.com/spark-cli/spark/cmd",
			"github.com/spark-cli/spark/shell", "github.com/spark-cli/spark/llm"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("edit/locate depends on %s", dep)
			}
		}
	}
}
