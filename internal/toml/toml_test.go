package toml

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	burnt "github.com/BurntSushi/toml"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string]any
	}{
		{"empty", "", map[string]any{}},
		{"config", "model = \"qwen2.5-coder:14b\" # local\r\nprediction = true\r\n", map[string]any{"model": "qwen2.5-coder:14b", "prediction": true}},
		{"byte order mark", "\ufeffa = 1", map[string]any{"a": int64(1)}},
		{"numbers", "a = -0\nb = 0o17\nc = 0b101\nd = 1_000\ne = -9223372036854775808\nf = 6.02e+23\ng = -inf\n",
			map[string]any{"a": int64(0), "b": int64(15), "c": int64(5), "d": int64(1000), "e": int64(math.MinInt64), "f": 6.02e23, "g": math.Inf(-1)}},
		{"strings", "a = \"\\u00e9\\U0001F600\\t\"\nb = 'C:\\x'\nc = \"\"\"\nx\\\n   y\"\"\"\"\nd = '''\n'a'''''\n",
			map[string]any{"a": "é😀\t", "b": `C:\x`, "c": "xy\"", "d": "'a''"}},
		{"dates", "a = 1979-05-27 07:32:00.5-07:00\nb = 2024-02-29T23:59:59\nc = 2000-01-01\nd = 07:32:00.123456789999\n",
			map[string]any{
				"a": time.Date(1979, 5, 27, 7, 32, 0, 5e8, time.FixedZone("", -7*3600)),
				"b": LocalDateTime{LocalDate{2024, 2, 29}, LocalTime{23, 59, 59, 0}},
				"c": LocalDate{2000, 1, 1},
				"d": LocalTime{7, 32, 0, 123456789},
			}},
		{"tables", "a.b = 1\n[t]\nx = [1, 'two', [3], {y = 4}, ]\n[[arr]]\n[[arr]]\nz = 1\n[t.sub]\n",
			map[string]any{
				"a":   map[string]any{"b": int64(1)},
				"t":   map[string]any{"x": []any{int64(1), "two", []any{int64(3)}, map[string]any{"y": int64(4)}}, "sub": map[string]any{}},
				"arr": []any{map[string]any{}, map[string]any{"z": int64(1)}},
			}},
		{"subtable of a dotted table", "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n",
			map[string]any{"fruit": map[string]any{"apple": map[string]any{"color": "red", "texture": map[string]any{"smooth": true}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.src, err)
			}
			if !equalValues(got, tt.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.src, got, tt.want)
			}
		})
	}
}

