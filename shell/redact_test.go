package shell

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestRedact(t *testing.T) {
	r := newRedactor([]string{
		"MY_API_TOKEN=tok-9f8e7d6c5b",
		"DB_PASSWORD=correct horse",
		"SSH_AUTH_SOCK=/run/user/1000/ssh",
		"KEYTIMEOUT=1",
		"HOME=/home/u",
		"PWD=/home/u/secret-project",
	})
	gh := "ghp_" + strings.Repeat("a1B2", 9)
	tests := []struct{ in, want string }{
		{"token is tok-9f8e7d6c5b here", "token is [REDACTED] here"},
		{"pw: correct horse", "pw: [REDACTED]"},
		{"socket /run/user/1000/ssh stays", "socket /run/user/1000/ssh stays"},
		{"cwd /home/u/secret-project", "cwd /home/u/secret-project"},
		{"export GITHUB_TOKEN=" + gh, "export GITHUB_TOKEN=[REDACTED]"},
		{"got " + gh + " back", "got [REDACTED] back"},
		{"AKIAIOSFODNN7EXAMPLE", "[REDACTED]"},
		{"key sk-proj-abcdefghijklmnopqrstuvwx", "key [REDACTED]"},
		{"xoxb-123456789012-abcdefABCDEF", "[REDACTED]"},
		{"glpat-abcdefghij0123456789", "[REDACTED]"},
		{"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
			"jwt [REDACTED]"},
		{"git clone https://bob:s3cr3tpw@example.com/r.git", "git clone https://bob:[REDACTED]@example.com/r.git"},
		{"https://example.com/a@b stays", "https://example.com/a@b stays"},
		{"curl -H 'Authorization: Bearer abcdef123456789'", "curl -H 'Authorization: Bearer [REDACTED]'"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED]"},
		{"password=hunter2 user=bob", "password=[REDACTED] user=bob"},
		{`{"client_secret": "abc123xyz"}`, `{"client_secret": "[REDACTED]"}`},
		{"mysql --password hunter2 db", "mysql --password [REDACTED] db"},
		{"max_tokens=512", "max_tokens=512"},
		{"TOKEN=$GITHUB_TOKEN make", "TOKEN=$GITHUB_TOKEN make"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter",
			"-----BEGIN RSA PRIVATE KEY-----\n[REDACTED]\n-----END RSA PRIVATE KEY-----\nafter"},
		{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r (cut)", "-----BEGIN OPENSSH PRIVATE KEY-----\n[REDACTED]"},
		{"nothing to see", "nothing to see"},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := r.redact("typed hunter2abc then", []string{"hunter2abc"}); got != "typed [REDACTED] then" {
		t.Errorf("Redact with a typed secret = %q", got)
	}
}

// TestMayIsNecessary checks the patterns' may tests against every shape their expressions
// spell: each alternative, with the least of every repetition and the lowest byte of every
// class, in the case it is written, in upper case and in lower case. A text that fails a
// pattern's may test is not searched, so the test must pass every text that can match.
func TestMayIsNecessary(t *testing.T) {
	for i, p := range secretPatterns.Get() {
		if p.may == nil {
			continue
		}
		expr := p.re().String()
		re, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatalf("pattern %d: %v", i, err)
		}
		all := shapes(re, 20000)
		if len(all) == 0 {
			t.Fatalf("pattern %d: no shapes", i)
		}
		for _, s := range all {
			for _, v := range []string{s, strings.ToUpper(s), strings.ToLower(s)} {
				if !strings.HasPrefix(expr, "(?i)") && v != s {
					continue
				}
				if !p.may(&scanText{s: v}) {
					t.Errorf("pattern %d (%.40s...): may(%q) = false", i, expr, v)
				}
			}
		}
	}
	wrap, err := syntax.Parse(wrapPrefixes, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range shapes(wrap, 1000) {
		if !mayWrap(s) {
			t.Errorf("wrapPrefixes: %q holds none of wrapMarks", s)
		}
	}
}

// shapes returns strings that walk every alternative of re; limit bounds their number.
func shapes(re *syntax.Regexp, limit int) []string {
	cross := func(a, b []string) []string {
		var out []string
		for _, x := range a {
			for _, y := range b {
				if len(out) < limit {
					out = append(out, x+y)
				}
			}
		}
		return out
	}
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		return []string{string(re.Rune[0])}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"x"}
	case syntax.OpCapture:
		return shapes(re.Sub[0], limit)
	case syntax.OpStar, syntax.OpQuest:
		return append([]string{""}, shapes(re.Sub[0], limit)...)
	case syntax.OpPlus:
		return shapes(re.Sub[0], limit)
	case syntax.OpRepeat:
		one := shapes(re.Sub[0], limit)
		out := []string{""}
		for range re.Min {
			out = cross(out, one)
		}
		if re.Min == 0 {
			out = append(out, one...)
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			out = cross(out, shapes(sub, limit))
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, shapes(sub, limit)...)
		}
		return out
	}
	return []string{""} // assertions: ^ $ \A \z \b \B
}

