package shell

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCaptureBounds(t *testing.T) {
	var all bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&all, "line %05d\r\n", i)
	}
	for _, chunk := range []int{1, 7, 4096, 64 << 10, all.Len()} {
		c := newCapture(time.Now())
		b := all.Bytes()
		for len(b) > 0 {
			n := min(chunk, len(b))
			c.Write(b[:n])
			b = b[n:]
		}
		head, tail, omitted := c.parts()
		if len(head) != headRaw || len(tail) != tailRaw {
			t.Fatalf("chunk %d: head %d, tail %d bytes, want %d and %d", chunk, len(head), len(tail), headRaw, tailRaw)
		}
		if !bytes.Equal(head, all.Bytes()[:headRaw]) || !bytes.Equal(tail, all.Bytes()[all.Len()-tailRaw:]) {
			t.Fatalf("chunk %d: head or tail differ from the output's", chunk)
		}
		if want := int64(all.Len() - headRaw - tailRaw); omitted != want {
			t.Fatalf("chunk %d: omitted %d, want %d", chunk, omitted, want)
		}
		out, truncated := boundOutput(head, tail, omitted, 80)
		if !truncated || len(out) > headKeep+tailKeep+100 {
			t.Fatalf("chunk %d: bounded output is %d bytes, truncated %v", chunk, len(out), truncated)
		}
		if !strings.HasPrefix(out, "line 00000\n") || !strings.HasSuffix(out, "line 19999") || !strings.Contains(out, "bytes of output left out ...]") {
			t.Fatalf("chunk %d: bounded output lacks its first or last line or the marker:\n%.200s\n...\n%s", chunk, out, out[len(out)-200:])
		}
	}
}

func TestCaptureSmall(t *testing.T) {
	c := newCapture(time.Now())
	c.Write([]byte("a\r\n"))
	c.Write([]byte("b\r\n"))
	head, tail, omitted := c.parts()
	out, truncated := boundOutput(head, tail, omitted, 80)
	if out != "a\nb" || truncated {
		t.Errorf("boundOutput = %q, %v, want %q, false", out, truncated, "a\nb")
	}
}

func TestAltScreen(t *testing.T) {
	tests := []struct{ in, want string }{
		{"before\x1b[?1049hVIM\x1b[?1049lafter", "beforeafter"},
		{"a\x1b[?1h\x1b=\x1b[?47hLESS\x1b[?47lb", "a\x1b[?1h\x1b=b"},
		{"a\x1b[?1047;1hX\x1b[?1047lb", "ab"},
		{"a\x1b[?1049hX\x1bcb", "ab"},
		{"\x1b[?25l\x1b[31mred\x1b[?25h", "\x1b[?25l\x1b[31mred\x1b[?25h"},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 3, 1000} {
			var a altScreen
			var got bytes.Buffer
			in := []byte(tt.in)
			for len(in) > 0 {
				n := min(chunk, len(in))
				a.Feed(in[:n], func(b []byte) { got.Write(b) })
				in = in[n:]
			}
			if got.String() != tt.want {
				t.Errorf("alt screen of %q in chunks of %d = %q, want %q", tt.in, chunk, got.String(), tt.want)
			}
		}
	}
}

func TestTrimZshPromptSP(t *testing.T) {
	sp := "\x1b[1m\x1b[7m%\x1b[27m\x1b[1m\x1b[0m" + strings.Repeat(" ", 79) + "\r \r"
	tests := []struct{ in, want string }{
		{"foo" + sp, "foo"},
		{"a\r\nb" + sp, "a\r\nb"},
		{"line\r\n" + sp, "line\r\n"},
		{"line\r\n" + strings.Repeat(" ", 79) + "\r \r", "line\r\n"}, // PROMPT_EOL_MARK=''
		{"100%", "100%"},
		{"x%          \r", "x"},
	}
	for _, tt := range tests {
		head, _ := trimZshPromptSP([]byte(tt.in), nil)
		if string(head) != tt.want {
			t.Errorf("trimZshPromptSP(%q) = %q, want %q", tt.in, head, tt.want)
		}
		_, tail := trimZshPromptSP([]byte("head"), []byte(tt.in))
		if string(tail) != tt.want {
			t.Errorf("trimZshPromptSP(head, %q) = %q, want %q", tt.in, tail, tt.want)
		}
	}
}
