package patch

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{"a\n", "a\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "x\ny\n", "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n"},
		{"x\n", "", "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-x\n"},
		{"a\nb", "a\nb\n", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"a\nb\n", "a\nb\nc", "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n b\n+c\n\\ No newline at end of file\n"},
		{
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
			"1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\nFIFTEEN\n16\n",
			"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n@@ -12,5 +12,5 @@\n 12\n 13\n 14\n-15\n+FIFTEEN\n 16\n",
		},
		{
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			"1\n2\nthree\n4\n5\n6\n7\neight\n9\n",
			"--- a/f\n+++ b/f\n@@ -1,9 +1,9 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n-8\n+eight\n 9\n",
		},
	} {
		if got := Unified("f", []byte(tc.old), []byte(tc.new)); got != tc.want {
			t.Errorf("Unified(%q, %q) = %q, want %q", tc.old, tc.new, got, tc.want)
		}
	}
}

func TestStat(t *testing.T) {
	for _, tc := range []struct {
		old, new       string
		added, removed int
	}{
		{"a\nb\n", "a\nb\n", 0, 0},
		{"a\nb\n", "a\nc\nd\n", 2, 1},
		{"a\nb", "a\nb\n", 1, 1},
		{"", "x\n", 1, 0},
	} {
		if a, r := Stat([]byte(tc.old), []byte(tc.new)); a != tc.added || r != tc.removed {
			t.Errorf("Stat(%q, %q) = %d, %d, want %d, %d", tc.old, tc.new, a, r, tc.added, tc.removed)
		}
	}
}

// TestDiffMinimal checks the diff against a dynamic-programming edit distance on small random
// inputs, and that it always describes a valid edit.
func TestDiffMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 2000 {
		a, b := randomLines(r), randomLines(r)
		delA, insB := diffInts(intern(a, b))
		n := 0
		var kept []string
		for i, d := range delA {
			if d {
				n++
			} else {
				kept = append(kept, a[i])
			}
		}
		var keptB []string
		for j, d := range insB {
			if d {
				n++
			} else {
				keptB = append(keptB, b[j])
			}
		}
		if strings.Join(kept, ",") != strings.Join(keptB, ",") {
			t.Fatalf("diff(%q, %q) keeps %q from a but %q from b", a, b, kept, keptB)
		}
		if want := editDistance(a, b); n != want {
			t.Fatalf("diff(%q, %q) has %d edits, want %d", a, b, n, want)
		}
	}
}

func randomLines(r *rand.Rand) []string {
	s := make([]string, r.IntN(12))
	for i := range s {
		s[i] = string(rune('a' + r.IntN(3)))
	}
	return s
}

// editDistance counts insertions and deletions of a shortest edit from a to b.
func editDistance(a, b []string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		for j := range d[i] {
			switch {
			case i == 0:
				d[i][j] = j
			case j == 0:
				d[i][j] = i
			case a[i-1] == b[j-1]:
				d[i][j] = d[i-1][j-1]
			default:
				d[i][j] = 1 + min(d[i-1][j], d[i][j-1])
			}
		}
	}
	return d[len(a)][len(b)]
}

// TestDiffLarge checks that a large, very different pair still yields a valid diff quickly.
func TestDiffLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var a, b []string
	for range 20000 {
		a = append(a, string(rune('a'+r.IntN(20))))
		b = append(b, string(rune('a'+r.IntN(20))))
	}
	old, new := strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n"
	d := Unified("f", []byte(old), []byte(new))
	p, err := Parse(d, FormatUnified)
	if err != nil {
		t.Fatalf("Parse(Unified(large)) error: %v", err)
	}
	got, err := ApplyFile("f", []byte(old), p.Files[0])
	if err != nil || string(got) != new {
		t.Fatalf("ApplyFile(Parse(Unified(large))) = %d bytes, %v; want the new text", len(got), err)
	}
}

// TestRoundTripRepetitive applies diffs of texts made of a few repeated lines, where every hunk's
// context matches in many places, so that only the hunk headers' line numbers and the previous
// hunk's position can place it.
func TestRoundTripRepetitive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	text := func() string {
		s := strings.Join(randomLines(r), "\n") + strings.Repeat("\n", r.IntN(2))
		for range r.IntN(4) {
			s += strings.Join(randomLines(r), "\n") + "\n"
		}
		return s
	}
	for range 3000 {
		old, new := text(), text()
		d := Unified("f", []byte(old), []byte(new))
		if d == "" {
			continue
		}
		p, err := Parse(d, FormatUnified)
		if err != nil {
			t.Fatalf("Parse(%q) error: %v", d, err)
		}
		got, err := ApplyFile("f", []byte(old), p.Files[0])
		if err != nil || string(got) != new {
			t.Fatalf("ApplyFile(%q, Parse(%q)) = %q, %v; want %q", old, d, got, err, new)
		}
	}
}