// TestMayOnTexts runs every pattern on texts that hold secrets, texts that do not, and their
// upper- and lower-case forms: a text that fails a pattern's may test must hold no match of it.
func TestMayOnTexts(t *testing.T) {
	var texts []string
	for _, c := range secretCorpus {
		texts = append(texts, c.text)
	}
	texts = append(texts, notSecrets...)
	texts = append(texts, "Shell: bash on Debian GNU/Linux 12\nDirectory: /home/u/src/spark\nLine: git st\n",
		"paſsword=hunter2hunter2", "api_\u212aey = abcdefghijklmnopqrstuvwxyz012345")
	texts = append(texts, ordinaryLines...)
	// Known shapes after a space, a quote and a colon, and glued to a word (where \b fails).
	for _, c := range secretCorpus {
		texts = append(texts, "x "+c.text, "'"+c.text+"'", "k:"+c.text, "abc"+c.text)
	}
	for _, s := range slices.Clone(texts) {
		texts = append(texts, strings.ToUpper(s), strings.ToLower(s))
	}
	for _, s := range texts {
		checkMay(t, s)
	}
}

func checkMay(t *testing.T, s string) {
	t.Helper()
	for i, p := range secretPatterns.Get() {
		if p.may != nil && !p.may(&scanText{s: s}) && p.re().MatchString(s) {
			t.Errorf("pattern %d matches %q, which fails its may test", i, s)
		}
	}
}

func FuzzMay(f *testing.F) {
	for _, c := range secretCorpus {
		f.Add(c.text)
	}
	for _, s := range notSecrets {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkMay(t, s) })
}

// BenchmarkRedact200K redacts a 200 KB go test log that holds no secret: the patterns whose
// pieces it lacks are skipped.
func BenchmarkRedact200K(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 200<<10 {
		sb.WriteString("=== RUN   TestParse/case_12\n    parse_test.go:41: got 3, want 4 (input \"a,b,c\")\n--- FAIL: TestParse/case_12 (0.00s)\nok  \tgithub.com/acme/widget/internal/store\t0.412s\n")
	}
	s := sb.String()
	r := NewRedactor(nil)
	r.Redact(s)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		r.Redact(s)
	}
}

// BenchmarkRedactPrompt redacts what spark suggest sends for a command line.
func BenchmarkRedactPrompt(b *testing.B) {
	s := "Shell: bash on Debian GNU/Linux 12\nDirectory: /home/u/src/spark\nLine: git st\nCursor: at the end of the line\n"
	r := NewRedactor(nil)
	for b.Loop() {
		r.Redact(s)
	}
}

// ordinaryLines are command lines and output that hold no secret but pieces of secret shapes:
// "SK" in TASK, "$2" in awk, a host name between dots, "-us" in cpu-usage.
var ordinaryLines = []string{
	"awk '{print $2}' access.log | sort | uniq -c",
	"curl -s https://api.github.com/repos/golang/go/releases",
	"git push -u origin TASK-1234-fix-disk-usage",
	"ps -o pid,cpu-usage,comm; df -h /mnt/disk-sk-01",
	"ssh deploy@www.example.com 'sudo systemctl restart web'",
	"Shell: zsh on Debian GNU/Linux 12\nDirectory: /home/u/src/spark\nRecent commands:\n  go test ./... (exit 1)\nLine: git st\n",
}

// TestMaySkipsOrdinaryText keeps the may tests sharp: the command lines of an ordinary session
// pass none of them, so that redacting a suggestion's prompt compiles nothing.
func TestMaySkipsOrdinaryText(t *testing.T) {
	for _, s := range ordinaryLines {
		for i, p := range secretPatterns.Get() {
			if p.may != nil && p.may(&scanText{s: s}) {
				t.Errorf("pattern %d (%.40s...) may match %q", i, p.re().String(), s)
			}
		}
	}
}

