package shell

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/spark-cli/spark/internal/lazy"
)

// redacted replaces a secret in a record.
const redacted = "[REDACTED]"

// Minimum lengths of exact secrets: values of secret-named environment variables, and lines typed
// while the terminal had echo off. Shorter values would redact ordinary words.
const (
	minEnvSecret   = 6
	minTypedSecret = 4
)

// secretPattern finds secrets by their shape. The secret itself is the group named v; the rest
// of the match (a key name, a URL's user and host, a header name, a client's flag) says what it
// was and is kept. check, when set, decides whether a match really is a secret.
type secretPattern struct {
	re    func() *regexp.Regexp // compiled on first use
	check func(v string) bool
	// may is a cheap test that every text holding a match passes (a literal piece of the
	// pattern, or of each of its alternatives): a text that fails it skips the pattern without
	// compiling it. Most command lines and short outputs pass none.
	may func(t *scanText) bool
}

// pattern is a secretPattern that is compiled on first use and tried on texts that pass may.
func pattern(expr string, may func(t *scanText) bool) secretPattern {
	return secretPattern{re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) }), may: may}
}

// scanText is a text being redacted, with the lower-case copy that case-insensitive patterns'
// may tests read, made on first use.
type scanText struct {
	s        string
	lower    string
	lowered  bool
	nonASCII bool // set by low: such a text may match (?i) patterns through K or ſ
}

func (t *scanText) set(s string) { *t = scanText{s: s} }

// low returns the text in lower case, made once; a text with non-ASCII bytes is not lowered,
// since every (?i) may test passes it anyway.
func (t *scanText) low() string {
	if !t.lowered {
		t.lowered = true
		for i := 0; i < len(t.s); i++ {
			if t.s[i] >= 0x80 {
				t.nonASCII = true
				return ""
			}
		}
		t.lower = strings.ToLower(t.s)
	}
	return t.lower
}

// has is a may test: the text holds one of words.
func has(words ...string) func(t *scanText) bool {
	return func(t *scanText) bool {
		for _, w := range words {
			if strings.Contains(t.s, w) {
				return true
			}
		}
		return false
	}
}

// hasFold is a may test for a (?i) pattern: the text holds one of words (written in lower
// case) in any case. A text with non-ASCII bytes always passes, since (?i) also matches k to
// the Kelvin sign and s to the long s, which lower-casing does not turn into ASCII.
func hasFold(words ...string) func(t *scanText) bool {
	return func(t *scanText) bool {
		low := t.low()
		if t.nonASCII {
			return true
		}
		for _, w := range words {
			if strings.Contains(low, w) {
				return true
			}
		}
		return false
	}
}

// hasRun is a may test: the text holds n bytes in a row that in accepts.
func hasRun(n int, in func(c byte) bool) func(t *scanText) bool {
	return func(t *scanText) bool {
		run := 0
		for i := 0; i < len(t.s); i++ {
			if !in(t.s[i]) {
				run = 0
				continue
			}
			if run++; run >= n {
				return true
			}
		}
		return false
	}
}

