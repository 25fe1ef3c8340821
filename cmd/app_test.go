package cmd

import (
	"reflect"
	"testing"
)

func TestReorderFlags(t *testing.T) {
	app := newApp(&env{getenv: func(string) string { return "" }})
	tests := []struct {
		in, want []string
	}{
		{[]string{"spark", "edit", "a.go", "fix it", "--dry-run"}, []string{"spark", "edit", "--dry-run", "a.go", "fix it"}},
		{[]string{"spark", "edit", "a.go", "--model", "m", "fix it"}, []string{"spark", "edit", "--model", "m", "a.go", "fix it"}},
		{[]string{"spark", "edit", "a.go", "--model=m", "fix it"}, []string{"spark", "edit", "--model=m", "a.go", "fix it"}},
		{[]string{"spark", "edit", "-", "fix it"}, []string{"spark", "edit", "-", "fix it"}},
		{[]string{"spark", "edit", "a.go", "--", "--dry-run"}, []string{"spark", "edit", "a.go", "--", "--dry-run"}},
		{[]string{"spark", "edit", "a.go", "--unknown"}, []string{"spark", "edit", "a.go", "--unknown"}},
		{[]string{"spark", "--version"}, []string{"spark", "--version"}},
	}
	for _, tt := range tests {
		if got := reorderFlags(app, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("reorderFlags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestColorWanted(t *testing.T) {
	tests := []struct {
		env  map[string]string
		tty  bool
		want bool
	}{
		{nil, true, true},
		{nil, false, false},
		{map[string]string{"NO_COLOR": "1"}, true, false},
		{map[string]string{"TERM": "dumb"}, true, false},
		{map[string]string{"FORCE_COLOR": "1"}, false, true},
		{map[string]string{"FORCE_COLOR": "1", "NO_COLOR": "1"}, false, true},
		{map[string]string{"FORCE_COLOR": "0"}, false, false},
	}
	for _, tt := range tests {
		if got := colorWanted(envMap(tt.env), tt.tty); got != tt.want {
			t.Errorf("colorWanted(%v, tty=%v) = %v, want %v", tt.env, tt.tty, got, tt.want)
		}
	}
}
