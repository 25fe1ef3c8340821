package cmd

import (
	"context"
	"strings"
	"testing"
)

// The shell itself is tested against real shells in package shell and by
// testdata/script/shell_*.txtar; here only what the command line decides.

func TestShellUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"shell", "ls"}, "spark: shell takes no arguments; to run a command: spark shell -c COMMAND\n"},
		{[]string{"shell", "-c", ""}, "spark: shell -c needs a command\n"},
		{[]string{"shell", "-c"}, "flag needs an argument"},
		{[]string{"shell", "--nope"}, "flag provided but not defined"},
	} {
		code, out, errOut := runSpark(context.Background(), t, nil, tt.args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("spark %q = %d, %q, %q; want exit 2 and %q", tt.args, code, out, errOut, tt.want)
		}
	}
}
