package cmd

import (
	"github.com/spark-cli/spark/internal/testenv"

	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/completions"
)

// cliSurface returns the visible commands and, for each command and for the top level (""),
// its flags as typed (--name, -n), sorted: what the completion scripts must offer.
func cliSurface(t *testing.T) (commands []string, flags map[string][]string) {
	t.Helper()
	app := newApp(&env{getenv: func(string) string { return "" }}, nil)
	app.Setup()
	flags = map[string][]string{"": flagSpellings(app.VisibleFlags())}
	for _, c := range app.VisibleCommands() {
		commands = append(commands, c.Name)
		fl := flagSpellings(c.VisibleFlags())
		if !c.HideHelp && c.Name != "help" {
			fl = append(fl, "--help", "-h")
		}
		sort.Strings(fl)
		flags[c.Name] = fl
	}
	sort.Strings(commands)
	return commands, flags
}

func flagSpellings(fs []cli.Flag) []string {
	var out []string
	for _, f := range fs {
		for _, n := range f.Names() {
			if len(n) == 1 {
				out = append(out, "-"+n)
			} else {
				out = append(out, "--"+n)
			}
		}
	}
	sort.Strings(out)
	return out
}

func sortedFields(s string) []string {
	f := strings.Fields(s)
	sort.Strings(f)
	return slices.Compact(f)
}