// TestParseError checks the position and message of the breakages a model's edit commonly
// leaves in a file.
func TestParseError(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"unclosed table header", "[model]\nname = \"a\"\n[server\nport = 1\n", 3, 8, "expected ']' to end the table header, found newline"},
		{"unclosed header at end", "[model", 1, 7, "expected ']' to end the table header, found end of file"},
		{"unclosed array of tables", "[[item]\n", 1, 8, "expected ']]' to end the array of tables header, found newline"},
		{"unterminated string", "name = \"abc\nport = 1\n", 1, 8, "unterminated string"},
		{"unterminated literal", "path = 'C:\\x\n", 1, 8, "unterminated string"},
		{"unterminated multi-line string", "a = 1\ndoc = \"\"\"\nno end\n", 2, 7, "unterminated multi-line string"},
		{"missing value", "model = \n", 1, 9, "expected a value, found newline"},
		{"missing value at end", "model =", 1, 8, "expected a value, found end of file"},
		{"missing equals", "name \"x\"\n", 1, 6, `expected '=' after the key "name", found '"'`},
		{"unquoted string", "model = gpt-4\n", 1, 9, `invalid value "gpt-4": strings must be quoted`},
		{"duplicate key", "a = 1\nb = 2\na = 3\n", 3, 1, `duplicate key "a"`},
		{"duplicate dotted key", "a.b = 1\na.b = 2\n", 2, 3, `duplicate key "a.b"`},
		{"duplicate table", "[a]\nx = 1\n\n[a]\ny = 2\n", 4, 2, `table "a" is already defined`},
		{"table over a value", "a = 1\n[a]\n", 2, 2, `key "a" is already defined as an integer`},
		{"extend inline table", "a = {x = 1}\na.y = 2\n", 2, 1, `cannot add keys to the inline table "a"`},
		{"extend static array", "a = []\n[[a]]\n", 2, 3, `cannot append to the array "a": it is a static array`},
		{"dotted key into a header table", "[a.b]\n[a]\nb.c = 1\n", 3, 1, `cannot add keys to the table "b" with a dotted key: it is defined by a header`},
		{"bad escape", "re = \"\\d+\"\n", 1, 7, `invalid escape sequence '\d'`},
		{"short unicode escape", "s = \"\\u12\"\n", 1, 6, `invalid escape sequence: \u needs 4 hex digits`},
		{"surrogate escape", "s = \"\\uD800\"\n", 1, 6, `invalid escape sequence \uD800: not a unicode scalar value`},
		{"escape new in 1.1", "s = \"\\e\"\n", 1, 6, `invalid escape sequence '\e'`},
		{"value after value", "a = 1 2\n", 1, 7, "expected a newline after the value, found '2'"},
		{"unclosed array", "a = [1, 2\nb = 3\n", 2, 1, "expected ',' or ']' after an array element, found 'b'"},
		{"newline in inline table", "a = {x = 1,\ny = 2}\n", 1, 12, "expected a key in an inline table, found newline: an inline table is one line"},
		{"trailing comma in inline table", "a = {x = 1,}\n", 1, 12, "trailing comma in an inline table"},
		{"leading zero", "a = 007\n", 1, 5, `invalid number "007": leading zeros are not allowed`},
		{"integer overflow", "a = 9223372036854775808\n", 1, 5, `integer "9223372036854775808" does not fit in 64 bits`},
		{"bad date", "d = 2023-02-29\n", 1, 5, `invalid date "2023-02-29": day 29`},
		{"bad time", "t = 24:00:00\n", 1, 5, `invalid time "24:00:00": out of range`},
		{"control character", "a = \"x\x01\"\n", 1, 7, "control character U+0001 in a string"},
		{"bare carriage return", "a = 1\rb = 2\n", 1, 6, "carriage return not followed by a newline"},
		{"invalid utf-8", "a = 1\n# caf\xe9\n", 2, 6, "invalid utf-8"},
		{"first error wins over later utf-8", "a = \nb = '\xff'\n", 1, 5, "expected a value, found newline"},
		{"key error before value error", "a = 1\na = [\n", 2, 1, `duplicate key "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want a *ParseError", tt.src, err)
			}
			if pe.Line != tt.line || pe.Col != tt.col || pe.Msg != tt.msg {
				t.Errorf("Parse(%q) = %d:%d %q, want %d:%d %q", tt.src, pe.Line, pe.Col, pe.Msg, tt.line, tt.col, tt.msg)
			}
			if want := fmt.Sprintf("line %d, column %d: %s", tt.line, tt.col, tt.msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

// equalValues compares parsed documents, with NaN equal to NaN and times by instant.
func equalValues(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], b[i]) {
				return false
			}
		}
		return true
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || math.IsNaN(a) && math.IsNaN(b))
	case time.Time:
		b, ok := b.(time.Time)
		return ok && a.Equal(b)
	}
	return reflect.DeepEqual(a, b)
}

// fromBurnt turns what github.com/BurntSushi/toml decodes into this package's representation.
func fromBurnt(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = fromBurnt(e)
		}
		return m
	case []map[string]any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = fromBurnt(e)
		}
		return a
	case []any:
		a := make([]any, len(v))
		for i, e := range v {
			a[i] = fromBurnt(e)
		}
		return a
	case time.Time:
		d := LocalDate{v.Year(), int(v.Month()), v.Day()}
		tm := LocalTime{v.Hour(), v.Minute(), v.Second(), v.Nanosecond()}
		switch v.Location().String() { // the library's zones for local values
		case "date-local":
			return d
		case "time-local":
			return tm
		case "datetime-local":
			return LocalDateTime{d, tm}
		}
	}
	return v
}

var fuzzSeeds = []string{
	"",
	"a = 1\n",
	"model = \"gpt-4.1-mini\"\nbase_url = \"http://127.0.0.1:11434/v1\"\nprediction = true\n",
	"[a]\nb = 1\n[a.c]\nd = 2\n",
	"[[a]]\nb = 1\n[[a]]\nb = 2\n[a.c]\n",
	"a.b.c = 1\na.b.d = 2\n",
	"a = {b = 1, c.d = [1, 2]}\n",
	"a = [\n  1, # one\n  2,\n]\n",
	"s = \"\\u00e9\\U0001F600\\\\\\\"\"\n",
	"s = \"\"\"\nline\\\n   joined\"\"\"\n",
	"s = '''\n'quoted'''''\n",
	"s = 'C:\\path'\n",
	"i = [0x1F, 0o17, 0b11, -1_000, +5]\n",
	"f = [1.5, -2e-3, 6.02E23, inf, -nan, 1_0.0_1]\n",
	"d = [1979-05-27T07:32:00Z, 1979-05-27 07:32:00.999-07:00, 1979-05-27T07:32:00, 1979-05-27, 07:32:00.5]\n",
	"\"quoted key\" = 1\n'literal.key' = 2\n",
	"[ a . \"b\" . c ]\n",
	"a = 1\r\nb = 2\r\n",
	"# comment only\n",
	"[model\nname = \"b\"\n",
	"name = \"abc\n",
	"model = \n",
	"a = 1\na = 2\n",
	"re = \"\\d\"\n",
	"a = {b = 1}\n[a.c]\n",
	"a = []\n[[a]]\n",
	"[a.b]\n[a]\nb.c = 1\n",
	"a.b = 1\n[a]\n",
	"a = 00\n",
	"d = 2023-02-29\n",
	"t = 07:32\n",
	"a = {b = 1,}\n",
	"a = 1\rb = 2\n",
	"a = \"\xff\"\n",
	"a = 9223372036854775808\n",
	"s = \"\\e\"\n",
	"[a]\n[a]\n",
	"a = 1979-05-27T07:32:00+24:00\n",
	"a = 1979-05-27t07:32:00.5z\n",
	"a = \"\"\"\"\"\"\"\"\"\n",
	"a = \"\"\"\\ \r\n  x\"\"\"\n",
	"[\"a\".b]\n[a]\nb.c = 1\n",
	"[[a]]\n[a]\n",
	"'' = 1\n\"\" = 2\n",
	"a = [[1], [2], ]\n",
	"a = \"\\U0010FFFF\"\n",
	"a = 0.0_1e1_0\n",
	"é = 1\n",
	"\xff\xfea\x00 \x00=\x00 \x001\x00",
}

// FuzzParse compares Parse with github.com/BurntSushi/toml: they must agree on what is TOML,
// and on the values when both accept. That library implements the TOML 1.1 draft and is known
// to let some redefinitions and out-of-range offsets through (its own test suite skips those
// cases), so those are the only disagreements allowed, and only one way: this package rejecting.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		got, err := Parse(src)
		var pe *ParseError
		if err != nil {
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want a *ParseError", src, err)
			}
			lines := strings.Count(string(src), "\n") + 1
			if pe.Line < 1 || pe.Line > lines || pe.Col < 1 || pe.Msg == "" || strings.ContainsAny(pe.Msg, "\r\n") {
				t.Fatalf("Parse(%q) = %q: bad position or message", src, err)
			}
		}
		var theirs map[string]any
		_, berr := burnt.Decode(string(src), &theirs)
		switch {
		case err == nil && berr != nil:
			t.Fatalf("Parse(%q) accepts it; BurntSushi's Decode says %v", src, berr)
		case err != nil && berr == nil:
			if pe.class == newer || pe.class == redefine || pe.class == offset {
				return
			}
			// That library reads a file that starts with a UTF-16 byte order mark as UTF-16;
			// TOML is UTF-8.
			if pe.class == encoding && (bytes.HasPrefix(src, []byte{0xFE, 0xFF}) || bytes.HasPrefix(src, []byte{0xFF, 0xFE})) {
				return
			}
			t.Fatalf("Parse(%q) = %v; BurntSushi's Decode accepts it", src, err)
		case err == nil && !equalValues(got, fromBurnt(theirs)):
			t.Fatalf("Parse(%q) = %#v; BurntSushi's Decode gives %#v", src, got, fromBurnt(theirs))
		}
	})
}

// benchmarkSource is the shape of edit's syntax check benchmark: 200 sections of a config file.
func benchmarkSource() []byte {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "[section%d]\nname = \"value %d\"\nport = %d\nenabled = true\n\n", i, i, i)
	}
	return []byte(b.String())
}

// BenchmarkParse200Sections measures the parse behind the syntax check of an edited .toml file,
// next to BurntSushi's Decode of the same file in the same run.
func BenchmarkParse200Sections(b *testing.B) {
	src := benchmarkSource()
	b.Run("internal", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BurntSushi", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		s := string(src)
		for b.Loop() {
			var v map[string]any
			if _, err := burnt.Decode(s, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestDeepNesting: a text nested far deeper than any document (a model's reply may be anything)
// is an error at the level past the limit, not a stack overflow.
func TestDeepNesting(t *testing.T) {
	for _, open := range []string{"[", "{a="} {
		src := "x = " + strings.Repeat(open, 1_000_000)
		_, err := Parse([]byte(src))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "nested more than 1000 deep") {
			t.Fatalf("Parse(%q × 1e6) = %v, want the nesting error", open, err)
		}
		if want := 5 + maxDepth*len(open); pe.Col != want {
			t.Errorf("Parse(%q × 1e6): error at column %d, want %d", open, pe.Col, want)
		}
	}
	ok := "x = " + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + "\n"
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("%d nested arrays: %v", maxDepth, err)
	}
}
