package edit

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckControls(t *testing.T) {
	cases := []struct {
		name     string
		old, new string
		line     int // 0: allowed
		b        byte
	}{
		{"plain edit", "a\nb\n", "a\nB\n", 0, 0},
		{"tab cr ff allowed", "a\n", "a\tb\r\n\f\n", 0, 0},
		{"nul", "a\nb\n", "a\nb\x00\n", 2, 0},
		{"esc", "a\nb\nc\n", "a\nb\n\x1b]52;c;eA==\x07\n", 3, 0x1b},
		{"bel", "x\n", "x\a\n", 1, 7},
		{"backspace", "x\n", "x\b\n", 1, 8},
		{"del", "x\n", "x\x7f\n", 1, 0x7f},
		{"file had esc already", "\x1b[31mred\x1b[0m\n", "\x1b[32mgreen\x1b[0m\n", 0, 0},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"f.txt": c.old})
		ts := resolveAll(t, dir, "f.txt")
		changes := []Change{{Target: ts[0], New: []byte(c.new)}}
		err := CheckControls(changes)
		var ce *ControlError
		if c.line == 0 {
			if err != nil {
				t.Errorf("%s: CheckControls = %v, want nil", c.name, err)
			}
			continue
		}
		if !errors.As(err, &ce) || ce.Line != c.line || ce.Path != "f.txt" {
			t.Errorf("%s: CheckControls = %v, want a ControlError at line %d", c.name, err, c.line)
			continue
		}
		if c.b != 0 && ce.Byte != c.b {
			t.Errorf("%s: CheckControls found %#x, want %#x", c.name, ce.Byte, c.b)
		}
		// Commit refuses it too, and writes nothing.
		if err := Commit(changes, ""); !errors.As(err, &ce) {
			t.Errorf("%s: Commit = %v, want a ControlError", c.name, err)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "f.txt"))
		if string(got) != c.old {
			t.Errorf("%s: the file became %q after a refused commit", c.name, got)
		}
	}
}