// TestCompletionCoversCLI fails when a command or flag exists in the CLI and a completion
// script does not offer it (or offers one that does not exist). bash and fish are asked as a
// person's Tab would ask them; zsh through a real zsh in tmux.
func TestCompletionCoversCLI(t *testing.T) {
	commands, flags := cliSurface(t)
	keys := make([]string, 0, len(flags))
	for k := range flags {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	t.Run("bash", func(t *testing.T) {
		t.Parallel()
		bash := lookShell(t, "bash")
		script, _ := completions.Completion("bash")
		var prog strings.Builder
		prog.WriteString(script + "\n" + `c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _spark; echo "${COMPREPLY[*]}"; }` + "\n")
		prog.WriteString("c spark ''\n")
		for _, k := range keys {
			if k == "" {
				prog.WriteString("c spark -\n")
			} else {
				prog.WriteString("c spark " + k + " -\n")
			}
		}
		lines := runShellLines(t, bash, []string{"--norc", "--noprofile"}, prog.String())
		if got := sortedFields(lines[0]); !slices.Equal(got, commands) {
			t.Errorf("bash completes the commands %q, the CLI has %q", got, commands)
		}
		for i, k := range keys {
			if got := sortedFields(lines[i+1]); !slices.Equal(got, flags[k]) {
				t.Errorf("bash completes %q flags %q, the CLI has %q", k, got, flags[k])
			}
		}
	})

	t.Run("fish", func(t *testing.T) {
		t.Parallel()
		fish := lookShell(t, "fish")
		script, _ := completions.Completion("fish")
		var prog strings.Builder
		prog.WriteString(script + "\n")
		prog.WriteString("echo (complete -C 'spark ' | string split -f1 \\t)\n")
		for _, k := range keys {
			line := "spark " + k + " -"
			if k == "" {
				line = "spark -"
			}
			prog.WriteString("echo (complete -C '" + line + "' | string split -f1 \\t)\n")
		}
		lines := runShellLines(t, fish, []string{"--no-config"}, prog.String())
		if got := sortedFields(lines[0]); !slices.Equal(got, commands) {
			t.Errorf("fish completes the commands %q, the CLI has %q", got, commands)
		}
		for i, k := range keys {
			if got := sortedFields(lines[i+1]); !slices.Equal(got, flags[k]) {
				t.Errorf("fish completes %q flags %q, the CLI has %q", k, got, flags[k])
			}
		}
	})

	t.Run("zsh", func(t *testing.T) {
		t.Parallel()
		s := startTmux(t, "zsh", nil, "autoload -Uz compinit && compinit -u -d ~/.zcompdump\n"+`eval "$(spark completion zsh)"`)
		flagRE := regexp.MustCompile(`^--?[a-z][a-z-]*$`)
		listed := func(line string) []string {
			s.press("C-l")
			s.typeText(line)
			s.press("Tab")
			var got []string
			s.waitUntil(func(scr string) bool {
				rows := strings.Split(scr, "\n")
				got = nil
				for _, r := range rows[1:] {
					for _, f := range strings.Fields(r) {
						if f == "--" {
							break
						}
						got = append(got, f)
					}
				}
				return len(got) > 0
			}, "a completion list for "+line)
			s.press("C-u")
			return got
		}
		if got := sortedFields(strings.Join(listed("spark "), " ")); !slices.Equal(got, commands) {
			t.Errorf("zsh completes the commands %q, the CLI has %q", got, commands)
		}
		for _, k := range keys {
			if len(flags[k]) == 0 {
				continue
			}
			line := "spark " + k + " -"
			if k == "" {
				line = "spark -"
			}
			var got []string
			for _, f := range listed(line) {
				if flagRE.MatchString(f) {
					got = append(got, f)
				}
			}
			if got = sortedFields(strings.Join(got, " ")); !slices.Equal(got, flags[k]) {
				t.Errorf("zsh completes %q flags %q, the CLI has %q", k, got, flags[k])
			}
		}
	})
}

// TestCompletionValues checks the values: --format's, shells for init and completion, files
// for edit, and a partial command.
func TestCompletionValues(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"main.go", "main_test.go", "README.md"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	tests := []struct{ line, want string }{
		{"spark ed", "edit"},
		{"spark edit --format ", "auto search-replace unified v4a whole"},
		{"spark fix --format w", "whole"},
		{"spark suggest --shell ", "bash fish zsh"},
		{"spark init ", "bash fish zsh"},
		{"spark completion f", "fish"},
		{"spark edit mai", "main.go main_test.go"},
		{"spark help un", "undo"},
		{"spark ag", "again"},
		{"spark again --d", "--dry-run"},
	}
	t.Run("bash", func(t *testing.T) {
		t.Parallel()
		bash := lookShell(t, "bash")
		script, _ := completions.Completion("bash")
		var prog strings.Builder
		prog.WriteString("cd " + shQuote(dir) + "\n" + script + "\n")
		prog.WriteString(`c() { read -ra COMP_WORDS <<< "$1"; [[ $1 == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _spark; echo "${COMPREPLY[*]}"; }` + "\n")
		for _, tt := range tests {
			prog.WriteString("c " + shQuote(tt.line) + "\n")
		}
		lines := runShellLines(t, bash, []string{"--norc", "--noprofile"}, prog.String())
		for i, tt := range tests {
			if got := strings.Join(sortedFields(lines[i]), " "); got != tt.want {
				t.Errorf("bash completes %q with %q, want %q", tt.line, got, tt.want)
			}
		}
	})
	t.Run("fish", func(t *testing.T) {
		t.Parallel()
		fish := lookShell(t, "fish")
		script, _ := completions.Completion("fish")
		var prog strings.Builder
		prog.WriteString("cd " + shQuote(dir) + "\n" + script + "\n")
		for _, tt := range tests {
			prog.WriteString("echo (complete -C " + shQuote(tt.line) + " | string split -f1 \\t)\n")
		}
		lines := runShellLines(t, fish, []string{"--no-config"}, prog.String())
		for i, tt := range tests {
			if got := strings.Join(sortedFields(lines[i]), " "); got != tt.want {
				t.Errorf("fish completes %q with %q, want %q", tt.line, got, tt.want)
			}
		}
	})
	t.Run("zsh", func(t *testing.T) {
		t.Parallel()
		s := startTmux(t, "zsh", nil, "cd "+shQuote(dir)+"\nautoload -Uz compinit && compinit -u -d ~/.zcompdump\n"+`eval "$(spark init zsh)"`)
		s.typeText("spark ed")
		s.press("Tab")
		s.waitBuffer("spark edit ")
		s.typeText("--format ")
		s.press("Tab")
		s.waitFor("search-replace")
		s.press("C-u", "C-l")
		s.typeText("spark init f")
		s.press("Tab")
		s.waitBuffer("spark init fish ")
		s.press("C-u")
		s.typeText("spark edit main_")
		s.press("Tab")
		s.waitBuffer("spark edit main_test.go ")
	})
}

func TestCompletionCommand(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir()}
	for _, sh := range completions.Shells {
		want, _ := completions.Completion(sh)
		code, out, errOut := runSpark(context.Background(), t, env, "completion", sh)
		if code != 0 || out != want || errOut != "" {
			t.Errorf("spark completion %s = %d, %d bytes, stderr %q; want the embedded script", sh, code, len(out), errOut)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "powershell"}} {
		code, _, errOut := runSpark(context.Background(), t, env, args...)
		if code != ExitUsage || !strings.Contains(errOut, "bash") {
			t.Errorf("spark %s = exit %d, %q; want %d naming the shells", strings.Join(args, " "), code, errOut, ExitUsage)
		}
	}
}

func lookShell(t *testing.T, sh string) string {
	t.Helper()
	return testenv.LookPath(t, sh)
}

// runShellLines runs prog with the shell and returns its output lines.
func runShellLines(t *testing.T, sh string, args []string, prog string) []string {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(sh, args...)
	cmd.Stdin = strings.NewReader(prog)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_DATA_HOME=" + home, "LANG=C.UTF-8"}
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\n%s", sh, err, stderr)
	}
	return strings.Split(string(out), "\n")
}
