package locate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzLocate feeds arbitrary output to Locate over a small tree with a file outside it. Whatever
// the output, Locate must not fail, must send only files inside the root, and must keep the
// error text within its bound. The corpus outputs are the seeds.
func FuzzLocate(f *testing.F) {
	paths, _ := filepath.Glob("testdata/corpus/*.txtar")
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if file.Name == "output" {
				f.Add(string(file.Data))
			}
		}
	}
	f.Add("main.go:3:1: error\n../outside/secret.go:1:1: error\n\tlink.go:1 +0x1d\n")
	base := f.TempDir()
	root := filepath.Join(base, "root")
	for p, content := range map[string]string{
		"root/main.go":      "package main\n\nfunc main() {}\n",
		"root/pkg/a.py":     "def f():\n    pass\n",
		"outside/secret.go": "package secret\n",
	} {
		full := filepath.Join(base, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(content), 0o644)
	}
	os.Symlink(filepath.Join(base, "outside", "secret.go"), filepath.Join(root, "link.go"))
	f.Fuzz(func(t *testing.T, output string) {
		rep, err := Locate(output, Options{Root: root, Dir: root, MaxErrors: 2000})
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range rep.Files {
			if !strings.HasPrefix(file.Path, root+string(filepath.Separator)) || strings.Contains(file.Path, "secret") || strings.HasSuffix(file.Path, "link.go") {
				t.Errorf("Locate sends %s, outside %s", file.Path, root)
			}
		}
		if len(rep.Errors) > 2000+excerptLineMax+markerCost {
			t.Errorf("error text is %d bytes, over the bound of 2000", len(rep.Errors))
		}
	})
}
