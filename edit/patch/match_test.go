package patch

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestHunkErrorFields(t *testing.T) {
	file := "one\ntwo\nthree\nfour\nfive\nsix\n"
	m := NewMatcher("t.txt", []byte(file))
	err := m.Add(&Hunk{Old: []string{"three", "FOUR!", "five"}, New: []string{"three", "5", "five"}})
	var he *HunkError
	if !errors.As(err, &he) {
		t.Fatalf("Matcher.Add(wrong context) error = %v, want *HunkError", err)
	}
	want := &HunkError{
		Path: "t.txt", Hunk: 1, Reason: "context not found", Line: 4, Want: "FOUR!", Got: "four",
		Nearest: []string{"   1| one", "   2| two", "   3| three", "   4| four", "   5| five", "   6| six"},
	}
	if !reflect.DeepEqual(he, want) {
		t.Errorf("Matcher.Add(wrong context) = %+v, want %+v", he, want)
	}
	if got, w := err.Error(), "t.txt: hunk 1: context not found near line 4"; got != w {
		t.Errorf("HunkError.Error() = %q, want %q", got, w)
	}
	hint := he.RepairHint()
	for _, s := range []string{"Hunk 1 for t.txt", `wanted: "FOUR!"`, `found:  "four"`, "   4| four", "Copy context lines exactly"} {
		if !strings.Contains(hint, s) {
			t.Errorf("RepairHint() = %q, want it to contain %q", hint, s)
		}
	}
	if _, err := m.Result(); !errors.As(err, &he) {
		t.Errorf("Matcher.Result() after a failed Add = %v, want the *HunkError", err)
	}
}

func TestAmbiguousHint(t *testing.T) {
	m := NewMatcher("a.go", []byte("x\ny\nx\ny\n"))
	err := m.Add(&Hunk{Old: []string{"x"}, New: []string{"z"}})
	var he *HunkError
	if !errors.As(err, &he) || he.Reason != "ambiguous: 2 matches (lines 1, 3)" || he.Line != 1 {
		t.Fatalf("Matcher.Add(repeated context) = %v, want ambiguous at lines 1, 3", err)
	}
	if hint := he.RepairHint(); !strings.Contains(hint, "more than one place") {
		t.Errorf("RepairHint() = %q, want advice about ambiguity", hint)
	}
}

func TestMatcherOrder(t *testing.T) {
	// Hunks out of file order still apply when each is unique; the first after the previous
	// hunk wins when the context repeats.
	file := "a\nb\nc\nx\nd\ne\nx\nf\n"
	m := NewMatcher("t", []byte(file))
	for _, h := range []Hunk{
		{Old: []string{"e"}, New: []string{"E"}},
		{Old: []string{"x"}, New: []string{"X"}},
		{Old: []string{"a"}, New: []string{"A"}},
	} {
		if err := m.Add(&h); err != nil {
			t.Fatalf("Matcher.Add(%+v) error: %v", h, err)
		}
	}
	got, err := m.Result()
	if want := "A\nb\nc\nx\nd\nE\nX\nf\n"; err != nil || string(got) != want {
		t.Errorf("Matcher.Result() = %q, %v, want %q", got, err, want)
	}
}

func TestNoOps(t *testing.T) {
	m := NewMatcher("t", []byte("a\nB\nc\n"))
	for _, h := range []Hunk{
		{Old: []string{"a", "b"}, New: []string{"a", "B"}},
		{Old: []string{"c"}, New: []string{"C"}},
	} {
		if err := m.Add(&h); err != nil {
			t.Fatalf("Matcher.Add(%+v) error: %v", h, err)
		}
	}
	got, _ := m.Result()
	if string(got) != "a\nB\nC\n" || !reflect.DeepEqual(m.NoOps(), []int{1}) {
		t.Errorf("Matcher.Result() = %q, NoOps() = %v; want %q, [1]", got, m.NoOps(), "a\nB\nC\n")
	}
}

func TestMixedLineEndings(t *testing.T) {
	// Kept lines keep their own endings; new lines take the majority (CRLF here).
	file := "a\r\nb\nc\r\nd\r\n"
	got, err := ApplyFile("t", []byte(file), FilePatch{Hunks: []Hunk{{Old: []string{"b", "c"}, New: []string{"b", "x", "c"}}}})
	if want := "a\r\nb\nx\r\nc\r\nd\r\n"; err != nil || string(got) != want {
		t.Errorf("ApplyFile(%q) = %q, %v, want %q", file, got, err, want)
	}
}