// knownShapes are tokens whose form alone says what they are: cloud and SaaS API keys, personal
// access tokens, webhooks, password hashes and JWTs.
const knownShapes = `\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[0-9A-Z]{16}\b` +
	`|\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}\b` +
	`|\bglpat-[A-Za-z0-9_-]{20,}|\bgl(?:dt|rt|ptt|cbt|soat|ft)-[A-Za-z0-9_-]{20,}` +
	`|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bhttps://hooks\.slack\.com/services/[A-Za-z0-9/]+` +
	`|\bsk-(?:proj-|svcacct-|admin-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{20,}` +
	`|\bAIza[0-9A-Za-z_-]{35}\b|\bGOCSPX-[A-Za-z0-9_-]{24,40}|\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}\b` +
	`|\bnpm_[A-Za-z0-9]{36}\b|\bhf_[A-Za-z0-9]{30,}\b|\bpypi-AgE[A-Za-z0-9_-]{50,}` +
	`|\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}` + // SendGrid
	`|\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}\b` + // Discord bot
	`|https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+` +
	`|\bSK[0-9a-fA-F]{32}\b` + // Twilio API key
	`|\bkey-[0-9a-f]{32}\b|\b[0-9a-f]{32}-us[0-9]{1,2}\b` + // Mailgun, Mailchimp
	`|\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b|\bdo[por]_v1_[a-f0-9]{64}\b|\bsq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}` +
	`|\bdapi[a-f0-9]{32}\b|\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b|\bhv[sbr]\.[A-Za-z0-9_-]{24,}` +
	`|\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_-]{60,}|[0-9]{8,10}:AA[A-Za-z0-9_-]{33}\b` + // Terraform, Telegram
	`|\blin_api_[A-Za-z0-9]{40}\b|\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b|\bglsa_[A-Za-z0-9]{32}_[a-f0-9]{8}\b` +
	`|\bNRAK-[A-Z0-9]{27}\b|\bdp\.pt\.[A-Za-z0-9]{40,}` +
	`|\$(?:1|5|6|apr1)\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,}|\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}` + // crypt, bcrypt
	`|\$y\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{43}|\$argon2(?:id|i|d)\$v=[0-9]+\$[a-z=0-9,]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+` +
	`|\{SHA\}[A-Za-z0-9+/]{27}=` +
	`|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`

// wrapPrefixes start tokens of a known shape; such a token cut by a line break is joined to check
// it (see unwrap).
const wrapPrefixes = `\b(?:gh[pousr]_|github_pat_|glpat-|xox[abposr]-|sk-|AIza|GOCSPX-|npm_|hf_|pypi-|SG\.|AKIA|ASIA|dop_v1_|shpat_|hvs\.|lin_api_)`

// knownShapeMarks are literal pieces of knownShapes: each of its tokens holds one of them, but
// for those that knownShapeLooks checks (pieces that ordinary text holds too: "SK" in TASK, "$2"
// in awk's print $2, a host name between dots).
var knownShapeMarks = []string{
	"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA",
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
	"glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-", "glft-",
	"xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "hooks.slack.com/services/",
	"AIza", "GOCSPX-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_",
	"npm_", "hf_", "pypi-AgE", "SG.", "/api/webhooks/", "shpat_", "shpca_", "shppa_", "shpss_",
	"dop_v1_", "dor_v1_", "doo_v1_", "sq0atp-", "sq0csp-", "AGE-SECRET-KEY-1", "hvs.", "hvb.", "hvr.",
	".atlasv1.", "lin_api_", "PMAK-", "glsa_", "NRAK-", "dp.pt.",
	"$1$", "$5$", "$6$", "$apr1$", "$2$", "$2a$", "$2b$", "$2x$", "$2y$", "$y$", "$argon2", "{SHA}", "eyJ",
}

// knownShapeLooks are may tests for the tokens of knownShapes whose literal piece is common in
// ordinary text: the piece is checked with what must stand beside it.
var knownShapeLooks = []func(s string) bool{
	func(s string) bool { return around(s, "sk-", wordStart, tokenByte, 20) },  // \bsk-…[A-Za-z0-9_-]{20,}
	func(s string) bool { return around(s, "SK", wordStart, isHex, 32) },       // \bSK[0-9a-fA-F]{32}
	func(s string) bool { return around(s, "key-", wordStart, isHex, 32) },     // \bkey-[0-9a-f]{32}
	func(s string) bool { return around(s, "dapi", wordStart, isHex, 32) },     // \bdapi[a-f0-9]{32}
	func(s string) bool { return around(s, "-us", afterHex, isDigit, 1) },      // [0-9a-f]{32}-us[0-9]
	func(s string) bool { return around(s, ":AA", afterDigit, tokenByte, 33) }, // [0-9]{8,10}:AA[...]{33}
	discordBotShape,
}

// mayKnownShape is knownShapes' may test.
func mayKnownShape(t *scanText) bool {
	if has(knownShapeMarks...)(t) {
		return true
	}
	for _, look := range knownShapeLooks {
		if look(t.s) {
			return true
		}
	}
	return false
}

