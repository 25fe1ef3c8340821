package cmd

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/spark-cli/spark/completions"
)

// defaultSuggestKey is free by default in bash (emacs and vi-insert keymaps), zsh (emacs,
// viins and vicmd) and fish (default and insert modes), as their own binding lists show; in
// vi modes ESC i is also harmless, unlike ESC j and ESC k.
const defaultSuggestKey = "alt-i"

func newInitCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "print the shell integration for your rc file: the suggestion key and completions",
		ArgsUsage: "bash|zsh|fish",
		Description: `Prints the inline-suggestion widget, its key binding and the completion script, for:

   zsh:   eval "$(spark init zsh)"        in ~/.zshrc (after compinit, if you run it)
   bash:  eval "$(spark init bash)"       in ~/.bashrc
   fish:  spark init fish | source        in ~/.config/fish/config.fish

The key (default alt-i, free by default in all three shells) sends the line to "spark
suggest": zsh shows the answer as ghost text while you keep typing, accepted with the key
again, → or End; bash and fish replace the line (undo brings it back). A line starting with
# is a request in plain words. Typing on cancels a request. The suggestion is never run.

SPARK_SUGGEST_KEY chooses another key: alt-X, ctrl-X, ctrl-alt-X, or a sequence such as
"ctrl-x s". A key that is already bound is left alone, with a one-line notice.`,
		Action: func(c *cli.Context) error {
			sh, err := shellArg(c)
			if err != nil {
				return err
			}
			return runInit(e, sh)
		},
	}
}

func runInit(e *env, sh string) error {
	name := strings.TrimSpace(e.getenv("SPARK_SUGGEST_KEY"))
	if name == "" {
		name = defaultSuggestKey
	}
	key, err := completions.ParseKey(name)
	if err != nil {
		return fmt.Errorf("init: SPARK_SUGGEST_KEY %q: %w", name, err)
	}
	widget, err := completions.Widget(sh)
	if err != nil {
		return err
	}
	comp, err := completions.Completion(sh)
	if err != nil {
		return err
	}
	w := e.streams.Out
	fmt.Fprintf(w, "# spark init %s: inline suggestions on %s, and completions.\n", sh, name)
	seq := key.Sequence(sh)
	switch sh {
	case "zsh":
		fmt.Fprintf(w, "typeset -g _spark_key='%s' _spark_key_name='%s'\n", seq, name)
	case "bash":
		fmt.Fprintf(w, "_spark_key='%s' _spark_key_name='%s'\n", seq, name)
	case "fish":
		// Unquoted, so that fish turns \e into the escape character bind expects.
		fmt.Fprintf(w, "set -g __spark_key %s\nset -g __spark_key_name '%s'\n", seq, name)
	}
	fmt.Fprintf(w, "%s\n%s", widget, comp)
	return nil
}
