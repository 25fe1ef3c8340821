package shell

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// redacted replaces a secret in a record.
const redacted = "[REDACTED]"

// Minimum lengths of exact secrets: values of secret-named environment variables, and lines typed
// while the terminal had echo off. Shorter values would redact ordinary words.
const (
	minEnvSecret   = 6
	minTypedSecret = 4
)

// secretPatterns find secrets by their shape. The secret itself is the group named v; the rest of
// the match (a key name, a URL's user and host, a header name) says what it was and is kept.
// They are compiled on first use: every spark command links this package, and only a recording
// session needs them.
var secretPatterns = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		// PEM private keys, also when the output was cut before the END line.
		regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----\n?(?P<v>.*?)\n?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)`),
		// Credentials in URLs: scheme://user:password@host.
		regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:(?P<v>[^/\s@]+)@`),
		// Authorization headers and bare bearer tokens.
		regexp.MustCompile(`(?i)\b(?:proxy-)?authorization\s*:\s*(?:(?:bearer|basic|token|digest|negotiate)\s+)?(?P<v>[^\s"']+)`),
		regexp.MustCompile(`(?i)\bbearer\s+(?P<v>[A-Za-z0-9._~+/-]{8,}=*)`),
		// Tokens with a known shape: AWS access key ids, GitHub, GitLab, Slack, OpenAI and Anthropic,
		// Google, Stripe, npm, Hugging Face, and JWTs.
		regexp.MustCompile(`(?P<v>\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b` +
			`|\bgh[pousr]_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b` +
			`|\bglpat-[A-Za-z0-9_-]{20,}|\bgl(?:dt|rt|ptt|cbt|soat|ft)-[A-Za-z0-9_-]{20,}` +
			`|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bhttps://hooks\.slack\.com/services/[A-Za-z0-9/]+` +
			`|\bsk-(?:proj-|svcacct-|admin-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{20,}` +
			`|\bAIza[0-9A-Za-z_-]{35}\b|\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}\b` +
			`|\bnpm_[A-Za-z0-9]{36}\b|\bhf_[A-Za-z0-9]{30,}\b` +
			`|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})`),
		// --password VALUE and friends on command lines.
		regexp.MustCompile(`(?i)--?[a-z0-9-]*(?:password|passwd|passphrase|secret|token|api-?key|access-key)[a-z0-9-]*[ \t]+(?P<v>[^\s-]\S*)`),
		// key=value and "key": "value" pairs whose key names a secret.
		regexp.MustCompile(`(?i)\b[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]*["']?\s*[:=]\s*(?P<v>"[^"\n]*"|'[^'\n]*'|[^\s"',;&|)]+)`),
	}
})

// secretEnvWords mark an environment variable as holding a secret when its name contains one.
var secretEnvWords = []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "CREDENTIAL", "AUTH", "PRIVATE", "COOKIE"}

// redactor removes secrets from records before they are stored.
type redactor struct {
	values []string // exact secrets, longest first
}

// newRedactor collects the values of secret-named variables in environ ("NAME=value").
func newRedactor(environ []string) *redactor {
	r := &redactor{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !secretName(name) || !secretValue(value, minEnvSecret) {
			continue
		}
		r.values = append(r.values, value)
	}
	sortLongestFirst(r.values)
	return r
}

// secretName reports whether an environment variable's name says it holds a secret.
func secretName(name string) bool {
	up := strings.ToUpper(name)
	if up == "PWD" || up == "OLDPWD" || strings.HasPrefix(up, "SPARK_") {
		return false
	}
	for _, w := range secretEnvWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

// secretValue reports whether v could be a secret: long enough, and not a path or a flag.
func secretValue(v string, minLen int) bool {
	if len(v) < minLen {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "none", "null":
		return false
	}
	return !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "~/")
}

func sortLongestFirst(v []string) {
	slices.SortFunc(v, func(a, b string) int { return len(b) - len(a) })
}

// Redact returns s with the known secret values, the extra ones (typed with echo off) and every
// secret-shaped string replaced.
func (r *redactor) Redact(s string, extra []string) string {
	if s == "" {
		return s
	}
	values := r.values
	if len(extra) > 0 {
		values = append(slices.Clone(extra), values...)
		sortLongestFirst(values)
	}
	for _, v := range values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	for _, re := range secretPatterns() {
		s = replaceSecrets(re, s)
	}
	return s
}

// replaceSecrets replaces the v group of every match of re in s, leaving alone values that are
// no secret: shell variable references, small numbers (max_tokens=512) and earlier redactions.
func replaceSecrets(re *regexp.Regexp, s string) string {
	matches := re.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	v := re.SubexpIndex("v")
	var b strings.Builder
	last := 0
	for _, m := range matches {
		start, end := m[2*v], m[2*v+1]
		if start < 0 || !secretShaped(s[start:end]) {
			continue
		}
		if q := s[start]; (q == '"' || q == '\'') && end-start >= 2 && s[end-1] == q {
			start, end = start+1, end-1 // keep the quotes
		}
		b.WriteString(s[last:start])
		b.WriteString(redacted)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func secretShaped(v string) bool {
	u := strings.Trim(v, `"'`)
	if u == "" || u == redacted || strings.HasPrefix(u, "$") || strings.TrimSpace(u) == "" {
		return false
	}
	if len(u) < 6 && strings.Trim(u, "0123456789") == "" {
		return false
	}
	return true
}

// Redact returns s with secrets replaced as a record's output is before it is stored: every
// secret-shaped string, and the values of the secret-named variables in environ ("NAME=value").
// It is for text that did not come through a session, such as errors piped in.
func Redact(s string, environ []string) string {
	return newRedactor(environ).Redact(s, nil)
}
