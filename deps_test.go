package main

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/spark-cli/spark/internal/testenv"
)

const module = "github.com/spark-cli/spark"

// TestLayering states in one place which of the project's packages each library may depend on
// (directly or not), and that no library depends on the command line's frameworks. cmd composes
// the libraries; the libraries never reach up into it or sideways into each other.
func TestLayering(t *testing.T) {
	// Outside packages that only cmd may use: the CLI framework and terminal colour.
	cliOnly := []string{"github.com/urfave/cli", "github.com/fatih/color"}
	tests := []struct {
		pkg   string
		allow []string // the project's packages it may depend on
	}{
		{"edit", []string{"edit/patch"}},
		{"edit/patch", nil},
		{"edit/locate", nil},
		{"llm", nil},
		{"llm/llmtest", nil},
		{"shell", nil},
		{"completions", nil},
	}
	goCmd := testenv.LookPath(t, "go")
	for _, tc := range tests {
		t.Run(tc.pkg, func(t *testing.T) {
			out, err := exec.Command(goCmd, "list", "-deps", module+"/"+tc.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tc.pkg, err)
			}
			allowed := map[string]bool{module + "/" + tc.pkg: true}
			for _, a := range tc.allow {
				allowed[module+"/"+a] = true
			}
			var bad []string
			for _, dep := range strings.Fields(string(out)) {
				if strings.HasPrefix(dep, module+"/") && !allowed[dep] {
					bad = append(bad, dep)
				}
				for _, c := range cliOnly {
					if dep == c || strings.HasPrefix(dep, c+"/") {
						bad = append(bad, dep)
					}
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				t.Errorf("%s depends on %v; it may use only %v of the project and none of %v", tc.pkg, bad, tc.allow, cliOnly)
			}
		})
	}
}
