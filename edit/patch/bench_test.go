package patch

import (
	"fmt"
	"strings"
	"testing"
)

// goLines returns n lines of Go-like code, each unique, as real source mostly is.
func goLines(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		switch i % 5 {
		case 0:
			lines[i] = fmt.Sprintf("func f%d(x int) int {", i)
		case 4:
			lines[i] = "}"
		default:
			lines[i] = fmt.Sprintf("\tx = x*%d + %d // step %d", i%7+1, i, i)
		}
	}
	return lines
}

// v4aEdit returns a V4A patch changing the line at each index of at (3 lines of context around
// each) and the text it produces.
func v4aEdit(lines []string, at []int) (reply, want string) {
	var b strings.Builder
	b.WriteString("Apply the change.\n*** Begin Patch\n*** Update File: big.go\n")
	out := append([]string(nil), lines...)
	for _, i := range at {
		fmt.Fprintf(&b, "@@\n")
		for _, l := range lines[i-3 : i] {
			fmt.Fprintf(&b, " %s\n", l)
		}
		fmt.Fprintf(&b, "-%s\n+%s // changed\n", lines[i], lines[i])
		for _, l := range lines[i+1 : i+4] {
			fmt.Fprintf(&b, " %s\n", l)
		}
		out[i] += " // changed"
	}
	b.WriteString("*** End Patch\n")
	return b.String(), strings.Join(out, "\n") + "\n"
}

func BenchmarkApply20Hunks10kLines(b *testing.B) {
	lines := goLines(10000)
	var at []int
	for i := range 20 {
		at = append(at, 250+i*490)
	}
	reply, want := v4aEdit(lines, at)
	file := []byte(strings.Join(lines, "\n") + "\n")
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		p, err := Parse(reply, FormatAuto)
		if err != nil {
			b.Fatal(err)
		}
		got, err := ApplyFile("big.go", file, p.Files[0])
		if err != nil || string(got) != want {
			b.Fatalf("ApplyFile = %v, %v", len(got), err)
		}
	}
}

// BenchmarkStream1MB streams a 1 MB V4A patch in 64-byte chunks through a Parser that hands each
// completed hunk to a Matcher, as the CLI does, then builds the result.
func BenchmarkStream1MB(b *testing.B) {
	lines := goLines(100000)
	var at []int
	for i := 10; i+10 < len(lines) && len(at) < 5000; i += 20 {
		at = append(at, i)
	}
	reply, want := v4aEdit(lines, at)
	if len(reply) < 1<<20 {
		b.Fatalf("patch is %d bytes, want 1 MB", len(reply))
	}
	file := []byte(strings.Join(lines, "\n") + "\n")
	b.SetBytes(int64(len(reply)))
	for b.Loop() {
		m := NewMatcher("big.go", file)
		var addErr error
		p := NewParser(FormatAuto, func(e Event) {
			if e.Kind == EvHunkDone && addErr == nil {
				addErr = m.Add(e.Hunk)
			}
		})
		for s := reply; len(s) > 0; {
			n := min(64, len(s))
			p.Feed(s[:n])
			s = s[n:]
		}
		if _, err := p.Close(); err != nil {
			b.Fatal(err)
		}
		got, err := m.Result()
		if addErr != nil || err != nil || string(got) != want {
			b.Fatalf("Result = %d bytes, %v, %v", len(got), addErr, err)
		}
	}
}

func BenchmarkUnified(b *testing.B) {
	lines := goLines(10000)
	var at []int
	for i := range 20 {
		at = append(at, 250+i*490)
	}
	_, want := v4aEdit(lines, at)
	old := []byte(strings.Join(lines, "\n") + "\n")
	b.SetBytes(int64(len(old)))
	for b.Loop() {
		if d := Unified("big.go", old, []byte(want)); len(d) == 0 {
			b.Fatal("empty diff")
		}
	}
}

func BenchmarkUnified1MBRewrite(b *testing.B) {
	lines := goLines(30000)
	old := []byte(strings.Join(lines, "\n") + "\n")
	for i := range lines {
		if i%3 == 0 {
			lines[i] += " // touched"
		}
	}
	new := []byte(strings.Join(lines, "\n") + "\n")
	b.SetBytes(int64(len(old)))
	for b.Loop() {
		Unified("big.go", old, new)
	}
}
