package edit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const goGreeter = `package greet

import "fmt"

// Hello prints a greeting.
func Hello(name string) {
	fmt.Println("hello,", name)
}
`

func TestCheckSyntax(t *testing.T) {
	for _, tc := range []struct {
		name          string
		path          string
		before, after string
		want          *SyntaxError // nil: no error
	}{
		{"go still parses", "greet.go", goGreeter, strings.Replace(goGreeter, `"hello,"`, `"hi,"`, 1), nil},
		{
			"go loses a brace", "greet.go", goGreeter, strings.Replace(goGreeter, "name)\n}", "name)\n", 1),
			&SyntaxError{Path: "greet.go", Lang: "go", Line: 8, Col: 2, Msg: "expected '}', found 'EOF'"},
		},
		{
			"go crlf", "pkg/greet.go", strings.ReplaceAll(goGreeter, "\n", "\r\n"), strings.ReplaceAll(strings.Replace(goGreeter, "(name string)", "(name string", 1), "\n", "\r\n"),
			&SyntaxError{Path: "pkg/greet.go", Lang: "go", Line: 6, Col: 24, Msg: "missing ',' in parameter list"},
		},
		{"go broken before", "greet.go", "package greet\nfunc (", "package greet\nfunc ((", nil},
		{"go new file", "greet.go", "", "package greet\n", nil},
		{
			"json trailing comma", "config/app.JSON", "{\n  \"port\": 80\n}\n", "{\n  \"port\": 8080,\n}\n",
			&SyntaxError{Path: "config/app.JSON", Lang: "json", Line: 3, Col: 1, Msg: "invalid character '}' looking for beginning of object key string"},
		},
		{"json still parses", "app.json", `{"port": 80}`, `{"port": 8080, "host": "a"}`, nil},
		{"json empty before and after", "app.json", "", "", nil},
		{
			"toml unclosed table", "spark.toml", "[model]\nname = \"a\"\n", "[model\nname = \"b\"\n",
			&SyntaxError{Path: "spark.toml", Lang: "toml", Line: 1, Col: 7, Msg: "expected ']' to end the table header, found newline"},
		},
		{
			"toml duplicate key", "spark.toml", "[model]\nname = \"a\"\n", "[model]\nname = \"a\"\nname = \"b\"\n",
			&SyntaxError{Path: "spark.toml", Lang: "toml", Line: 3, Col: 1, Msg: `duplicate key "name"`},
		},
		{"toml still parses", "spark.toml", "[model]\nname = \"a\"\n", "[model]\nname = \"b\"\nport = 1\n", nil},
		{"other files are not checked", "notes.txt", "a\n", "{{{\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSyntax(tc.path, []byte(tc.before), []byte(tc.after))
			if tc.want == nil {
				if err != nil {
					t.Errorf("CheckSyntax(%q, %q, %q) = %v, want nil", tc.path, tc.before, tc.after, err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("CheckSyntax(%q, %q, %q) = %v, want *SyntaxError", tc.path, tc.before, tc.after, err)
			}
			if se.Path != tc.want.Path || se.Lang != tc.want.Lang || se.Line != tc.want.Line || se.Col != tc.want.Col || se.Msg != tc.want.Msg {
				t.Errorf("CheckSyntax(%q, %q, %q) = %+v, want %+v", tc.path, tc.before, tc.after, *se, *tc.want)
			}
			if len(se.Nearest) == 0 || !strings.Contains(strings.Join(se.Nearest, "\n"), fmt.Sprintf("%4d| ", tc.want.Line)) {
				t.Errorf("CheckSyntax(%q).Nearest = %q, want the lines around line %d", tc.path, se.Nearest, tc.want.Line)
			}
		})
	}
}

func TestSyntaxErrorText(t *testing.T) {
	err := CheckSyntax("greet.go", []byte(goGreeter), []byte(strings.Replace(goGreeter, "name)\n}", "name)\n", 1)))
	if got, want := err.Error(), "greet.go:8:2: the edit breaks go syntax: expected '}', found 'EOF'"; got != want {
		t.Errorf("SyntaxError.Error() = %q, want %q", got, want)
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("CheckSyntax error %T, want *SyntaxError", err)
	}
	hint := se.RepairHint()
	for _, s := range []string{"greet.go with a Go syntax error at line 8", "expected '}'", `   7| 	fmt.Println("hello,", name)`, "was not changed"} {
		if !strings.Contains(hint, s) {
			t.Errorf("RepairHint() = %q, want it to contain %q", hint, s)
		}
	}
}

// BenchmarkCheckSyntax measures the guard on an edit that keeps the file valid, the common case:
// one parse of the new text.
func BenchmarkCheckSyntax(b *testing.B) {
	var goSrc strings.Builder
	goSrc.WriteString("package big\n\nimport \"fmt\"\n")
	for i := range 60 { // about 300 lines
		fmt.Fprintf(&goSrc, "\n// F%d prints its argument.\nfunc F%d(x int) {\n\tfmt.Println(x + %d)\n}\n", i, i, i)
	}
	var jsonSrc, tomlSrc strings.Builder
	jsonSrc.WriteString("{\n")
	for i := range 200 {
		fmt.Fprintf(&jsonSrc, "  \"key%d\": {\"n\": %d, \"s\": \"value %d\"},\n", i, i, i)
	}
	jsonSrc.WriteString("  \"last\": true\n}\n")
	for i := range 50 {
		fmt.Fprintf(&tomlSrc, "[section%d]\nname = \"value %d\"\nport = %d\nenabled = true\n\n", i, i, i)
	}
	for _, f := range []struct{ path, src string }{{"big.go", goSrc.String()}, {"big.json", jsonSrc.String()}, {"big.toml", tomlSrc.String()}} {
		b.Run(f.path, func(b *testing.B) {
			src := []byte(f.src)
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if err := CheckSyntax(f.path, src, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
