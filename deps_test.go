package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
		{"edit", []string{"edit/patch", "internal/lazy", "internal/safe", "internal/toml"}, nil},
		{"edit/patch", nil, nil},
		{"edit/locate", []string{"internal/lazy"}, nil},
		{"llm", []string{"internal/safe"}, []string{openaiRoot}},
		{"llm/llmtest", nil, nil},
		{"shell", []string{"internal/lazy", "internal/safe"}, nil},
		{"completions", nil, nil},
		{"internal/safe", nil, nil},
		{"internal/toml", nil, nil},
		{"internal/lazy", nil, nil},
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

// TestNoStartupCode checks that none of spark's own packages runs code while the program starts:
// every command pays for package initialisation, --version included, and what a command needs
// (compiled expressions, tables) is made on its first use (internal/lazy). A package-level map
// literal, a sync.OnceValue or a function call in a var declaration gives the package an init
// function in the binary, named PKG.init or PKG.map.init.N; a func init() is PKG.init.N. The
// main package is named main there.
func TestNoStartupCode(t *testing.T) {
	goCmd := testenv.LookPath(t, "go")
	bin := filepath.Join(t.TempDir(), "spark")
	build := exec.Command(goCmd, "build", "-tags", "urfave_cli_no_docs", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(goCmd, "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	initFunc := regexp.MustCompile(`^(?:main|` + regexp.QuoteMeta(module) + `(?:/[\w/.-]+)?)\.(?:init(?:\.\d+)?|map\.init\.\d+)$`)
	var found, ours int
	var inits []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[1] != "T" {
			continue
		}
		found++
		if strings.HasPrefix(f[2], module+"/") {
			ours++
		}
		if initFunc.MatchString(f[2]) {
			inits = append(inits, f[2])
		}
	}
	if ours == 0 {
		t.Fatalf("go tool nm lists %d functions, none of %s: the check below would prove nothing", found, module)
	}
	if len(inits) > 0 {
		t.Errorf("spark's packages run code at start-up: %v", inits)
	}
}