// around reports whether s holds piece with before(the byte before it, or -1 at the start) true
// and, when n > 0, n bytes after it for which after is true.
func around(s, piece string, before func(c int) bool, after func(c byte) bool, n int) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], piece)
		if j < 0 {
			return false
		}
		at := i + j
		i = at + 1
		prev := -1
		if at > 0 {
			prev = int(s[at-1])
		}
		if !before(prev) {
			continue
		}
		rest := s[at+len(piece):]
		if n == 0 {
			return true
		}
		if len(rest) >= n && strings.IndexFunc(rest[:n], func(r rune) bool { return r >= 0x80 || !after(byte(r)) }) < 0 {
			return true
		}
	}
}

// wordStart is \b before a word character: the start, or a byte that is not one.
func wordStart(c int) bool { return c < 0 || !wordByte(byte(c)) }

func afterHex(c int) bool   { return c >= 0 && isHex(byte(c)) }
func afterDigit(c int) bool { return c >= 0 && isDigit(byte(c)) }

func wordByte(c byte) bool {
	return c == '_' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isHex(c byte) bool     { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func tokenByte(c byte) bool { return c == '-' || wordByte(c) }

// discordBotShape is the may test of Discord's bot tokens, [MNO] and 23 to 27 token bytes, a dot,
// 6 token bytes, a dot and 27 to 40 token bytes: a dot with 24 token bytes before it and 6 and a
// dot and 27 after.
func discordBotShape(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0; {
		if i >= 24 && i+8+27 <= len(s) && s[i+7] == '.' &&
			allBytes(s[i-24:i], tokenByte) && allBytes(s[i+1:i+7], tokenByte) && allBytes(s[i+8:i+8+27], tokenByte) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '.')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func allBytes(s string, in func(c byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !in(s[i]) {
			return false
		}
	}
	return true
}

// wrapMarks are wrapPrefixes' literal pieces; a text without any (nor "sk-" starting a word) has
// no cut token to join.
var wrapMarks = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxa-", "xoxb-", "xoxp-", "xoxo-",
	"xoxs-", "xoxr-", "AIza", "GOCSPX-", "npm_", "hf_", "pypi-", "SG.", "AKIA", "ASIA", "dop_v1_",
	"shpat_", "hvs.", "lin_api_",
}

func mayWrap(s string) bool {
	return has(wrapMarks...)(&scanText{s: s}) || around(s, "sk-", wordStart, nil, 0)
}

// urlPassword is the may test of passwords in URLs: "://", then before the next slash or space
// a colon and, after it, an at sign.
func urlPassword(t *scanText) bool {
	s := t.s
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			return false
		}
		s = s[i+3:]
		end := strings.IndexAny(s, "/ \t\n\r\f") // \s in Go's regexp: no \v
		if end < 0 {
			end = len(s)
		}
		if c := strings.IndexByte(s[:end], ':'); c >= 0 && strings.IndexByte(s[c+1:end], '@') >= 0 {
			return true
		}
	}
}

// userFlag is the may test of curl's -u user:password and its kind: the flag after a space, a
// separator or the start, and a colon somewhere.
func userFlag(t *scanText) bool {
	sep := func(c int) bool { return c < 0 || strings.IndexByte(" \t\n\r\f\v;|&(", byte(c)) >= 0 }
	return strings.IndexByte(t.s, ':') >= 0 && (around(t.s, "-u", sep, nil, 0) || around(t.s, "--user", sep, nil, 0) || around(t.s, "--proxy-user", sep, nil, 0))
}

var (
	knownShape = &lazy.Regexp{Expr: `^(?:` + knownShapes + `)$`}
	wrapped    = &lazy.Regexp{Expr: `(` + wrapPrefixes + `[A-Za-z0-9_.-]*)(\r?\n)([A-Za-z0-9_.-]+)`}
)

// secretPatterns are compiled on first use: every spark command links this package, and only
// a recording session and a request on its way out need them.
var secretPatterns = &lazy.Value[[]secretPattern]{New: newSecretPatterns}

