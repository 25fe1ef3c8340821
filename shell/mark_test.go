package shell

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const testNonce = "0123456789abcdef"

func testMark(kind string, fields ...string) string {
	s := "\x1b]" + markOSC + ";" + testNonce + ";" + kind
	for _, f := range fields {
		s += ";" + escapeField(f)
	}
	return s + "\a"
}

// scanAll runs s through a scanner in the given chunks and returns the passthrough bytes and the
// marks, each mark with the number of passthrough bytes before it.
func scanAll(nonce string, chunks [][]byte) ([]byte, []string) {
	sc := newMarkScanner(nonce)
	var out bytes.Buffer
	var events []string
	var pieces []piece
	for _, c := range chunks {
		pieces = sc.Scan(c, pieces[:0])
		for _, p := range pieces {
			if p.mark != nil {
				events = append(events, fmt.Sprintf("%d:%c%q", out.Len(), p.mark.kind, p.mark.fields))
				continue
			}
			out.Write(p.data)
		}
	}
	out.Write(sc.Flush())
	return out.Bytes(), events
}

func TestMarkScanner(t *testing.T) {
	start := testMark("S", "/home/u/my;dir", "echo 'a\\b'\nls\t\x1b[1m\a")
	tests := []struct {
		name   string
		in     string
		out    string
		events []string
	}{
		{"plain", "hello\nworld", "hello\nworld", nil},
		{"colours pass", "\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m", nil},
		{"start and end", "x" + start + "out\r\n" + testMark("E", "1") + "$ ", "xout\r\n$ ",
			[]string{`1:S["/home/u/my;dir" "echo 'a\\b'\nls\t\x1b[1m\a"]`, `6:E["1"]`}},
		{"ST terminator", "a\x1b]6973;" + testNonce + ";E;0\x1b\\b", "ab", []string{`1:E["0"]`}},
		{"output mark", testMark("P") + "x", "x", []string{`0:P[]`}},
		{"forged nonce", "\x1b]6973;ffffffffffffffff;E;0\a", "\x1b]6973;ffffffffffffffff;E;0\a", nil},
		{"other osc", "\x1b]0;title\a\x1b]133;A\a", "\x1b]0;title\a\x1b]133;A\a", nil},
		{"unknown kind", "\x1b]6973;" + testNonce + ";Z;1\a", "\x1b]6973;" + testNonce + ";Z;1\a", nil},
		{"bad status", "\x1b]6973;" + testNonce + ";E;x\a", "\x1b]6973;" + testNonce + ";E;x\a", nil},
		{"unterminated at end", "a\x1b]6973;" + testNonce + ";E;1", "a\x1b]6973;" + testNonce + ";E;1", nil},
		{"lone esc at end", "abc\x1b", "abc\x1b", nil},
		{"esc inside, then mark", "\x1b]6973;" + testNonce + ";E;1\x1bX" + testMark("E", "2"),
			"\x1b]6973;" + testNonce + ";E;1\x1bX", []string{`29:E["2"]`}},
	}
	for _, tt := range tests {
		out, events := scanAll(testNonce, [][]byte{[]byte(tt.in)})
		if string(out) != tt.out {
			t.Errorf("%s: passthrough = %q, want %q", tt.name, out, tt.out)
		}
		if !reflect.DeepEqual(events, tt.events) {
			t.Errorf("%s: events = %q, want %q", tt.name, events, tt.events)
		}
		// Byte by byte gives the same.
		var chunks [][]byte
		for i := range len(tt.in) {
			chunks = append(chunks, []byte(tt.in[i:i+1]))
		}
		out2, events2 := scanAll(testNonce, chunks)
		if !bytes.Equal(out, out2) || !reflect.DeepEqual(events, events2) {
			t.Errorf("%s: byte by byte: %q %q, want %q %q", tt.name, out2, events2, out, events)
		}
	}
}

func TestMarkTooLong(t *testing.T) {
	long := "\x1b]6973;" + testNonce + ";S;/;" + strings.Repeat("x", maxMark+10) + "\a"
	out, events := scanAll(testNonce, [][]byte{[]byte(long)})
	if string(out) != long || events != nil {
		t.Errorf("over-long mark: got %d bytes and %q, want it passed through", len(out), events)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", `a\b`, "a;b;c", "x\ny\r\tz", "\x1b[0m\a", `\x3b`, `\n`, "héllo ✓"} {
		if got := unescapeField(escapeField(s)); got != s {
			t.Errorf("unescapeField(escapeField(%q)) = %q", s, got)
		}
		if e := escapeField(s); strings.ContainsAny(e, "\a\x1b;\n\r") {
			t.Errorf("escapeField(%q) = %q, still holds a special character", s, e)
		}
	}
}

// FuzzMarkScanner checks that any chunking of a stream gives the same marks, at the same places,
// and the same passthrough bytes as the whole stream at once, and that nothing but our marks is
// ever removed.
func FuzzMarkScanner(f *testing.F) {
	f.Add([]byte("hello"+testMark("S", "/tmp", "ls -l")+"out\r\n"+testMark("E", "0")), []byte{3, 7, 1})
	f.Add([]byte("\x1b]6973;"+testNonce+";E;1\x1b\\\x1b]6973;bad;E;1\a"), []byte{20})
	f.Add([]byte("\x1b\x1b]\x1b]6973;\x1b]6973;0123"), []byte{1, 1, 1, 2})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		whole, wholeEvents := scanAll(testNonce, [][]byte{data})
		var chunks [][]byte
		rest := data
		for _, c := range cuts {
			n := min(int(c), len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		chunks = append(chunks, rest)
		out, events := scanAll(testNonce, chunks)
		if !bytes.Equal(out, whole) {
			t.Fatalf("chunked passthrough %q, whole %q", out, whole)
		}
		if !reflect.DeepEqual(events, wholeEvents) {
			t.Fatalf("chunked events %q, whole %q", events, wholeEvents)
		}
		// Without marks of our nonce, everything passes through.
		if !bytes.Contains(data, []byte(testNonce)) && !bytes.Equal(whole, data) {
			t.Fatalf("passthrough %q, want the input %q", whole, data)
		}
		if len(wholeEvents) == 0 && !bytes.Equal(whole, data) {
			t.Fatalf("no marks but passthrough %q differs from input %q", whole, data)
		}
	})
}
