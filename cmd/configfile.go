package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeConfig reads the config file: TOML, limited to what spark's settings need, top-level
// keys with a string ("…" or '…') or boolean value, one per line, comments allowed. Keys spark
// does not know are ignored, as a full TOML decoder would; anything beyond that subset (tables,
// arrays, numbers, multi-line strings) is refused with the line it is on. A TOML library would
// cost every spark command, --version included, its package initialisation (it loads the
// local time zone), for a file most users never write.
func decodeConfig(data []byte) (fileConfig, error) {
	var fc fileConfig
	text := strings.TrimPrefix(string(data), "\ufeff")
	seen := map[string]bool{}
	for n, line := range strings.Split(text, "\n") {
		key, val, err := configLine(strings.TrimSuffix(line, "\r"))
		if err != nil {
			return fileConfig{}, fmt.Errorf("line %d: %w", n+1, err)
		}
		if key == "" {
			continue
		}
		if seen[key] {
			return fileConfig{}, fmt.Errorf("line %d: %s is set twice", n+1, key)
		}
		seen[key] = true
		s, isString := val.(string)
		dst := map[string]*string{"model": &fc.Model, "base_url": &fc.BaseURL, "api_key": &fc.APIKey,
			"format": &fc.Format, "stall_timeout": &fc.StallTimeout}[key]
		switch {
		case key == "prediction":
			b, ok := val.(bool)
			if !ok {
				return fileConfig{}, fmt.Errorf("line %d: prediction wants true or false", n+1)
			}
			fc.Prediction = b
		case dst != nil && !isString:
			return fileConfig{}, fmt.Errorf("line %d: %s wants a string in quotes", n+1, key)
		case dst != nil:
			*dst = s
		}
	}
	return fc, nil
}

// configLine parses one line: key = value # comment. An empty key means a blank or comment line.
func configLine(line string) (key string, val any, err error) {
	if !utf8.ValidString(line) {
		return "", nil, fmt.Errorf("not UTF-8")
	}
	rest := strings.TrimLeft(line, " \t")
	if rest == "" || rest[0] == '#' {
		return "", nil, nil
	}
	if rest[0] == '[' {
		return "", nil, fmt.Errorf("tables are not supported: spark's settings are top-level keys")
	}
	if rest[0] == '"' || rest[0] == '\'' {
		key, rest, err = configString(rest)
	} else {
		i := strings.IndexFunc(rest, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
		})
		if i < 0 {
			i = len(rest)
		}
		key, rest = rest[:i], rest[i:]
		if key == "" {
			err = fmt.Errorf("want key = value")
		}
	}
	if err != nil {
		return "", nil, err
	}
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" || rest[0] != '=' {
		if rest != "" && rest[0] == '.' {
			return "", nil, fmt.Errorf("dotted keys are not supported: spark's settings are top-level keys")
		}
		return "", nil, fmt.Errorf("want key = value")
	}
	rest = strings.TrimLeft(rest[1:], " \t")
	switch {
	case strings.HasPrefix(rest, `"""`), strings.HasPrefix(rest, "'''"):
		return "", nil, fmt.Errorf("multi-line strings are not supported")
	case rest != "" && (rest[0] == '"' || rest[0] == '\''):
		val, rest, err = configString(rest)
	case strings.HasPrefix(rest, "true"):
		val, rest = true, rest[len("true"):]
	case strings.HasPrefix(rest, "false"):
		val, rest = false, rest[len("false"):]
	default:
		return "", nil, fmt.Errorf("%s: want a string in quotes, true or false", key)
	}
	if err != nil {
		return "", nil, err
	}
	if rest = strings.TrimLeft(rest, " \t"); rest != "" && rest[0] != '#' {
		return "", nil, fmt.Errorf("unexpected %q after the value", rest)
	}
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }); i >= 0 {
		return "", nil, fmt.Errorf("control character in a comment")
	}
	return key, val, nil
}

// configString parses a basic ("…", with escapes) or literal ('…') string at the start of s and
// returns it and what follows.
func configString(s string) (string, string, error) {
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == quote:
			return b.String(), s[i+1:], nil
		case c < 0x20 && c != '\t' || c == 0x7f:
			return "", "", fmt.Errorf("control character in a string")
		case c == '\\' && quote == '"':
			if i+1 >= len(s) {
				return "", "", fmt.Errorf("unterminated string")
			}
			e := s[i+1]
			if r, ok := map[byte]rune{'b': '\b', 't': '\t', 'n': '\n', 'f': '\f', 'r': '\r', 'e': 0x1b, '"': '"', '\\': '\\'}[e]; ok {
				b.WriteRune(r)
				i += 2
				continue
			}
			digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if digits == 0 || i+2+digits > len(s) {
				return "", "", fmt.Errorf("invalid escape \\%c", e)
			}
			v, err := strconv.ParseUint(s[i+2:i+2+digits], 16, 32)
			if err != nil || !utf8.ValidRune(rune(v)) {
				return "", "", fmt.Errorf("invalid escape \\%s", s[i+1:i+2+digits])
			}
			b.WriteRune(rune(v))
			i += 2 + digits
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", "", fmt.Errorf("unterminated string")
}
