package toml

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spark-cli/spark/internal/testenv"
)

// newerOnly are the corpus's valid cases of the TOML 1.1 draft, which this package does not
// implement (toml-test's own list of them for 1.0 is the same): they must parse, or fail on
// what 1.1 added.
var newerOnly = map[string]string{
	"valid/string/escape-esc":            `\e escape, new in 1.1`,
	"valid/string/hex-escape":            `\xHH escape, new in 1.1`,
	"valid/datetime/no-seconds":          "times without seconds, new in 1.1",
	"valid/inline-table/newline":         "newlines in inline tables, new in 1.1",
	"valid/inline-table/newline-comment": "newlines and comments in inline tables, new in 1.1",
}

// corpusDir returns toml-test's cases as shipped inside the github.com/BurntSushi/toml module,
// which the tests depend on: the go command says where the module is.
func corpusDir(t *testing.T) string {
	t.Helper()
	goCmd := testenv.LookPath(t, "go")
	out, err := exec.Command(goCmd, "list", "-m", "-f", "{{.Dir}}", "github.com/BurntSushi/toml").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/BurntSushi/toml: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "internal", "toml-test", "tests")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("toml-test corpus: %v", err)
	}
	return dir
}

// corpusFiles returns the names, like "valid/string/raw", of the .toml files under dir/kind.
func corpusFiles(t *testing.T, dir, kind string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(filepath.Join(dir, kind), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".toml") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		names = append(names, strings.TrimSuffix(filepath.ToSlash(rel), ".toml"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// skipReason says why a valid case may fail: it is valid only in the TOML 1.1 draft.
func skipReason(name string) string {
	if strings.HasPrefix(name, "valid/spec-1.1.0/") {
		return "the TOML 1.1 draft's examples" // its invalid ones are invalid in 1.0 too
	}
	return newerOnly[name]
}

func TestCorpusValid(t *testing.T) {
	dir := corpusDir(t)
	names := corpusFiles(t, dir, "valid")
	if len(names) < 100 {
		t.Fatalf("found %d valid cases in %s, want the whole corpus", len(names), dir)
	}
	compared, rejected := 0, 0
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(dir, name+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		wantJSON, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(wantJSON, &want); err != nil {
			t.Fatalf("%s.json: %v", name, err)
		}
		got, err := Parse(src)
		if err != nil {
			// A TOML 1.1 case may fail, but only on what 1.1 added.
			var pe *ParseError
			if reason := skipReason(name); reason != "" && errors.As(err, &pe) && pe.class == newer {
				rejected++
				continue
			}
			t.Errorf("%s: Parse = %v, want success\n%s", name, err, src)
			continue
		}
		compared++
		if err := sameTagged(want, got); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	t.Logf("valid: %d parsed and compared, %d TOML 1.1 cases rejected on a 1.1 addition", compared, rejected)
}

func TestCorpusInvalid(t *testing.T) {
	dir := corpusDir(t)
	names := corpusFiles(t, dir, "invalid")
	if len(names) < 100 {
		t.Fatalf("found %d invalid cases in %s, want the whole corpus", len(names), dir)
	}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(dir, name+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(src); err == nil {
			t.Errorf("%s: Parse = nil error, want one\n%s", name, src)
		}
	}
	t.Logf("invalid: %d rejected", len(names))
}

// sameTagged compares a parsed value with toml-test's JSON form, where every leaf is
// {"type": T, "value": "text"}: floats numerically, date-times by value.
func sameTagged(want, got any) error {
	switch w := want.(type) {
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("got %#v, want an array of %d", got, len(w))
		}
		for i := range w {
			if err := sameTagged(w[i], g[i]); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	case map[string]any:
		if typ, val, ok := leaf(w); ok {
			return sameLeaf(typ, val, got)
		}
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("got %#v, want a table", got)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("unexpected key %q", k)
			}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("missing key %q", k)
			}
			if err := sameTagged(w[k], gv); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
		}
		return nil
	}
	return fmt.Errorf("unexpected JSON %#v", want)
}

func leaf(m map[string]any) (typ, val string, ok bool) {
	if len(m) != 2 {
		return "", "", false
	}
	typ, ok1 := m["type"].(string)
	val, ok2 := m["value"].(string)
	return typ, val, ok1 && ok2
}

func sameLeaf(typ, val string, got any) error {
	mismatch := fmt.Errorf("got %#v, want %s %q", got, typ, val)
	switch typ {
	case "string":
		if got != val {
			return mismatch
		}
	case "integer":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || got != n {
			return mismatch
		}
	case "float":
		g, ok := got.(float64)
		switch val {
		case "nan", "+nan", "-nan":
			ok = ok && math.IsNaN(g)
		case "inf", "+inf":
			ok = ok && math.IsInf(g, 1)
		case "-inf":
			ok = ok && math.IsInf(g, -1)
		default:
			f, err := strconv.ParseFloat(val, 64)
			ok = ok && err == nil && f == g
		}
		if !ok {
			return mismatch
		}
	case "bool":
		if fmt.Sprint(got) != val {
			return mismatch
		}
		if _, ok := got.(bool); !ok {
			return mismatch
		}
	case "datetime":
		g, ok := got.(time.Time)
		w, err := time.Parse(time.RFC3339Nano, normalDateTime(val))
		if !ok || err != nil || !g.Equal(w) {
			return mismatch
		}
	case "datetime-local":
		w, err := time.Parse("2006-01-02T15:04:05.999999999", normalDateTime(val))
		want := LocalDateTime{Date: LocalDate{w.Year(), int(w.Month()), w.Day()}, Time: LocalTime{w.Hour(), w.Minute(), w.Second(), w.Nanosecond()}}
		if err != nil || got != want {
			return mismatch
		}
	case "date-local":
		w, err := time.Parse("2006-01-02", val)
		if err != nil || got != (LocalDate{w.Year(), int(w.Month()), w.Day()}) {
			return mismatch
		}
	case "time-local":
		w, err := time.Parse("15:04:05.999999999", val)
		if err != nil || got != (LocalTime{w.Hour(), w.Minute(), w.Second(), w.Nanosecond()}) {
			return mismatch
		}
	default:
		return fmt.Errorf("unknown type %q in the expected JSON", typ)
	}
	return nil
}

func normalDateTime(s string) string {
	s = strings.ToUpper(s)
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	return s
}