func newSecretPatterns() []secretPattern {
	p := pattern
	flagWords := []string{"passw", "passphrase", "secret", "token", "apikey", "api-key", "access-key"}
	keyWords := []string{"passw", "passphrase", "secret", "token", "apikey", "api_key", "api-key",
		"accesskey", "access_key", "access-key", "privatekey", "private_key", "private-key", "credential"}
	return []secretPattern{
		// PEM private keys, also when the output was cut before the END line.
		p(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----\n?(?P<v>.*?)\n?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)`, has("-----BEGIN ")),
		// Credentials in URLs and connection strings: scheme://user:password@host.
		p(`\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:(?P<v>[^/\s@]+)@`, urlPassword),
		// Authorization headers, bare bearer tokens and cookies.
		p(`(?i)\b(?:proxy-)?authorization\s*:\s*(?:(?:bearer|basic|token|digest|negotiate)\s+)?(?P<v>[^\s"']+)`, hasFold("authorization")),
		p(`(?i)\bbearer\s+(?P<v>[A-Za-z0-9._~+/-]{8,}=*)`, hasFold("bearer")),
		p(`(?i)\b(?:set-)?cookie\s*:\s*(?P<v>[^\n"']+)`, hasFold("cookie")),
		p(`(?P<v>`+knownShapes+`)`, mayKnownShape),
		// Passwords on the command lines of common clients: curl -u user:pw, mysql -pPW,
		// sshpass -p PW, redis-cli -a PW, docker login -p PW, openssl -pass pass:PW, htpasswd -b.
		p(`(?:^|[\s;|&(])(?:-u|--user|--proxy-user)(?:\s+|=)?['"]?[^\s:'"]+:(?P<v>[^\s'"]+)`, userFlag),
		p(`\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb|mariadb-dump)\b[^\n;|&]*?\s-p(?P<v>'[^'\n]*'|"[^"\n]*"|[^\s'"]+)`, has("mysql", "mariadb")),
		p(`\bsshpass\b[^\n;|&]*?\s-p\s*(?P<v>'[^'\n]*'|"[^"\n]*"|[^\s'"]+)`, has("sshpass")),
		p(`\bredis-cli\b[^\n;|&]*?\s-a\s+(?P<v>'[^'\n]*'|"[^"\n]*"|[^\s'"]+)`, has("redis-cli")),
		p(`\b(?:docker|podman|buildah|skopeo|helm|nerdctl|oras)\s+(?:registry\s+)?login\b[^\n;|&]*?\s-p\s+(?P<v>'[^'\n]*'|"[^"\n]*"|[^\s'"]+)`, has("login")),
		p(`-pass(?:in|out)?\s+(?:pass|env):(?P<v>\S+)`, has("-pass")),
		p(`\bhtpasswd\s+(?:-[a-zA-Z]*\s+)*-[a-zA-Z]*b[a-zA-Z]*\s+(?:-[a-zA-Z]+\s+)*\S+\s+\S+\s+(?P<v>\S+)`, has("htpasswd")),
		// .netrc: machine HOST login USER password PW.
		p(`(?i)\bmachine\s+\S+(?:\s+login\s+\S+)?\s+password\s+(?P<v>\S+)`, hasFold("machine")),
		// --password VALUE and friends on command lines.
		p(`(?i)--?[a-z0-9-]*(?:password|passwd|passphrase|secret|token|api-?key|access-key)[a-z0-9-]*[ \t]+(?P<v>[^\s-]\S*)`, hasFold(flagWords...)),
		// Azure storage and service bus keys, SAS signatures, ODBC passwords in connection strings.
		p(`(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|sig)=(?P<v>[^;\s&"']+)`, hasFold("accountkey", "sharedaccess", "sig=")),
		withCheck(p(`(?i)(?:^|[;\s"'])pwd\s*=\s*(?P<v>[^;\s"']+)`, hasFold("pwd")), func(v string) bool { return !strings.HasPrefix(v, "/") }),
		// Docker's config.json.
		p(`"(?:auth|identitytoken|registrytoken)"\s*:\s*"(?P<v>[^"]+)"`, has(`"auth"`, `"identitytoken"`, `"registrytoken"`)),
		// Base64 key material under a key-ish name: kubeconfig client-key-data, "privateKey", ...
		p(`(?i)\b[A-Za-z0-9_.-]*(?:key|cert)[A-Za-z0-9_.-]*["']?\s*[:=]\s*["']?(?P<v>[A-Za-z0-9+/]{32,}={0,2})`, hasFold("key", "cert")),
		// key=value and "key": "value" pairs whose key names a secret.
		p(`(?i)\b[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]*["']?\s*[:=]\s*(?P<v>"[^"\n]*"|'[^'\n]*'|[^\s"',;&|)]+)`, hasFold(keyWords...)),
		// A bare AWS secret access key: 40 characters of base64 with the mix of a random string.
		withCheck(p(`(?:^|[^A-Za-z0-9/+=])(?P<v>[A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])`, hasRun(40, base64Byte)), randomBase64),
	}
}

func withCheck(p secretPattern, check func(v string) bool) secretPattern {
	p.check = check
	return p
}

func base64Byte(c byte) bool {
	return c == '/' || c == '+' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// randomBase64 tells a random 40-character base64 string (an AWS secret access key) from the
// other 40-character words output is full of: git object names (hex), paths and identifiers.
func randomBase64(v string) bool {
	var upper, lower, digit, slash, changes int
	prev := 0 // 1 upper, 2 lower
	for _, c := range v {
		cls := 0
		switch {
		case c >= 'A' && c <= 'Z':
			upper, cls = upper+1, 1
		case c >= 'a' && c <= 'z':
			lower, cls = lower+1, 2
		case c >= '0' && c <= '9':
			digit++
		default:
			slash++
		}
		if cls != 0 && prev != 0 && cls != prev {
			changes++
		}
		if cls != 0 {
			prev = cls
		}
	}
	return upper >= 4 && lower >= 4 && digit >= 1 && slash <= 3 && changes >= 8 && v[0] != '/' && !identifier.Get().MatchString(v)
}

// identifier matches names made of capitalised words and numbers (TestParseEmptyInput2),
// which random strings never are.
var identifier = &lazy.Regexp{Expr: `^(?:[A-Z]?[a-z]{2,}|[0-9]+)+$`}

// secretEnvWords mark an environment variable as holding a secret when its name contains one.
var secretEnvWords = []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "CREDENTIAL", "AUTH", "PRIVATE", "COOKIE"}

// Redactor removes secrets from text: the values of secret-named environment variables, the
// values a command line assigns to such variables, and every secret-shaped string. A session
// redacts each record with one before storing it; spark fix, edit and suggest redact what they
// send with one made from their own environment. It is safe for concurrent use.
type Redactor struct {
	mu     sync.Mutex
	values []string // exact secrets, longest first
}

// NewRedactor returns a Redactor that knows the values of the secret-named variables in environ
// ("NAME=value"): names containing KEY, TOKEN, SECRET, PASSWORD, PASS, CREDENTIAL, AUTH, PRIVATE
// or COOKIE, with values of at least 6 characters that are not paths.
func NewRedactor(environ []string) *Redactor { return newRedactor(environ) }

// newRedactor collects the values of secret-named variables in environ ("NAME=value").
func newRedactor(environ []string) *Redactor {
	r := &Redactor{}
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

// assignment finds shell assignments on a command line: NAME=value (with export, declare -x,
// typeset -x, local, readonly, or before a command) and fish's set [-gx...] NAME value.
var assignment = &lazy.Regexp{Expr: `(?:^|[\s;&|(])(?:(?:export|declare|typeset|local|readonly|setenv)\s+(?:-[a-zA-Z]+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)=("[^"\n]*"|'[^'\n]*'|[^\s;&|)'"]+)` +
	`|\bset\s+(?:-[a-zA-Z]+\s+)*([A-Za-z_][A-Za-z0-9_]*)\s+("[^"\n]*"|'[^'\n]*'|[^\s;&|)'"]+)`}

// Learn remembers the values that command assigns to secret-named variables (export
// MY_API_TOKEN=...), so that they are redacted when a later command prints them: only the
// variables present when the session started are in its environment.
func (r *Redactor) Learn(command string) {
	for _, m := range assignment.Get().FindAllStringSubmatch(command, -1) {
		name, value := m[1], m[2]
		if name == "" {
			name, value = m[3], m[4]
		}
		if q := value[0]; (q == '"' || q == '\'') && len(value) >= 2 {
			value = value[1 : len(value)-1]
		}
		if !secretName(name) || !secretValue(value, minEnvSecret) || strings.ContainsAny(value, "$`") {
			continue
		}
		r.mu.Lock()
		if !slices.Contains(r.values, value) {
			r.values = append(r.values, value)
			sortLongestFirst(r.values)
		}
		r.mu.Unlock()
	}
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

// Redact returns s with every secret it knows or recognises replaced by [REDACTED].
func (r *Redactor) Redact(s string) string { return r.redact(s, nil) }

// RedactValues returns s with only the exact secrets replaced: the values of secret-named
// variables and learned assignments, not the shapes. It suits text the user wrote on purpose,
// such as an instruction that names a token's format.
func (r *Redactor) RedactValues(s string) string {
	r.mu.Lock()
	values := r.values
	r.mu.Unlock()
	for _, v := range values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}

// redact returns s with the known secret values, the extra ones (typed with echo off) and every
// secret-shaped string replaced; a known-shape token cut in two by a line break counts as one.
func (r *Redactor) redact(s string, extra []string) string {
	if s == "" {
		return s
	}
	r.mu.Lock()
	values := r.values
	r.mu.Unlock()
	if len(extra) > 0 {
		values = append(slices.Clone(extra), values...)
		sortLongestFirst(values)
	}
	for _, v := range values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	s = unwrap(s)
	var t scanText
	t.set(s)
	for _, p := range secretPatterns.Get() {
		if p.may != nil && !p.may(&t) {
			continue
		}
		if out := replaceSecrets(p, t.s); out != t.s {
			t.set(out)
		}
	}
	return t.s
}

// unwrap redacts tokens of a known shape that a line break cut in two (a terminal's width, a
// program's fixed-width output): both halves, keeping the break.
func unwrap(s string) string {
	if !strings.Contains(s, "\n") || !mayWrap(s) {
		return s
	}
	return wrapped.Get().ReplaceAllStringFunc(s, func(m string) string {
		sub := wrapped.Get().FindStringSubmatch(m)
		head, brk, tail := sub[1], sub[2], sub[3]
		if knownShape.Get().MatchString(head) || !knownShape.Get().MatchString(head+tail) {
			return m
		}
		return redacted + brk + redacted
	})
}

// replaceSecrets replaces the v group of every match of re in s, leaving alone values that are
// no secret: shell variable references, small numbers (max_tokens=512) and earlier redactions.
func replaceSecrets(p secretPattern, s string) string {
	re := p.re()
	matches := re.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	v := re.SubexpIndex("v")
	var b strings.Builder
	last := 0
	for _, m := range matches {
		start, end := m[2*v], m[2*v+1]
		if start < 0 || start < last || !secretShaped(s[start:end]) || (p.check != nil && !p.check(s[start:end])) {
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

// shellReference matches a value that only refers to a secret: $NAME, ${NAME}, $(command).
var shellReference = &lazy.Regexp{Expr: `^\$(?:\{?[A-Za-z_][A-Za-z0-9_]*\}?|\(.*)$`}

func secretShaped(v string) bool {
	u := strings.Trim(v, `"'`)
	if u == "" || u == redacted || shellReference.Get().MatchString(u) || strings.TrimSpace(u) == "" {
		return false
	}
	if len(u) < 6 && strings.Trim(u, "0123456789") == "" {
		return false
	}
	return true
}
