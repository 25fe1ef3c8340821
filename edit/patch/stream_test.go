package patch

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// event is an Event with its hunk copied, so that event lists compare by value.
type event struct {
	Kind EventKind
	Text string
	Path string
	File int
	Op   Op
	Hunk *Hunk
}

func (e event) String() string {
	if e.Hunk != nil {
		return fmt.Sprintf("%v %q %s#%d(%v) %+v", e.Kind, e.Text, e.Path, e.File, e.Op, *e.Hunk)
	}
	return fmt.Sprintf("%v %q %s#%d(%v)", e.Kind, e.Text, e.Path, e.File, e.Op)
}

// streamResult is everything a parse produces.
type streamResult struct {
	Events []event
	Patch  *Patch
	Err    string
}

// stream feeds text to a Parser in the chunks split returns.
func stream(text string, f Format, split func(string) []string) streamResult {
	var r streamResult
	p := NewParser(f, func(e Event) {
		ev := event{e.Kind, e.Text, e.Path, e.File, e.Op, nil}
		if e.Hunk != nil {
			h := *e.Hunk
			ev.Hunk = &h
		}
		r.Events = append(r.Events, ev)
	})
	for _, c := range split(text) {
		p.Feed(c)
	}
	patch, err := p.Close()
	r.Patch = patch
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

func whole(s string) []string { return []string{s} }

func fixed(n int) func(string) []string {
	return func(s string) []string {
		var out []string
		for len(s) > n {
			out = append(out, s[:n])
			s = s[n:]
		}
		return append(out, s)
	}
}

func random(seed uint64) func(string) []string {
	return func(s string) []string {
		r := rand.New(rand.NewPCG(seed, 1))
		var out []string
		for len(s) > 0 {
			n := min(len(s), r.IntN(24))
			out = append(out, s[:n])
			s = s[n:]
		}
		return out
	}
}

func diffResults(a, b streamResult) string {
	if a.Err != b.Err {
		return fmt.Sprintf("error %q, want %q", a.Err, b.Err)
	}
	if !reflect.DeepEqual(a.Patch, b.Patch) {
		return fmt.Sprintf("patch %+v, want %+v", a.Patch, b.Patch)
	}
	for i := range max(len(a.Events), len(b.Events)) {
		var x, y string
		if i < len(a.Events) {
			x = a.Events[i].String()
		}
		if i < len(b.Events) {
			y = b.Events[i].String()
		}
		if x != y {
			return fmt.Sprintf("event %d = %s, want %s", i, x, y)
		}
	}
	return ""
}

func TestStreamChunking(t *testing.T) {
	splits := map[string]func(string) []string{"1-byte": fixed(1), "7-byte": fixed(7), "random-1": random(1), "random-2": random(2)}
	for _, c := range Cases {
		reply := fenced(c.Reply)
		want := stream(reply, c.Format, whole)
		p, err := Parse(reply, c.Format)
		if errString(err) != want.Err || (err == nil && !reflect.DeepEqual(p, want.Patch)) {
			t.Errorf("%s: Parse(%q) = %+v, %v; want the streamed %+v, %v", c.Name, reply, p, err, want.Patch, want.Err)
		}
		for name, split := range splits {
			if d := diffResults(stream(reply, c.Format, split), want); d != "" {
				t.Errorf("%s: stream(%q) in %s chunks: %s", c.Name, reply, name, d)
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestHunkDoneEarly checks that each hunk is reported complete no later than the line that
// starts the next one, so that a caller can check it while the rest streams.
func TestHunkDoneEarly(t *testing.T) {
	for _, c := range Cases {
		reply := fenced(c.Reply)
		var doneAt []int
		var hunks []*Hunk
		line := 0
		p := NewParser(c.Format, func(e Event) {
			if e.Kind == EvHunkDone {
				doneAt = append(doneAt, line)
				hunks = append(hunks, e.Hunk)
			}
		})
		for l := range strings.SplitAfterSeq(reply, "\n") {
			line++
			p.Feed(l)
		}
		p.Close()
		for k := 0; k+1 < len(hunks); k++ {
			if doneAt[k] > hunks[k+1].Line {
				t.Errorf("%s: hunk %d of %q done at reply line %d, after hunk %d started at line %d", c.Name, k+1, reply, doneAt[k], k+2, hunks[k+1].Line)
			}
		}
	}
}

// TestHunkDoneBeforeClose checks that a hunk closed by a marker is reported at that marker,
// not at Close.
func TestHunkDoneBeforeClose(t *testing.T) {
	for _, tc := range []struct {
		reply string
		f     Format
		after string // the prefix after which the first hunk must be done
	}{
		{"*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n@@\n-z\n+w\n*** End Patch\n", FormatAuto, "*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n@@\n"},
		{"*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n*** Update File: b\n@@\n-z\n+w\n", FormatAuto, "*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n*** Update File: b\n"},
		{"*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n*** End Patch\nThat is all.", FormatAuto, "*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n*** End Patch\n"},
		{"a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\nmore", FormatAuto, "a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"},
		{"--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\n@@ -5 +5 @@\n-z\n+w\n", FormatAuto, "--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n+y\n@@ -5 +5 @@\n"},
	} {
		done := 0
		p := NewParser(tc.f, func(e Event) {
			if e.Kind == EvHunkDone {
				done++
			}
		})
		p.Feed(tc.after)
		if done != 1 {
			t.Errorf("NewParser(%q).Feed(%q): %d hunks done, want 1", tc.f, tc.after, done)
		}
		p.Feed(tc.reply[len(tc.after):])
		if _, err := p.Close(); err != nil {
			t.Errorf("Parse(%q) error: %v", tc.reply, err)
		}
	}
}

// TestStreamLive checks that a line's event arrives as soon as its newline does.
func TestStreamLive(t *testing.T) {
	var got []string
	p := NewParser(FormatAuto, func(e Event) { got = append(got, e.Kind.String()+":"+e.Text) })
	p.Feed("Fix.\n*** Begin Patch\n*** Update File: a.go\n@@ func f\n-x\n+")
	want := []string{"prose:Fix.", "file:", "hunk:func f", "delete:x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events after a partial line = %q, want %q", got, want)
	}
	p.Feed("y\n")
	if w := "insert:y"; len(got) != 5 || got[4] != w {
		t.Errorf("events after the line ends = %q, want %q last", got, w)
	}
}
