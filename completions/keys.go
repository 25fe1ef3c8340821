package completions

import (
	"errors"
	"fmt"
	"strings"
)

// Key is a key binding for a widget: one to three key presses.
type Key []keyStroke

// keyStroke is one key press of a binding: a character with Ctrl and/or Alt held.
type keyStroke struct {
	ctrl, alt bool
	ch        byte
}

// keyChars are the characters a binding may use besides letters and digits: they mean the same
// to all three shells' binding syntaxes without quoting.
const keyChars = "/.,=-"

// ParseKey reads a key as people write it: alt-i, ctrl-g, ctrl-alt-x, or strokes separated by
// spaces ("ctrl-x s"). The first stroke needs Ctrl or Alt, so that no typed character is taken.
func ParseKey(spec string) (Key, error) {
	fields := strings.Fields(spec)
	if len(fields) == 0 || len(fields) > 3 {
		return nil, errors.New("want a key like alt-i, ctrl-g or ctrl-x s")
	}
	var keys Key
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

// Sequence writes the key in the binding notation of sh: zsh's bindkey (^[i, ^G), readline's
// (\ei, \C-g) or fish's bind (\ei, \cg).
func (key Key) Sequence(sh string) string {
	var b strings.Builder
	for _, k := range key {
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
