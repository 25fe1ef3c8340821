package edit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"path/filepath"
	"strings"

	"github.com/spark-cli/spark/internal/toml"
)

// SyntaxError reports an edit that leaves a file unparseable that parsed before it. It carries
// what a model needs to repair its edit: see RepairHint.
type SyntaxError struct {
	Path    string
	Lang    string   // "go", "json" or "toml"
	Line    int      // 1-based line of the first error in the new text; 0 if unknown
	Col     int      // 1-based column; 0 if unknown
	Msg     string   // the parser's message
	Nearest []string // the new text's lines around Line, formatted "  40| text"
}

// Error returns one line such as "main.go:12:5: the edit breaks go syntax: expected ';', found 'EOF'".
func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	fmt.Fprintf(&b, ": the edit breaks %s syntax: %s", e.Lang, e.Msg)
	return b.String()
}

// RepairHint returns text for the model's repair round: the file, where the new text stops
// parsing and why, and the lines there.
func (e *SyntaxError) RepairHint() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your edit leaves %s with a %s syntax error", e.Path, strings.ToUpper(e.Lang[:1])+e.Lang[1:])
	if e.Line > 0 {
		fmt.Fprintf(&b, " at line %d", e.Line)
	}
	fmt.Fprintf(&b, ": %s.\n", e.Msg)
	if len(e.Nearest) > 0 {
		b.WriteString("The lines there after your edit:\n")
		for _, l := range e.Nearest {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	b.WriteString("The file was not changed. Send the edit again so that the file stays valid, against the file as it was.\n")
	return b.String()
}

// CheckSyntax returns a *SyntaxError when after, the new text of the file at path, does not
// parse while before, its text before the edit, did: Go (go/parser), JSON and TOML files, by
// their extension. It returns nil for other files, for a file that parses, and for a file that
// did not parse before either (the edit did not break it). The new text is parsed first, and the
// old one only when the new one fails, so a good edit costs one parse.
func CheckSyntax(path string, before, after []byte) error {
	check := syntaxCheckerFor(strings.ToLower(filepath.Ext(path)))
	if check.parse == nil {
		return nil
	}
	line, col, msg := check.parse(path, after)
	if msg == "" || !check.ok(path, before) {
		return nil
	}
	return &SyntaxError{Path: path, Lang: check.lang, Line: line, Col: col, Msg: msg, Nearest: around(after, line)}
}

// syntaxChecker parses one language: parse returns the position and message of the first
// error, msg "" when the text parses.
type syntaxChecker struct {
	lang  string
	parse func(path string, src []byte) (line, col int, msg string)
}

func (c syntaxChecker) ok(path string, src []byte) bool {
	_, _, msg := c.parse(path, src)
	return msg == ""
}

// syntaxCheckerFor returns the checker for a lower-case file extension, or none.
func syntaxCheckerFor(ext string) syntaxChecker {
	switch ext {
	case ".go":
		return syntaxChecker{"go", parseGo}
	case ".json":
		return syntaxChecker{"json", parseJSON}
	case ".toml":
		return syntaxChecker{"toml", parseTOML}
	}
	return syntaxChecker{}
}

func parseGo(path string, src []byte) (int, int, string) {
	_, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err == nil {
		return 0, 0, ""
	}
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return list[0].Pos.Line, list[0].Pos.Column, list[0].Msg
	}
	return 0, 0, err.Error()
}

func parseJSON(_ string, src []byte) (int, int, string) {
	if len(bytes.TrimSpace(src)) == 0 || json.Valid(src) {
		return 0, 0, "" // an empty file is not JSON, but nothing was written in it yet
	}
	var v json.RawMessage
	err := json.Unmarshal(src, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(src, int(se.Offset))
		return line, col, se.Error()
	}
	if err == nil {
		err = errors.New("invalid json")
	}
	return 0, 0, err.Error()
}

func parseTOML(_ string, src []byte) (int, int, string) {
	_, err := toml.Parse(src)
	if err == nil {
		return 0, 0, ""
	}
	var pe *toml.ParseError
	if errors.As(err, &pe) {
		return pe.Line, pe.Col, pe.Msg
	}
	return 0, 0, err.Error()
}

// position returns the 1-based line and column of byte offset off in src; encoding/json's
// offset is just past the byte where the error was found.
func position(src []byte, off int) (int, int) {
	off = min(max(off-1, 0), len(src))
	line := bytes.Count(src[:off], []byte("\n")) + 1
	return line, off - bytes.LastIndexByte(src[:off], '\n')
}

// around returns the lines of src near line n (1-based), formatted "  40| text".
func around(src []byte, n int) []string {
	if n <= 0 {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(string(src), "\n"), "\n")
	var out []string
	for i := max(1, n-2); i <= min(len(lines), n+2); i++ {
		out = append(out, fmt.Sprintf("%4d| %s", i, strings.TrimSuffix(lines[i-1], "\r")))
	}
	return out
}
