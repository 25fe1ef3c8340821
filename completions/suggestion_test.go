package completions

import "testing"

func TestCleanSuggestion(t *testing.T) {
	tests := []struct {
		reply, want string
	}{
		{"git status", "git status"},
		{"git status\n", "git status"},
		{"  $ git status  \n", "git status"},
		{"```bash\ngit status\n```", "git status"},
		{"```\n$ ls -la\n```\nThis lists everything.", "ls -la"},
		{"Here is the command:\n\nfind . -name '*.go'\n", "find . -name '*.go'"},
		{"Use `du -sh *` to see the sizes.", "du -sh *"},
		{"`git log --oneline`", "git log --oneline"},
		{"# list files\nls", "ls"},
		{"docker run \\\n  -it ubuntu \\\n --rm", "docker run -it ubuntu --rm"},
		{"echo hi\nrm -rf /", "echo hi"},
		{"printf 'a\x1b[2Jb'\tx", "printf 'a[2Jb' x"},
		{"```sh\ntouch x", "touch x"},
	}
	for _, tt := range tests {
		got, err := CleanSuggestion(tt.reply)
		if err != nil || got != tt.want {
			t.Errorf("CleanSuggestion(%q) = %q, %v; want %q", tt.reply, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "\n\n", "Sure, I can help with that.", "```\n```", "Here you go:"} {
		if got, err := CleanSuggestion(bad); err == nil {
			t.Errorf("CleanSuggestion(%q) = %q, want an error", bad, got)
		}
	}
}
