package shell

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The hooks for each shell. They are written into the session directory when a session starts.
var (
	//go:embed scripts/bashrc.bash
	bashRC string
	//go:embed scripts/zshenv.zsh
	zshEnv string
	//go:embed scripts/zprofile.zsh
	zshProfile string
	//go:embed scripts/zshrc.zsh
	zshRC string
	//go:embed scripts/init.fish
	fishInit string
)

// Environment variables that carry the integration into the shell. The hooks unset
// SPARK_SHELL_NONCE as soon as they have read it, so the shell's children never see the nonce.
const (
	envNonce       = "SPARK_SHELL_NONCE"
	envBashLogin   = "SPARK_BASH_LOGIN"
	envZdotdir     = "SPARK_ZDOTDIR"
	envZdotdirSet  = "SPARK_ZDOTDIR_SET"
	envBashMarkVar = "_"
)

// shellKind names the shells spark records, from the shell's path ("" for any other).
func shellKind(path string) string {
	switch name := strings.TrimPrefix(filepath.Base(path), "-"); name {
	case "bash", "zsh", "fish":
		return name
	}
	return ""
}

// interactiveArgs writes the integration for an interactive shell of the given kind into the
// session directory and returns the shell's arguments (argv[0] first) and environment.
func (s *session) interactiveArgs(kind, path string, login bool, environ []string) ([]string, []string, error) {
	env := withoutVars(environ, EnvSession, envNonce, envBashLogin, envZdotdir, envZdotdirSet)
	env = append(env, EnvSession+"="+s.dir, envNonce+"="+s.nonce)
	switch kind {
	case "bash":
		rc := filepath.Join(s.dir, "bashrc")
		if err := os.WriteFile(rc, []byte(bashRC), 0o600); err != nil {
			return nil, nil, fmt.Errorf("write shell integration: %w", err)
		}
		// bash writes the raw command line here with >|, which keeps an existing file's mode:
		// created now, it is 0600 whatever the shell's umask.
		if err := os.WriteFile(filepath.Join(s.dir, "bash-scratch"), nil, 0o600); err != nil {
			return nil, nil, fmt.Errorf("write shell integration: %w", err)
		}
		// $_ starts as the rcfile's path; the rcfile uses it to tell whether bash already read
		// /etc/bash.bashrc.
		env = append(withoutVars(env, envBashMarkVar), envBashMarkVar+"="+rc)
		if login {
			env = append(env, envBashLogin+"=1")
		}
		return []string{path, "--rcfile", rc, "-i"}, env, nil
	case "zsh":
		dir := filepath.Join(s.dir, "zsh")
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("write shell integration: %w", err)
		}
		for name, text := range map[string]string{".zshenv": zshEnv, ".zprofile": zshProfile, ".zshrc": zshRC} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
				return nil, nil, fmt.Errorf("write shell integration: %w", err)
			}
		}
		if v, ok := lookup(environ, "ZDOTDIR"); ok {
			env = append(env, envZdotdir+"="+v, envZdotdirSet+"=1")
		}
		env = append(withoutVars(env, "ZDOTDIR"), "ZDOTDIR="+dir)
		args := []string{path, "-i"}
		if login {
			args = append(args, "-l")
		}
		return args, env, nil
	case "fish":
		init := filepath.Join(s.dir, "init.fish")
		if err := os.WriteFile(init, []byte(fishInit), 0o600); err != nil {
			return nil, nil, fmt.Errorf("write shell integration: %w", err)
		}
		args := []string{path, "-i", "--init-command", "source " + fishQuote(init)}
		if login {
			args = append(args, "-l")
		}
		return args, env, nil
	}
	return nil, nil, fmt.Errorf("no shell integration for %s", path)
}

// commandArgs returns the arguments and environment that run one command with the shell's -c.
// No hooks are needed: spark itself knows where the command starts and ends.
func (s *session) commandArgs(path, command string, login bool, environ []string) ([]string, []string) {
	env := append(withoutVars(environ, EnvSession, envNonce), EnvSession+"="+s.dir)
	return plainArgs(path, command, login), env
}

// plainArgs runs the shell without any integration.
func plainArgs(path, command string, login bool) []string {
	args := []string{path}
	if login {
		args = append(args, "-l")
	}
	if command != "" {
		args = append(args, "-c", command)
	}
	return args
}

// fishQuote quotes s as one fish word.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// lookup finds name in environ ("NAME=value").
func lookup(environ []string, name string) (string, bool) {
	for i := len(environ) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(environ[i], name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// getenvFrom is os.Getenv over environ.
func getenvFrom(environ []string) func(string) string {
	return func(name string) string {
		v, _ := lookup(environ, name)
		return v
	}
}

// withoutVars returns environ without the named variables.
func withoutVars(environ []string, names ...string) []string {
	out := make([]string, 0, len(environ)+4)
outer:
	for _, kv := range environ {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue outer
			}
		}
		out = append(out, kv)
	}
	return out
}
