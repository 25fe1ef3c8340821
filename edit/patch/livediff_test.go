package patch

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// drawLive runs new through a LiveDiff from old, line by line, and returns the drawing as diff
// lines ("@@", " ctx", "-del", "+ins"), and how much of it was drawn before Close.
func drawLive(old, new []string, context int) (drawing []string, beforeClose int) {
	d := NewLiveDiff(old, func(ev Event) {
		mark := map[EventKind]string{EvHunk: "@@", EvContext: " ", EvDelete: "-", EvInsert: "+"}[ev.Kind]
		drawing = append(drawing, mark+ev.Text)
	})
	d.w.context = context
	for _, l := range new {
		d.Add(l)
	}
	beforeClose = len(drawing)
	d.Close()
	return drawing, beforeClose
}

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

var unifiedRange = regexp.MustCompile(`(?m)^@@ .*@@$`)

// TestLiveDiffAsUnified: on ordinary edits the live drawing is Unified's diff, hunk for hunk.
func TestLiveDiffAsUnified(t *testing.T) {
	var file []string
	for i := range 40 {
		file = append(file, "line "+string(rune('A'+i%26))+strings.Repeat("!", i/26))
	}
	edit := func(f func([]string) []string) []string { return f(append([]string(nil), file...)) }
	for _, tc := range []struct {
		name string
		new  []string
	}{
		{"one line changed", edit(func(s []string) []string { s[20] = "changed"; return s })},
		{"two changes far apart", edit(func(s []string) []string { s[2], s[30] = "two", "thirty"; return s })},
		{"two changes close together", edit(func(s []string) []string { s[10], s[15] = "ten", "fifteen"; return s })},
		{"lines inserted", edit(func(s []string) []string { return append(s[:5], append([]string{"new 1", "new 2"}, s[5:]...)...) })},
		{"lines deleted", edit(func(s []string) []string { return append(s[:12], s[18:]...) })},
		{"first and last lines", edit(func(s []string) []string { s[0], s[39] = "first", "last"; return s })},
		{"tail cut", edit(func(s []string) []string { return s[:35] })},
		{"unchanged", edit(func(s []string) []string { return s })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := drawLive(file, tc.new, diffContext)
			old, new := strings.Join(file, "\n")+"\n", strings.Join(tc.new, "\n")+"\n"
			var want []string
			if u := Unified("f", []byte(old), []byte(new)); u != "" {
				u = unifiedRange.ReplaceAllString(u, "@@")
				want = lines(u)[2:]
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("live drawing:\n%s\nwant (Unified):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestLiveDiffDrawsAsLinesArrive: a change near the top is drawn, with its context, long before
// the new text ends.
func TestLiveDiffDrawsAsLinesArrive(t *testing.T) {
	var old []string
	for i := range 200 {
		old = append(old, "x"+strings.Repeat("y", i))
	}
	new := append([]string(nil), old...)
	new[3] = "changed"
	var drawn []string
	d := NewLiveDiff(old, func(ev Event) { drawn = append(drawn, ev.Kind.String()+" "+ev.Text) })
	for i, l := range new {
		d.Add(l)
		if i == 20 {
			break
		}
	}
	want := []string{"hunk ", "context x", "context xy", "context xyy", "delete xyyy", "insert changed", "context xyyyy", "context xyyyyy", "context xyyyyyy"}
	if strings.Join(drawn, "\n") != strings.Join(want, "\n") {
		t.Errorf("drawn after 21 of 200 lines:\n%s\nwant:\n%s", strings.Join(drawn, "\n"), strings.Join(want, "\n"))
	}
}

// TestLiveDiffValid: with unlimited context the drawing lists every line, so its context and
// removed lines must be the old text, its context and added lines the new one, and on small
// random texts (full of repeated lines) it is never shorter than a minimal diff.
func TestLiveDiffValid(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	for range 3000 {
		a, b := randomLines(r), randomLines(r)
		if r.IntN(2) == 0 { // mostly alike, as an edit is
			b = append(append(append([]string(nil), a[:len(a)/2]...), b[:len(b)/3]...), a[len(a)/2:]...)
		}
		got, _ := drawLive(a, b, 1<<30)
		if len(got) == 0 { // nothing to draw: the texts must be equal
			if strings.Join(a, ",") != strings.Join(b, ",") {
				t.Fatalf("live diff of %q to %q drew nothing", a, b)
			}
			continue
		}
		var olds, news []string
		edits := 0
		for _, l := range got {
			switch l[0] {
			case ' ':
				olds, news = append(olds, l[1:]), append(news, l[1:])
			case '-':
				olds, edits = append(olds, l[1:]), edits+1
			case '+':
				news, edits = append(news, l[1:]), edits+1
			}
		}
		if strings.Join(olds, ",") != strings.Join(a, ",") || strings.Join(news, ",") != strings.Join(b, ",") {
			t.Fatalf("live diff of %q to %q drew %q", a, b, got)
		}
		if min := editDistance(a, b); edits < min {
			t.Fatalf("live diff of %q to %q has %d edits, fewer than the minimum %d: %q", a, b, edits, min, got)
		}
	}
}

// BenchmarkLiveDiff draws a 2,000-line Go-like file rewritten whole with three changes, line by
// line, as a whole-file reply streams.
func BenchmarkLiveDiff(b *testing.B) {
	var old []string
	for i := range 2000 {
		switch i % 5 {
		case 0:
			old = append(old, fmt.Sprintf("func f%d() {", i))
		case 4:
			old = append(old, "}")
		default:
			old = append(old, "\treturn nil")
		}
	}
	new := append([]string(nil), old...)
	new[100], new[1000], new[1900] = "changed", "changed", "changed"
	for b.Loop() {
		d := NewLiveDiff(old, func(Event) {})
		for _, l := range new {
			d.Add(l)
		}
		d.Close()
	}
}
