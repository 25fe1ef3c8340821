package cmd

import (
	"errors"
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
	strokes, err := parseKey(name)
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
	seq := keySequence(sh, strokes)
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

// keyStroke is one key press of a binding: a character with Ctrl and/or Alt held.
type keyStroke struct {
	ctrl, alt bool
	ch        byte
}

// keyChars are the characters a binding may use besides letters and digits: they mean the same
// to all three shells' binding syntaxes without quoting.
const keyChars = "/.,=-"

// parseKey reads a key as people write it: alt-i, ctrl-g, ctrl-alt-x, or strokes separated by
// spaces ("ctrl-x s"). The first stroke needs Ctrl or Alt, so that no typed character is taken.
func parseKey(spec string) ([]keyStroke, error) {
	fields := strings.Fields(spec)
	if len(fields) == 0 || len(fields) > 3 {
		return nil, errors.New("want a key like alt-i, ctrl-g or ctrl-x s")
	}
	var keys []keyStroke
	for i, f := range fields {
		var k keyStroke
		rest := f
	mods:
		for {
			low := strings.ToLower(rest)
			switch {
			case strings.HasPrefix(low, "ctrl-") && len(rest) > 5:
				k.ctrl, rest = true, rest[5:]
			case strings.HasPrefix(low, "alt-") && len(rest) > 4:
				k.alt, rest = true, rest[4:]
			case strings.HasPrefix(low, "meta-") && len(rest) > 5:
				k.alt, rest = true, rest[5:]
			default:
				break mods
			}
		}
		if len(rest) != 1 {
			return nil, fmt.Errorf("%q: want one character after ctrl- or alt-", f)
		}
		c := rest[0]
		switch {
		case k.ctrl && (c|0x20 < 'a' || c|0x20 > 'z'):
			return nil, fmt.Errorf("%q: ctrl- goes with a letter", f)
		case k.ctrl:
			c |= 0x20
		case !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keyChars, c) >= 0):
			return nil, fmt.Errorf("%q: use a letter, a digit or one of %s", f, keyChars)
		}
		if i == 0 && !k.ctrl && !k.alt {
			return nil, fmt.Errorf("%q: the first key needs ctrl- or alt-, or it would take a character from typing", f)
		}
		k.ch = c
		keys = append(keys, k)
	}
	return keys, nil
}

// keySequence writes strokes in the binding notation of sh: zsh's bindkey (^[i, ^G), readline's
// (\ei, \C-g) or fish's bind (\ei, \cg).
func keySequence(sh string, strokes []keyStroke) string {
	var b strings.Builder
	for _, k := range strokes {
		switch sh {
		case "zsh":
			if k.alt {
				b.WriteString("^[")
			}
			if k.ctrl {
				b.WriteString("^" + strings.ToUpper(string(k.ch)))
				continue
			}
		case "bash":
			if k.alt {
				b.WriteString(`\e`)
			}
			if k.ctrl {
				b.WriteString(`\C-` + string(k.ch))
				continue
			}
		case "fish":
			if k.alt {
				b.WriteString(`\e`)
			}
			if k.ctrl {
				b.WriteString(`\c` + string(k.ch))
				continue
			}
		}
		b.WriteByte(k.ch)
	}
	return b.String()
}
