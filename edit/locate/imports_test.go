package locate

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIsTestFile(t *testing.T) {
	tests := []struct {
		path, content string
		want          bool
	}{
		{"test_cart.py", "", true},
		{"cart_test.py", "", true},
		{"tests/helpers.py", "", true},
		{"shop/cart.py", "", false},
		{"src/sum.test.js", "", true},
		{"src/sum.spec.ts", "", true},
		{"__tests__/sum.js", "", true},
		{"src/sum.js", "", false},
		{"src/test/java/com/acme/CalcTest.java", "", true},
		{"src/main/java/com/acme/Calc.java", "", false},
		{"src/main/java/com/acme/Testing.java", "", true}, // Test* by JUnit's convention
		{"src/lib.rs", "#[cfg(test)]\nmod tests {}", true},
		{"src/lib.rs", "pub fn f() {}", false},
		{"tests/it.rs", "", true},
		{"tests/test_buf.c", "", true},
		{"src/buf.c", "", false},
		{"README.md", "", false},
	}
	for _, tt := range tests {
		if got := isTestFile(tt.path, []byte(tt.content)); got != tt.want {
			t.Errorf("isTestFile(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestImports checks the import forms of each language against a small tree: the files found,
// in order, relative to the root.
func TestImports(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		from  string
		want  []string
	}{
		{"python relative and package", map[string]string{
			"pkg/__init__.py":       "",
			"pkg/a.py":              "",
			"pkg/b.py":              "",
			"pkg/sub/__init__.py":   "",
			"pkg/tests/test_x.py":   "from .. import a\nfrom ..sub import thing\nimport pkg.b as bee\nbee.f(); bee.g()\n",
			"pkg/tests/__init__.py": "",
		}, "pkg/tests/test_x.py", []string{"pkg/b.py", "pkg/a.py", "pkg/sub/__init__.py"}},
		{"python missing and stdlib", map[string]string{
			"test_x.py": "import os, json\nfrom collections import deque\nfrom nowhere import x\n",
		}, "test_x.py", nil},
		{"typescript .js specifier, index, bare package", map[string]string{
			"src/a.ts":         "",
			"src/lib/index.ts": "",
			"src/a.test.ts":    "import { f } from \"./a.js\";\nimport * as lib from './lib';\nimport x from \"left-pad\";\nlib.g(); lib.h();\n",
		}, "src/a.test.ts", []string{"src/lib/index.ts", "src/a.ts"}},
		{"commonjs destructuring", map[string]string{
			"sum.js":      "",
			"fmt.js":      "",
			"sum.test.js": "const { sum } = require(\"./sum\");\nconst fmt = require('./fmt.js');\nsum(); sum();\n",
		}, "sum.test.js", []string{"sum.js", "fmt.js"}},
		{"java same package, imports and static imports", map[string]string{
			"src/main/java/a/Calc.java":     "package a;",
			"src/main/java/a/Unused.java":   "package a;",
			"src/main/java/b/Util.java":     "package b;",
			"src/main/java/c/Math2.java":    "package c;",
			"src/test/java/a/CalcTest.java": "package a;\nimport b.Util;\nimport static c.Math2.sq;\nimport org.junit.Test;\nclass CalcTest { int x = Calc.f(Util.g(sq(2))); }\n",
		}, "src/test/java/a/CalcTest.java", []string{"src/main/java/a/Calc.java", "src/main/java/b/Util.java", "src/main/java/c/Math2.java"}},
		{"rust integration test and crate modules", map[string]string{
			"Cargo.toml":      "[package]\nname = \"my-crate\"\n",
			"src/lib.rs":      "pub mod fmt;\npub mod unused;\npub fn f() { fmt::g() }\n",
			"src/fmt.rs":      "",
			"src/unused.rs":   "",
			"src/deep/x.rs":   "",
			"tests/it.rs":     "use my_crate::f;\nuse my_crate::deep::x::y;\nuse std::fmt;\n",
			"src/deep/mod.rs": "pub mod x;\n",
		}, "tests/it.rs", []string{"src/lib.rs", "src/deep/x.rs"}},
		{"rust use super in an inline test module", map[string]string{
			"Cargo.toml": "[package]\nname = \"c\"\n",
			"src/lib.rs": "pub mod s;\n",
			"src/s.rs":   "use crate::u::clamp;\n#[cfg(test)]\nmod tests {\n use super::*;\n}\n",
			"src/u.rs":   "",
		}, "src/s.rs", []string{"src/u.rs"}},
		{"c include through -I and its implementation", map[string]string{
			"include/buf.h":    "",
			"src/buf.c":        "",
			"tests/test_buf.c": "#include <stdio.h>\n#include \"buf.h\"\n",
		}, "tests/test_buf.c", []string{"include/buf.h", "src/buf.c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for name, content := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			opts := Options{Root: root, Dir: root}
			if err := opts.fill(); err != nil {
				t.Fatal(err)
			}
			f := newFinder(opts)
			var got []string
			for _, n := range f.imports(f.load(filepath.Join(root, filepath.FromSlash(tt.from)))) {
				got = append(got, f.rel(n.path))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("imports(%s) = %q, want %q", tt.from, got, tt.want)
			}
		})
	}
}
