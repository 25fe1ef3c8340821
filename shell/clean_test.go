package shell

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanOutput(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  string
	}{
		{"plain", "hello\r\nworld\r\n", 80, "hello\nworld"},
		{"colours", "\x1b[1;31merror\x1b[0m: bad\r\n", 80, "error: bad"},
		{"progress bar", "10%\r50%\r100%\r\ndone\r\n", 80, "100%\ndone"},
		{"erase line", "downloading...\r\x1b[Kfinished\r\n", 80, "finished"},
		{"erase whole line", "abc\x1b[2K\rxy\r\n", 80, "xy"},
		{"backspace", "ab\bc\r\n", 80, "ac"},
		{"cursor up redraw", "a 1%\r\nb 1%\r\n\x1b[2Aa 100%\r\nb 100%\r\n", 80, "a 100%\nb 100%"},
		{"osc title and hyperlink", "\x1b]0;title\a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\r\n", 80, "link"},
		{"charset and keypad", "\x1b(B\x1b=text\x1b>\r\n", 80, "text"},
		{"tab", "a\tb\r\n", 80, "a       b"},
		{"invalid utf-8", "ok \xff\xfe ok\r\n", 80, "ok \ufffd\ufffd ok"},
		{"c1 and bel", "a\u0085b\a\r\n", 80, "ab"},
		{"zsh PROMPT_SP after newline", "out\r\n\x1b[1m\x1b[7m%\x1b[27m\x1b[1m\x1b[0m" + strings.Repeat(" ", 19) + "\r \r", 20, "out"},
		{"zsh PROMPT_SP without newline", "foo\x1b[7m%\x1b[0m" + strings.Repeat(" ", 19) + "\r \r", 20, "foo%"},
		{"long line stays one line", strings.Repeat("x", 30) + "\r\n", 20, strings.Repeat("x", 30)},
		{"trailing blank lines", "a\r\n\r\n\r\n", 80, "a"},
		{"unknown width", "abc\rX\r\n", 0, "Xbc"},
		{"binary", "\x00\x01\x02ELF\x00\x00\x00\x00\xff\xfe\x00\x00", 80, "[binary output, 14 bytes]"},
	}
	for _, tt := range tests {
		if got := cleanOutput([]byte(tt.in), tt.width); got != tt.want {
			t.Errorf("%s: cleanOutput(%q, %d) = %q, want %q", tt.name, tt.in, tt.width, got, tt.want)
		}
	}
}

func FuzzCleanOutput(f *testing.F) {
	f.Add([]byte("a\x1b[999999C\x1b[65535Bb\r\n"), 80)
	f.Add([]byte("\x1b]8;;x\x1b\\y\x1b[2Kz\r\x1b[1A"), 0)
	f.Fuzz(func(t *testing.T, b []byte, width int) {
		width = max(0, width%500)
		s := cleanOutput(b, width)
		if !utf8.ValidString(s) {
			t.Fatalf("cleanOutput(%q) = %q, not valid UTF-8", b, s)
		}
		if len(s) > 4*len(b)+maxPad*(strings.Count(string(b), "\x1b")+1)+64 {
			t.Fatalf("cleanOutput(%q) grew to %d bytes", b, len(s))
		}
	})
}
