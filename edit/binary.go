package edit

import "bytes"

// sniffLen is how much of a file is looked at to tell text from binary, like git and grep do.
const sniffLen = 8 << 10

// binaryReason returns why head (the start of a file) looks binary, or "" when it looks like text.
// A NUL byte is decisive; otherwise a file is binary when more than 30% of its bytes are control
// characters that text does not use. Bytes of 0x80 and above count as text, so UTF-8 and legacy
// 8-bit encodings pass; UTF-16 has NUL bytes and is refused with its own reason.
func binaryReason(head []byte) string {
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		if bytes.IndexByte(head, 0) >= 0 {
			return "binary file (UTF-16 text is not supported)"
		}
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "binary file"
	}
	odd := 0
	for _, c := range head {
		if c < 0x20 && !textControl(c) || c == 0x7f {
			odd++
		}
	}
	if odd*10 > len(head)*3 {
		return "binary file"
	}
	return ""
}

// textControl reports whether c is a control character that text files really contain: tab,
// newlines, form feed, backspace (man pages) and escape (ANSI colours in logs).
func textControl(c byte) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', '\b', 0x1b:
		return true
	}
	return false
}
