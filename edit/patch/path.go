package patch

import (
	"strings"
	"unicode"
)

// cleanPath strips what models wrap file names in: surrounding space, quotes, backticks, bold
// markers, a trailing colon, a git a/ or b/ prefix and a diff timestamp after a tab.
func cleanPath(s string) string {
	if i := strings.IndexByte(s, '\t'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	for {
		t := strings.TrimSuffix(strings.TrimSpace(s), ":")
		t = strings.TrimSpace(t)
		for _, w := range [...]string{"**", "__", "`", `"`, "'"} {
			if len(t) >= 2*len(w) && strings.HasPrefix(t, w) && strings.HasSuffix(t, w) {
				t = t[len(w) : len(t)-len(w)]
			}
		}
		t = strings.TrimSpace(t)
		if t == s {
			break
		}
		s = t
	}
	if strings.HasPrefix(s, "a/") || strings.HasPrefix(s, "b/") {
		s = s[2:]
	}
	return s
}

// pathLabels are the words models put before a file name.
var pathLabels = [...]string{"file:", "filename:", "file name:", "path:", "filepath:"}

// pathOf returns the file name a reply line names, or "" if it does not look like a file name:
// "src/app.py", "`src/app.py`", "**src/app.py**", "File: src/app.py", "### src/app.py".
// A bare line with spaces is prose; a labelled or backticked one may hold spaces.
func pathOf(line string) string {
	s := strings.TrimSpace(line)
	if s == "" || len(s) > 512 {
		return ""
	}
	spaced := false
	if strings.HasPrefix(s, "#") {
		s = strings.TrimSpace(strings.TrimLeft(s, "#"))
	}
	if strings.HasPrefix(s, "**") {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s[2:], ":"), "**"))
	}
	for _, l := range pathLabels {
		if len(s) > len(l) && strings.EqualFold(s[:len(l)], l) {
			s = s[len(l):]
			spaced = true
			break
		}
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "**"))
	if strings.HasPrefix(s, "`") && strings.HasSuffix(strings.TrimSuffix(s, ":"), "`") {
		spaced = true
	}
	s = cleanPath(s)
	if s == "" || strings.ContainsAny(s, "`<>|\"*") || strings.HasPrefix(s, "===") || strings.HasPrefix(s, "---") {
		return ""
	}
	if !spaced && strings.ContainsAny(s, " \t") {
		return ""
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		// "...", "…" or "---" between blocks stand for text left out, not for a file.
		return ""
	}
	return s
}