// TestMayOnRandomMatches complements TestMayIsNecessary, which spells only the least of every
// repetition with the lowest byte of every class: it builds random texts from each pattern's
// syntax (random repetition counts, bytes from anywhere in each class and the troublesome ones
// it holds: \v, é, the Kelvin sign, long s, U+FFFD; every case of (?i) letters), between random
// neighbours and after a cut-off copy, and checks the may test of every text the pattern matches.
func TestMayOnRandomMatches(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type target struct {
		name string
		re   *regexp.Regexp
		may  func(s string) bool
		ast  *syntax.Regexp
	}
	var targets []target
	for i, p := range secretPatterns.Get() {
		ast, err := syntax.Parse(p.re().String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		may := func(s string) bool { return p.may == nil || p.may(&scanText{s: s}) }
		targets = append(targets, target{fmt.Sprintf("pattern %d", i), p.re(), may, ast})
		if ast.Op == syntax.OpCapture && ast.Sub[0].Op == syntax.OpAlternate { // knownShapes, one by one
			for j, sub := range ast.Sub[0].Sub {
				targets = append(targets, target{fmt.Sprintf("pattern %d alternative %d", i, j), p.re(), may, sub})
			}
		}
	}
	wast, err := syntax.Parse(wrapped.Get().String(), syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	targets = append(targets, target{"wrapped", wrapped.Get(), mayWrap, wast})
	n := 600
	if testing.Short() {
		n = 200
	}
	neighbours := []string{"", " ", "x", "_", "\v", "é", "-", ":", "/", "@", "0", "a:", "\n", "'", ";", "\xff", "0123456789abcdef0123456789abcdef"}
	for _, tg := range targets {
		matched := 0
		for range n {
			var b strings.Builder
			b.WriteString(neighbours[r.IntN(len(neighbours))])
			if r.IntN(2) == 0 {
				var c strings.Builder
				randomMatch(r, tg.ast, &c)
				b.WriteString(c.String()[:r.IntN(c.Len()+1)] + neighbours[r.IntN(len(neighbours))])
			}
			randomMatch(r, tg.ast, &b)
			b.WriteString(neighbours[r.IntN(len(neighbours))])
			s := b.String()
			if !tg.re.MatchString(s) {
				continue
			}
			matched++
			if !tg.may(s) {
				t.Errorf("%s matches %q, which fails its may test", tg.name, s)
			}
		}
		if matched < n/10 {
			t.Errorf("%s: only %d of %d random texts matched; the test proves little for it", tg.name, matched, n)
		}
	}
}

// awkward are runes that may tests get wrong: \v (not \s in Go), non-ASCII letters, the runes
// (?i) folds k and s to, and the replacement character.
var awkward = []rune{'\v', 'é', 0x212A, 0x17F, 'K', 's', ' ', '\t', '\n', ':', '@', '/', '-', '_', '.', '0', '9', 'a', 'f', 'A', 'F', 0xFFFD}

// randomMatch writes to b a random text that re's syntax spells.
func randomMatch(r *rand.Rand, re *syntax.Regexp, b *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				orbit := []rune{c}
				for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
					orbit = append(orbit, f)
				}
				c = orbit[r.IntN(len(orbit))]
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		if r.IntN(2) == 0 {
			var in []rune
			for _, c := range awkward {
				for i := 0; i+1 < len(re.Rune); i += 2 {
					if c >= re.Rune[i] && c <= re.Rune[i+1] {
						in = append(in, c)
						break
					}
				}
			}
			if len(in) > 0 {
				b.WriteRune(in[r.IntN(len(in))])
				return
			}
		}
		i := r.IntN(len(re.Rune)/2) * 2
		lo, hi := re.Rune[i], min(re.Rune[i+1], re.Rune[i]+200)
		b.WriteRune(lo + rune(r.IntN(int(hi-lo+1))))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune(awkward[r.IntN(len(awkward))])
	case syntax.OpCapture:
		randomMatch(r, re.Sub[0], b)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		k := lo + r.IntN(3)
		if hi >= 0 && k > hi {
			k = hi
		}
		for range k {
			randomMatch(r, re.Sub[0], b)
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			randomMatch(r, sub, b)
		}
	case syntax.OpAlternate:
		randomMatch(r, re.Sub[r.IntN(len(re.Sub))], b)
	}
}
