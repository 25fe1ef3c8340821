package cmd

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestReorderFlags(t *testing.T) {
	app := newApp(&env{getenv: func(string) string { return "" }}, nil)
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

func TestCommandTableNames(t *testing.T) {
	e := &env{getenv: func(string) string { return "" }}
	for _, c := range commands {
		if got := c.make(e).Name; got != c.name {
			t.Errorf("commands lists %q for a command named %q", c.name, got)
		}
	}
}

// TestOnlyReachableCommands runs spark with the commands its arguments reach and with all of
// them: what the user sees, and the exit code, must be the same. (spark help is not run here:
// urfave/cli adds its help flag to the shared help command when that runs, which would leak into
// the other tests of this process. It builds every command, as checked below.)
func TestOnlyReachableCommands(t *testing.T) {
	runWith := func(args, build []string) (string, string, int) {
		var out, errOut bytes.Buffer
		e := &env{streams: Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, getenv: func(string) string { return "" }}
		app := newApp(e, build)
		err := app.RunContext(context.Background(), reorderFlags(app, args))
		return out.String(), errOut.String(), report(context.Background(), e.streams, err)
	}
	for _, args := range [][]string{
		{"spark"},
		{"spark", "--version"},
		{"spark", "-v"},
		{"spark", "--version", "--help"},
		{"spark", "--help"},
		{"spark", "-h"},
		{"spark", "edit", "--help"},
		{"spark", "fix", "-h"},
		{"spark", "undo", "--list", "--help"},
		{"spark", "edti", "a.go", "x"},
		{"spark", "edit"},
		{"spark", "edit", "--no-such-flag", "a.go", "x"},
		{"spark", "--generate-bash-completion"},
		{"spark", "edit", "--generate-bash-completion"},
		{"spark", "completion", "--help"},
	} {
		gotOut, gotErr, gotCode := runWith(args, args)
		wantOut, wantErr, wantCode := runWith(args, nil)
		if gotOut != wantOut || gotErr != wantErr || gotCode != wantCode {
			t.Errorf("%q with only the commands it reaches:\nexit %d, stdout %q, stderr %q\nwith all of them:\nexit %d, stdout %q, stderr %q",
				args[1:], gotCode, gotOut, gotErr, wantCode, wantOut, wantErr)
		}
	}
	// The saving is real: a lone --version builds no command, a command builds itself alone.
	e := &env{getenv: func(string) string { return "" }}
	if n := len(newApp(e, []string{"spark", "--version"}).Commands); n != 0 {
		t.Errorf("spark --version builds %d commands, want none", n)
	}
	if cs := newApp(e, []string{"spark", "edit", "a.go", "x"}).Commands; len(cs) != 1 || cs[0].Name != "edit" {
		t.Errorf("spark edit builds %d commands, want edit alone", len(cs))
	}
	if n := len(newApp(e, []string{"spark", "help", "edit"}).Commands); n != len(commands) {
		t.Errorf("spark help edit builds %d commands, want all %d", n, len(commands))
	}
}
