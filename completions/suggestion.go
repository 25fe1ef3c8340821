package completions

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanSuggestion turns a model's reply into one command line: the first command inside a code fence
// if there is one, else the first line that is not prose or a comment, without a leading "$ ",
// surrounding backticks, control characters or direction-changing characters. Lines ending in a
// backslash continue. It fails when the reply holds no command.
func CleanSuggestion(reply string) (string, error) {
	lines := strings.Split(strings.ReplaceAll(reply, "\r\n", "\n"), "\n")
	if start, end, ok := fenced(lines); ok {
		lines = lines[start:end]
	}
	var cmd string
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "```") || strings.HasPrefix(l, "#") {
			continue
		}
		if isProse(l) {
			if code, ok := inlineCode(l); ok {
				cmd = code
				break
			}
			continue
		}
		cmd = l
		for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
			i++
			cmd = strings.TrimSpace(strings.TrimSuffix(cmd, "\\")) + " " + strings.TrimSpace(lines[i])
		}
		break
	}
	cmd = strings.TrimSpace(cmd)
	for _, p := range []string{"$ ", "% "} {
		cmd = strings.TrimPrefix(cmd, p)
	}
	if len(cmd) >= 2 && cmd[0] == '`' && cmd[len(cmd)-1] == '`' && strings.Count(cmd, "`") == 2 {
		cmd = cmd[1 : len(cmd)-1]
	}
	// Nothing that could move the cursor, end the line or reach the terminal survives.
	cmd = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, cmd)
	cmd = strings.TrimSpace(cmd)
	if cmd == "" {
		return "", errors.New("the model gave no command")
	}
	return cmd, nil
}

// fenced finds the body of the first code fence in lines.
func fenced(lines []string) (start, end int, ok bool) {
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			for j := i + 1; j < len(lines); j++ {
				if strings.HasPrefix(strings.TrimSpace(lines[j]), "```") {
					return i + 1, j, true
				}
			}
			return i + 1, len(lines), true
		}
	}
	return 0, 0, false
}

// isProse recognises a sentence around the command: "Here is the command:", "This lists all
// files in the directory.". Command lines rarely start with a capital and end in a full stop.
func isProse(l string) bool {
	if strings.HasSuffix(l, ":") {
		return true
	}
	first, _ := utf8.DecodeRuneInString(l)
	return unicode.IsUpper(first) && strings.HasSuffix(l, ".") && strings.Count(l, " ") >= 3
}

// inlineCode returns the first `code` span of a line.
func inlineCode(l string) (string, bool) {
	i := strings.IndexByte(l, '`')
	if i < 0 {
		return "", false
	}
	j := strings.IndexByte(l[i+1:], '`')
	if j <= 0 {
		return "", false
	}
	return l[i+1 : i+1+j], true
}
