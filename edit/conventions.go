package edit

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// maxAgentsBytes bounds how much of an AGENTS.md goes into the prompt: conventions are a
// preamble, not the payload, and every byte of it is paid on every edit.
const maxAgentsBytes = 6 << 10

// Conventions returns the project's conventions: the nearest AGENTS.md above the first of paths
// (up to the repository root, the directory holding .git). It belongs in the system prompt, which
// it keeps the same for every edit in a project; the per-file .editorconfig properties go with
// each file in the user prompt instead (see UserPrompt). Unreadable or missing files are skipped:
// conventions are advice, and their absence never stops an edit. The result is "" when there is
// none.
func Conventions(dir string, paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	first := paths[0]
	if !filepath.IsAbs(first) {
		first = filepath.Join(dir, first)
	}
	name, text := nearestAgents(filepath.Dir(filepath.Clean(first)))
	if text == "" {
		return ""
	}
	return fmt.Sprintf("From %s:\n%s", relTo(dir, name), text)
}

// fileConventions returns the .editorconfig properties that apply to the file at abs, as one
// line ("indent_style=tab insert_final_newline=true"), or "".
func fileConventions(abs string) string {
	props := editorconfigFor(abs)
	if len(props) == 0 {
		return ""
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", k, props[k])
	}
	return b.String()
}

// nearestAgents walks up from dir to the repository root looking for AGENTS.md.
func nearestAgents(dir string) (string, string) {
	for {
		name := filepath.Join(dir, "AGENTS.md")
		if data, err := os.ReadFile(name); err == nil {
			if len(data) > maxAgentsBytes {
				data = append(data[:maxAgentsBytes:maxAgentsBytes], "\n[AGENTS.md truncated]"...)
			}
			return name, strings.TrimSpace(string(data))
		}
		if isRepoRoot(dir) {
			return "", ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ""
		}
		dir = parent
	}
}

func isRepoRoot(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".git"))
	return err == nil
}

// editorconfigProp reports the properties that matter to a model writing code; the rest (charset
// aside) are for editors.
func editorconfigProp(name string) bool {
	switch name {
	case "indent_style", "indent_size", "tab_width", "end_of_line", "charset",
		"trim_trailing_whitespace", "insert_final_newline", "max_line_length":
		return true
	}
	return false
}

// editorconfigFor computes the effective .editorconfig properties for file, reading the files
// from the root (root = true) down, so nearer files and later sections win, as the spec says.
func editorconfigFor(file string) map[string]string {
	var configs []string
	for dir := filepath.Dir(file); ; {
		name := filepath.Join(dir, ".editorconfig")
		if data, err := os.ReadFile(name); err == nil {
			configs = append(configs, name)
			if isRootConfig(data) {
				break
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	props := map[string]string{}
	for i := len(configs) - 1; i >= 0; i-- {
		data, err := os.ReadFile(configs[i])
		if err != nil {
			continue
		}
		applyEditorconfig(props, data, filepath.Dir(configs[i]), file)
	}
	for k, v := range props {
		if v == "unset" {
			delete(props, k)
		}
	}
	return props
}

func isRootConfig(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			return false
		}
		if k, v, ok := strings.Cut(line, "="); ok && strings.EqualFold(strings.TrimSpace(k), "root") {
			return strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	return false
}

func applyEditorconfig(props map[string]string, data []byte, base, file string) {
	rel, err := filepath.Rel(base, file)
	if err != nil {
		return
	}
	rel = filepath.ToSlash(rel)
	matches := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			matches = editorconfigMatch(line[1:len(line)-1], rel)
			continue
		}
		if !matches {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if editorconfigProp(k) {
			props[k] = strings.ToLower(strings.TrimSpace(v))
		}
	}
}

// editorconfigMatch reports whether an .editorconfig section glob matches rel (slash-separated,
// relative to the .editorconfig's directory). A glob without a slash matches the base name in any
// directory; one with a slash is anchored at the .editorconfig's directory.
func editorconfigMatch(glob, rel string) bool {
	switch {
	case strings.HasPrefix(glob, "/"):
		glob = glob[1:]
	case !strings.Contains(glob, "/"):
		glob = "**/" + glob
	}
	ok, err := doublestar.Match(glob, rel)
	return err == nil && ok
}

func relTo(dir, name string) string {
	if r, err := filepath.Rel(dir, name); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return name
}
