package safe

import (
	"encoding/json"
	"strings"
	"testing"
)

// Corpus is what an attacker would put into a reply, a file or a server body to act on the
// terminal that shows it; every entry must come out visible and inert.
var corpus = []struct {
	name, in, want string
}{
	{"osc 52 clipboard", "x\x1b]52;c;ZWNobyBwd25lZA==\x07y", "x^[]52;c;ZWNobyBwd25lZA==^Gy"},
	{"osc 0 title", "\x1b]0;owned\x1b\\", "^[]0;owned^[\\"},
	{"clear screen", "\x1b[2J\x1b[H", "^[[2J^[[H"},
	{"osc 8 link", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "^[]8;;https://evil.example^[\\click^[]8;;^[\\"},
	{"c1 csi", "a\u009b2Jb", "a<U+009B>2Jb"},
	{"c1 osc", "\u009d0;t\u009c", "<U+009D>0;t<U+009C>"},
	{"raw c1 byte", "a\x9b2J", `a\x9b2J`},
	{"bel", "ding\a", "ding^G"},
	{"backspace hides", "rm -rf /\b\b\b\b\b\b\b\bls", "rm -rf /^H^H^H^H^H^H^H^Hls"},
	{"lone cr hides", "safe\rEVIL", "safe^MEVIL"},
	{"crlf kept", "a\r\nb\r\n", "a\r\nb\r\n"},
	{"rlo", "access\u202Eexe.txt", "access<U+202E>exe.txt"},
	{"isolates", "\u2066x\u2069", "<U+2066>x<U+2069>"},
	{"zero width", "pass\u200Bword\u200F", "pass<U+200B>word<U+200F>"},
	{"bom inside", "a\uFEFFb", "a<U+FEFF>b"},
	{"nul and del", "a\x00b\x7f", "a^@b^?"},
	{"tab and newline kept", "\tx\n", "\tx\n"},
	{"unicode kept", "naïve — “quotes” 日本 😀", "naïve — “quotes” 日本 😀"},
}

func TestText(t *testing.T) {
	for _, c := range corpus {
		if got := Text(c.in); got != c.want {
			t.Errorf("%s: Text(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		got := Text(c.in)
		for i := 0; i < len(got); i++ {
			if b := got[i]; (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f {
				t.Errorf("%s: Text(%q) = %q keeps control byte %#x", c.name, c.in, got, b)
			}
		}
	}
}

func TestLine(t *testing.T) {
	if got, want := Line("a\nb\x1b"), "a^Jb^["; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

func TestJSON(t *testing.T) {
	for _, c := range corpus {
		b, err := json.Marshal(map[string]string{"s": c.in})
		if err != nil {
			t.Fatal(err)
		}
		got := JSON(b)
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%s: JSON(%s) = %s, not JSON: %v", c.name, b, got, err)
		}
		var orig map[string]string
		json.Unmarshal(b, &orig)
		if back["s"] != orig["s"] {
			t.Errorf("%s: JSON changed the value: %q, want %q", c.name, back["s"], orig["s"])
		}
		if Text(string(got)) != string(got) {
			t.Errorf("%s: JSON(%s) = %q still holds unsafe characters", c.name, b, got)
		}
	}
}

func TestTextNoCopy(t *testing.T) {
	s := strings.Repeat("plain text\n", 100)
	if got := Text(s); got != s {
		t.Fatalf("Text changed plain text")
	}
}

func BenchmarkText(b *testing.B) {
	s := strings.Repeat("\tfmt.Println(\"hello, world\") // naïve\n", 1<<14)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Text(s)
	}
}
