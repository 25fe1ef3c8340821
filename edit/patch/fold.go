package patch

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// level is a rung of the matching ladder, from strict to lenient. Each level also ignores what
// the levels before it ignore.
type level int

const (
	levelExact    level = iota
	levelTrailing       // trailing whitespace ignored
	levelIndent         // leading whitespace ignored too; new lines are re-indented
	levelFold           // Unicode punctuation folded to ASCII too
	numLevels
)

// normalize returns s as compared at level l.
func normalize(s string, l level) string {
	switch l {
	case levelTrailing:
		return strings.TrimRightFunc(s, unicode.IsSpace)
	case levelIndent:
		return strings.TrimSpace(s)
	case levelFold:
		return strings.TrimSpace(fold(s))
	}
	return s
}

// fold replaces the typographic punctuation that models and word processors substitute for
// ASCII: curly quotes, primes, dashes, the minus sign, non-breaking and other wide spaces, and
// the ellipsis. Zero-width characters are dropped.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\u00b4':
			b.WriteByte('\'')
		case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb':
			b.WriteByte('"')
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
			b.WriteByte('-')
		case '\u00a0', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008',
			'\u2009', '\u200a', '\u202f', '\u205f', '\u3000':
			b.WriteByte(' ')
		case '\u2026':
			b.WriteString("...")
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