func TestConvert(t *testing.T) {
	for _, tc := range []struct{ file, text, want string }{
		{"", "a\nb\n", "a\nb\n"},
		{"x\r\n", "a\nb\n", "a\r\nb\r\n"},
		{"\ufeffx\n", "a\n", "\ufeffa\n"},
		{"x", "a\nb\n", "a\nb"},
		{"x\n", "", ""},
		{"x\n", "\n", "\n"},
	} {
		if got := string(Convert([]byte(tc.file), tc.text)); got != tc.want {
			t.Errorf("Convert(%q, %q) = %q, want %q", tc.file, tc.text, got, tc.want)
		}
	}
}

func TestReindent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		old, file []string
		new, want []string
	}{
		{"tabs", []string{"    if x {", "        y()"}, []string{"\tif x {", "\t\ty()"},
			[]string{"    if x {", "        z()", "            w()", "    }"}, []string{"\tif x {", "\t\tz()", "\t\t\tw()", "\t}"}},
		{"spaces", []string{"\tif x:", "\t\ty()"}, []string{"  if x:", "    y()"},
			[]string{"\tif x:", "\t\tz()", "\t\t\tw()"}, []string{"  if x:", "    z()", "      w()"}},
		{"deeper", []string{"x = 1", "y = 2"}, []string{"        x = 1", "        y = 2"},
			[]string{"x = 1", "if y:", "    y = 3"}, []string{"        x = 1", "        if y:", "            y = 3"}},
		{"shallower", []string{"        x = 1"}, []string{"    x = 1"},
			[]string{"    def f():", "        x = 1"}, []string{"def f():", "    x = 1"}},
	} {
		in := newIndenter(&Hunk{Old: tc.old, New: tc.new}, tc.file)
		var got []string
		for _, l := range tc.new {
			got = append(got, in.apply(l))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: reindent(%q) = %q, want %q", tc.name, tc.new, got, tc.want)
		}
	}
}

func TestLineEndingMajority(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"a\r\nb", "a\r\nb\r\nc"},
		{"a\nb\r\nc\r\n", "a\nb\r\nc\r\nc\r\n"},
		{"a\r\nb\nc\n", "a\r\nb\nc\nc\n"},
		{"a\r\nb\n", "a\r\nb\nc\r\n"},
		{"a\nb\r\n", "a\nb\r\nc\n"},
	} {
		got, err := ApplyFile("t", []byte(tc.file), FilePatch{Hunks: []Hunk{{New: []string{"c"}, AtEOF: true}}})
		if err != nil || string(got) != tc.want {
			t.Errorf("ApplyFile(%q, append c) = %q, %v, want %q", tc.file, got, err, tc.want)
		}
	}
}

func TestHintContextBeforeStart(t *testing.T) {
	m := NewMatcher("ab.py", []byte("a = 1\nb = 2\n"))
	err := m.Add(&Hunk{Old: []string{"import sys", "a = 1", "b = 2"}, New: []string{"import sys", "a = 1", "b = 3"}})
	var he *HunkError
	if !errors.As(err, &he) || he.Reason != "context starts before the first line of the file" || he.Line != 1 {
		t.Fatalf("Matcher.Add(context above line 1) = %v, want context starts before the first line", err)
	}
	hint := he.RepairHint()
	for _, s := range []string{`wanted: "import sys"`, "found:  the start of the file", "   1| a = 1"} {
		if !strings.Contains(hint, s) {
			t.Errorf("RepairHint() = %q, want it to contain %q", hint, s)
		}
	}
	if strings.Contains(hint, "end of the file") {
		t.Errorf("RepairHint() = %q, want no mention of the end of the file", hint)
	}
}

func TestAnchorHint(t *testing.T) {
	m := NewMatcher("calc.go", []byte("func add(a, b int) int {\n\treturn a - b\n}\n"))
	err := m.Add(&Hunk{Anchors: []string{"func mul"}, Old: []string{"\treturn a - b"}, New: []string{"\treturn a + b"}})
	var he *HunkError
	if !errors.As(err, &he) || he.Reason != `@@ line "func mul" not found` {
		t.Fatalf("Matcher.Add(hunk below a missing anchor) = %v, want @@ line not found", err)
	}
	if hint := he.RepairHint(); !strings.Contains(hint, "An @@ line must repeat a line of the file") {
		t.Errorf("RepairHint() = %q, want advice about the @@ line", hint)
	}
	if _, err := m.Result(); err == nil {
		t.Errorf("Matcher.Result() after a missing anchor = nil error, want the *HunkError")
	}
}
