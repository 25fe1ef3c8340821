package main

import (
	"os"
	"os/exec"
	"slices"
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
	// openai-go's root package holds its whole API surface, whose package initialisation alone
	// costs more start-up time than spark's own work: the model client uses its subpackages.
	const openaiRoot = "github.com/openai/openai-go/v3"
	tests := []struct {
		pkg   string
		allow []string // the project's packages it may depend on
		ban   []string // outside packages it must not depend on (exactly these, not their subpackages)
	}{
		{"edit", []string{"edit/patch", "internal/safe", "internal/toml"}, nil},
		{"edit/patch", nil, nil},
		{"edit/locate", nil, nil},
		{"llm", []string{"internal/safe"}, []string{openaiRoot}},
		{"llm/llmtest", nil, nil},
		{"shell", []string{"internal/safe"}, nil},
		{"completions", nil, nil},
		{"internal/safe", nil, nil},
		{"internal/toml", nil, nil},
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
				if slices.Contains(tc.ban, dep) {
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
				t.Errorf("%s depends on %v; it may use only %v of the project and none of %v", tc.pkg, bad, tc.allow, append(cliOnly, tc.ban...))
			}
		})
	}
}

// TestBinaryDeps checks what the README's install command leaves out of the spark binary, since
// every linked package costs start-up time and start-up is a product surface:
//   - general TOML libraries: github.com/BurntSushi/toml reads the local time zone when the
//     program starts and links far more code than a config file and a syntax check need.
//     internal/toml parses TOML instead; the library stays a test dependency, to check that
//     parser against;
//   - urfave/cli's documentation generators (the urfave_cli_no_docs tag).
func TestBinaryDeps(t *testing.T) {
	const installTags = "urfave_cli_no_docs" // as in the README's first command
	banned := []string{"github.com/BurntSushi/toml", "github.com/cpuguy83/go-md2man/v2"}
	goCmd := testenv.LookPath(t, "go")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "go install -tags "+installTags+" .") {
		t.Fatalf("README.md's install command does not build with -tags %s", installTags)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-tags", installTags, module).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", module, err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/internal/toml") {
		t.Fatalf("go list -deps %s does not list internal/toml: the check below would prove nothing", module)
	}
	for _, dep := range deps {
		for _, b := range banned {
			if dep == b || strings.HasPrefix(dep, b+"/") {
				t.Errorf("the spark binary depends on %s", dep)
			}
		}
	}
}
