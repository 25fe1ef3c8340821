package edit

import (
	"fmt"
	"strings"
	"testing"
)

// drawing renders the events an Applier shows as a diff is drawn: "file P", "@@ anchor",
// " context", "-removed", "+added", "> prose".
func drawing(events []Event) string {
	var b strings.Builder
	for _, e := range events {
		switch e.Kind {
		case EvProse:
			fmt.Fprintf(&b, "> %s\n", e.Text)
		case EvFile:
			fmt.Fprintf(&b, "file %s\n", e.Path)
		case EvHunk:
			fmt.Fprintf(&b, "@@ %s\n", e.Text)
		case EvContext:
			fmt.Fprintf(&b, " %s\n", e.Text)
		case EvDelete:
			fmt.Fprintf(&b, "-%s\n", e.Text)
		case EvInsert:
			fmt.Fprintf(&b, "+%s\n", e.Text)
		}
	}
	return b.String()
}

// numbered returns lines "line 1" to "line n".
func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

// TestApplierShowsWhatChanges: whatever the format, the drawing is the lines that change with
// their context, not every line the reply repeats.
func TestApplierShowsWhatChanges(t *testing.T) {
	file := numbered(20)
	tests := []struct {
		name   string
		format Format
		reply  string
		want   string
	}{
		{
			name:   "search/replace: one line of three",
			format: FormatSearchReplace,
			reply:  "f.txt\n<<<<<<< SEARCH\nline 4\nline 5\nline 6\n=======\nline 4\nline FIVE\nline 6\n>>>>>>> REPLACE\n",
			want:   "file f.txt\n@@ \n line 4\n-line 5\n+line FIVE\n line 6\n",
		},
		{
			name:   "search/replace: lines added",
			format: FormatSearchReplace,
			reply:  "<<<<<<< SEARCH\nline 9\n=======\nline 9\nline 9.5\n>>>>>>> REPLACE\n",
			want:   "file f.txt\n@@ \n line 9\n+line 9.5\n",
		},
		{
			name:   "search/replace: block deleted",
			format: FormatSearchReplace,
			reply:  "f.txt\n<<<<<<< SEARCH\nline 1\nline 2\n=======\n>>>>>>> REPLACE\n",
			want:   "file f.txt\n@@ \n-line 1\n-line 2\n",
		},
		{
			name:   "whole file: two lines changed",
			format: FormatWhole,
			reply:  "Two fixes.\nf.txt\n```\n" + strings.Replace(strings.Replace(file, "line 3\n", "line three\n", 1), "line 17\n", "line seventeen\n", 1) + "```\n",
			want: "> Two fixes.\nfile f.txt\n@@ \n line 1\n line 2\n-line 3\n+line three\n line 4\n line 5\n line 6\n" +
				"@@ \n line 14\n line 15\n line 16\n-line 17\n+line seventeen\n line 18\n line 19\n line 20\n",
		},
		{
			name:   "v4a as written",
			format: FormatV4A,
			reply:  "*** Begin Patch\n*** Update File: f.txt\n@@ line 1\n line 2\n-line 3\n+line 3\n*** End Patch\n",
			want:   "file f.txt\n@@ line 1\n line 2\n-line 3\n+line 3\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApplier([]*Target{{Path: "f.txt", Content: []byte(file)}}, ApplyOptions{Format: tt.format})
			var events []Event
			a.Start(func(e Event) { events = append(events, e) })
			for _, piece := range strings.SplitAfter(tt.reply, "\n") {
				if err := a.Feed(piece); err != nil {
					t.Fatalf("Feed(%q) = %v", piece, err)
				}
			}
			if _, err := a.Finish(); err != nil {
				t.Fatalf("Finish() = %v", err)
			}
			if got := drawing(events); got != tt.want {
				t.Errorf("drawing:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestApplierDrawsWholeFileLive: a whole file, asked for by the user or by the repair round
// (where the reply is only known to be one at its end), is drawn while its lines arrive: a
// change near the top shows before the model has sent the rest.
func TestApplierDrawsWholeFileLive(t *testing.T) {
	file := numbered(100)
	next := strings.Replace(file, "line 5\n", "line five\n", 1)
	patchReply := "*** Begin Patch\n*** Update File: f.txt\n@@\n-line 500\n+x\n*** End Patch\n"
	for _, tt := range []struct {
		name   string
		format Format
		repair bool // the whole file comes from the repair round after a failed patch
	}{
		{"asked for", FormatWhole, false},
		{"repair round", FormatAuto, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApplier([]*Target{{Path: "f.txt", Content: []byte(file)}}, ApplyOptions{Format: tt.format})
			if tt.repair {
				a.Feed(patchReply)
				_, err := a.Finish()
				if _, ok := a.Repair(err); !ok {
					t.Fatalf("Repair(%v) = false, want a whole-file round", err)
				}
			}
			var events []Event
			a.Start(func(e Event) { events = append(events, e) })
			a.Feed("f.txt\n```\n")
			lines := strings.SplitAfter(next, "\n")
			for _, l := range lines[:20] {
				a.Feed(l)
			}
			if got, want := drawing(events), "file f.txt\n@@ \n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n"; got != want {
				t.Fatalf("drawn after 20 of 100 lines:\n%s\nwant:\n%s", got, want)
			}
			for _, l := range lines[20:] {
				a.Feed(l)
			}
			a.Feed("```\n")
			changes, err := a.Finish()
			if err != nil || len(changes) != 1 || string(changes[0].New) != next {
				t.Fatalf("Finish() = %d changes, %v; want the new file", len(changes), err)
			}
			if got := drawing(events); strings.Count(got, "file f.txt") != 1 || strings.Count(got, "line five") != 1 {
				t.Errorf("the file was drawn more than once:\n%s", got)
			}
		})
	}
}

// TestApplierInPlace: an edit the file already has changes nothing and names the file.
func TestApplierInPlace(t *testing.T) {
	a := NewApplier(applyTargets(), ApplyOptions{})
	a.Feed("*** Begin Patch\n*** Update File: notes.txt\n@@\n a\n-b\n+b\n c\n*** Update File: cmd/edit.go\n@@\n-var x = 1\n+var x = 2\n*** End Patch\n")
	changes, err := a.Finish()
	if err != nil || len(changes) != 1 || changes[0].Target.Path != "cmd/edit.go" {
		t.Fatalf("Finish() = %v, %v; want one change, to cmd/edit.go", changes, err)
	}
	var in []string
	for _, tg := range a.InPlace() {
		in = append(in, tg.Path)
	}
	if fmt.Sprint(in) != "[notes.txt]" {
		t.Errorf("InPlace() = %v, want [notes.txt]", in)
	}
}
