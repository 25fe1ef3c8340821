package patch

import (
	"strings"
	"testing"
)

// TestStreamProse: the start of a prose line is shown before its newline once it can be nothing
// else, and never when it may still be a sentinel, a fence or a file name.
func TestStreamProse(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		chunks []string
		want   string // the EvProsePart and EvProse events, one a line
	}{
		{"sentence", FormatAuto, []string{"Renam", "ing x to", " y in main.", "\n*** Begin Patch\n"},
			"part \"Renaming x to\"\npart \" y in main.\"\nprose \"Renaming x to y in main.\""},
		{"patch sentinel", FormatAuto, []string{"*** Beg", "in Patch", "\n"}, ""},
		{"search marker", FormatAuto, []string{"<<<<", "<<< SEARCH"}, ""},
		{"fence", FormatAuto, []string{"``", "`go"}, ""},
		{"unified header", FormatAuto, []string{"--", "- a/main.go"}, "prose \"--- a/main.go\""},
		{"file name", FormatAuto, []string{"cmd/", "main.go"}, "prose \"cmd/main.go\""},
		{"labelled file name", FormatAuto, []string{"File name: ", "main.go"}, "prose \"File name: main.go\""},
		{"heading", FormatAuto, []string{"### Changes in ", "main.go"}, "prose \"### Changes in main.go\""},
		{"bold", FormatAuto, []string{"**Note** the ", "loop"}, "prose \"**Note** the loop\""},
		{"after a file name", FormatAuto, []string{"main.go\n", "Some words here"}, "prose \"main.go\"\nprose \"Some words here\""},
		{"carriage return", FormatAuto, []string{"Hello world\r", "\n"}, "part \"Hello world\"\nprose \"Hello world\""},
		{"file names do not matter after a v4a patch", FormatV4A,
			[]string{"*** Begin Patch\n*** Update File: a\n@@\n-a\n+b\n*** End Patch\n", "done.go"},
			"part \"done.go\"\nprose \"done.go\""},
		{"inside a patch", FormatV4A, []string{"*** Begin Patch\n*** Update File: a\n@@\n-a\n+b\n", " more context"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			p := NewParser(tc.format, func(e Event) {
				switch e.Kind {
				case EvProsePart:
					got = append(got, "part "+quote(e.Text))
				case EvProse:
					got = append(got, "prose "+quote(e.Text))
				}
			})
			p.StreamProse(true)
			for _, c := range tc.chunks {
				p.Feed(c)
			}
			p.Close()
			if g := strings.Join(got, "\n"); g != tc.want {
				t.Errorf("Feed(%q) events:\n%s\nwant:\n%s", tc.chunks, g, tc.want)
			}
		})
	}
}

func quote(s string) string { return `"` + s + `"` }

// TestStreamProseOff: without StreamProse the parser emits no EvProsePart.
func TestStreamProseOff(t *testing.T) {
	p := NewParser(FormatAuto, func(e Event) {
		if e.Kind == EvProsePart {
			t.Errorf("EvProsePart %q without StreamProse", e.Text)
		}
	})
	p.Feed("Some words ")
	p.Feed("and more\n")
	p.Close()
}

// TestWholeCandidate: the held block after a file name is visible while it streams, and gone
// once a second block shows it was not the file.
func TestWholeCandidate(t *testing.T) {
	p := NewParser(FormatAuto, nil)
	p.Feed("Here it is.\nmain.go\n```go\npackage main\n\nfunc main() {}\n")
	path, lines, ok := p.WholeCandidate(1)
	if !ok || path != "main.go" || strings.Join(lines, "|") != "|func main() {}" {
		t.Fatalf("WholeCandidate(1) = %q, %q, %v; want main.go, the lines after the first, true", path, lines, ok)
	}
	p.Feed("```\nAnd another:\n```\nx\n```\n")
	if _, _, ok := p.WholeCandidate(0); ok {
		t.Errorf("WholeCandidate after a second block: ok, want none")
	}
}
