package patch

import (
	"strings"
	"testing"
)

// TestHunkErrorByKind checks that the message and the repair advice follow Kind, whatever
// Reason says: rewording a reason must never change what the model is told to do.
func TestHunkErrorByKind(t *testing.T) {
	tests := []struct {
		kind     HunkKind
		nearLine bool   // Error() adds "near line 7"
		advice   string // a line RepairHint must hold
	}{
		{HunkNotFound, true, `found:  "got"`},
		{HunkPastEnd, true, "found:  the end of the file"},
		{HunkNotAtEnd, true, `found:  "got"`},
		{HunkAmbiguous, false, "match more than one place"},
		{HunkOverlaps, false, "Merge the two hunks"},
		{HunkNoContext, false, "Include a few unchanged lines"},
		{HunkBeforeStart, false, "found:  the start of the file"},
		{HunkAnchorNotFound, false, "An @@ line must repeat a line of the file"},
		{HunkNotBelowAnchor, false, "must come after the line its @@ line names"},
	}
	for _, tt := range tests {
		e := &HunkError{Path: "a.go", Hunk: 2, Kind: tt.kind, Reason: "reworded reason", Line: 7, Want: "want", Got: "got"}
		if got := strings.Contains(e.Error(), "near line 7"); got != tt.nearLine {
			t.Errorf("HunkError{Kind: %d}.Error() = %q, near line %v; want %v", tt.kind, e.Error(), got, tt.nearLine)
		}
		if hint := e.RepairHint(); !strings.Contains(hint, tt.advice) {
			t.Errorf("HunkError{Kind: %d}.RepairHint() = %q, want it to contain %q", tt.kind, hint, tt.advice)
		}
	}
}
