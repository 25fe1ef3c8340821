package safe

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps safe a leaf that every spark package may import: the standard library only.
func TestDeps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/spark-cli/spark/internal/safe" {
			t.Errorf("internal/safe depends on %s", dep)
		}
	}
}
