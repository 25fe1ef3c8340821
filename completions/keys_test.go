package completions

import "testing"

func TestParseKey(t *testing.T) {
	tests := []struct {
		spec            string
		zsh, bash, fish string
	}{
		{"alt-i", "^[i", `\ei`, `\ei`},
		{"Alt-I", "^[I", `\eI`, `\eI`},
		{"ctrl-g", "^G", `\C-g`, `\cg`},
		{"ctrl-G", "^G", `\C-g`, `\cg`},
		{"ctrl-alt-x", "^[^X", `\e\C-x`, `\e\cx`},
		{"meta-/", "^[/", `\e/`, `\e/`},
		{"ctrl-x s", "^Xs", `\C-xs`, `\cxs`},
		{"ctrl-x ctrl-s", "^X^S", `\C-x\C-s`, `\cx\cs`},
	}
	for _, tt := range tests {
		keys, err := ParseKey(tt.spec)
		if err != nil {
			t.Errorf("ParseKey(%q) = %v", tt.spec, err)
			continue
		}
		for sh, want := range map[string]string{"zsh": tt.zsh, "bash": tt.bash, "fish": tt.fish} {
			if got := keys.Sequence(sh); got != want {
				t.Errorf("ParseKey(%[2]q).Sequence(%[1]s) = %q, want %q", sh, tt.spec, got, want)
			}
		}
	}
	for _, bad := range []string{"", "i", "alt-", "ctrl-1", "alt-ii", "alt-'", "alt-;", "alt-[", "a b c d", "x alt-i"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) = nil error, want one", bad)
		}
	}
}
