package toml

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// basicString parses "...", with escapes.
func (p *parser) basicString() string {
	start := p.pos
	p.pos++
	seg := p.pos
	var b []byte // nil until the first escape: most strings are a slice of src
	for {
		if p.pos >= len(p.src) {
			p.fail(start, "unterminated string")
		}
		switch c := p.src[p.pos]; {
		case c == '"':
			p.pos++
			if b == nil {
				return string(p.src[seg : p.pos-1])
			}
			return string(append(b, p.src[seg:p.pos-1]...))
		case c == '\\':
			b = append(b, p.src[seg:p.pos]...)
			if b == nil {
				b = []byte{}
			}
			b = p.escape(b, start, false)
			seg = p.pos
		case c == '\n' || c == '\r' && p.at(p.pos+1) == '\n':
			p.fail(start, "unterminated string")
		case isControl(c):
			p.fail(p.pos, "control character %s in a string", p.describe(p.pos))
		default:
			p.pos++
		}
	}
}

// multilineBasicString parses """...""", with escapes and line-ending backslashes.
func (p *parser) multilineBasicString() string {
	start := p.pos
	p.pos += 3
	p.skipFirstNewline()
	var b []byte
	seg := p.pos
	for {
		if p.pos >= len(p.src) {
			p.fail(start, "unterminated multi-line string")
		}
		switch c := p.src[p.pos]; {
		case c == '"':
			if n := p.closingQuotes('"'); n > 0 {
				b = append(b, p.src[seg:p.pos+n-3]...)
				p.pos += n
				return string(b)
			}
			p.pos++
		case c == '\\':
			b = append(b, p.src[seg:p.pos]...)
			b = p.escape(b, start, true)
			seg = p.pos
		case c == '\n':
			p.pos++
		case c == '\r' && p.at(p.pos+1) == '\n':
			p.pos += 2
		case isControl(c):
			p.fail(p.pos, "control character %s in a string", p.describe(p.pos))
		default:
			p.pos++
		}
	}
}

// literalString parses '...', taken as written.
func (p *parser) literalString() string {
	start := p.pos
	p.pos++
	for {
		if p.pos >= len(p.src) {
			p.fail(start, "unterminated string")
		}
		switch c := p.src[p.pos]; {
		case c == '\'':
			p.pos++
			return string(p.src[start+1 : p.pos-1])
		case c == '\n' || c == '\r' && p.at(p.pos+1) == '\n':
			p.fail(start, "unterminated string")
		case isControl(c):
			p.fail(p.pos, "control character %s in a string", p.describe(p.pos))
		default:
			p.pos++
		}
	}
}

// multilineLiteralString parses a multi-line literal string (between triple single quotes), taken as written.
func (p *parser) multilineLiteralString() string {
	start := p.pos
	p.pos += 3
	p.skipFirstNewline()
	seg := p.pos
	for {
		if p.pos >= len(p.src) {
			p.fail(start, "unterminated multi-line string")
		}
		switch c := p.src[p.pos]; {
		case c == '\'':
			if n := p.closingQuotes('\''); n > 0 {
				s := string(p.src[seg : p.pos+n-3])
				p.pos += n
				return s
			}
			p.pos++
		case c == '\n':
			p.pos++
		case c == '\r' && p.at(p.pos+1) == '\n':
			p.pos += 2
		case isControl(c):
			p.fail(p.pos, "control character %s in a string", p.describe(p.pos))
		default:
			p.pos++
		}
	}
}

// skipFirstNewline drops the newline right after a multi-line string's opening quotes.
func (p *parser) skipFirstNewline() {
	if p.peek() == '\n' {
		p.pos++
	} else if p.peek() == '\r' && p.at(p.pos+1) == '\n' {
		p.pos += 2
	}
}

// closingQuotes returns, at a run of quote bytes q in a multi-line string, how many of them
// end the string (three, plus up to two that belong to its content), or 0 when the run is
// shorter than three. A run longer than five is left for the caller's next check to reject.
func (p *parser) closingQuotes(q byte) int {
	n := 0
	for p.pos+n < len(p.src) && p.src[p.pos+n] == q && n < 5 {
		n++
	}
	if n < 3 {
		return 0
	}
	return n
}

// escape appends the character that the escape sequence at p.pos stands for; in a multi-line
// string a backslash at the end of a line drops the line break and the blanks after it.
func (p *parser) escape(b []byte, start int, multiline bool) []byte {
	at := p.pos
	p.pos++
	if p.pos >= len(p.src) {
		p.fail(start, "unterminated string")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case 'b':
		return append(b, '\b')
	case 't':
		return append(b, '\t')
	case 'n':
		return append(b, '\n')
	case 'f':
		return append(b, '\f')
	case 'r':
		return append(b, '\r')
	case '"':
		return append(b, '"')
	case '\\':
		return append(b, '\\')
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		var r rune
		for i := 0; i < n; i++ {
			d := p.at(p.pos + i)
			switch {
			case d >= '0' && d <= '9':
				r = r<<4 | rune(d-'0')
			case d >= 'a' && d <= 'f':
				r = r<<4 | rune(d-'a'+10)
			case d >= 'A' && d <= 'F':
				r = r<<4 | rune(d-'A'+10)
			default:
				p.fail(at, "invalid escape sequence: \\%c needs %d hex digits", c, n)
			}
		}
		p.pos += n
		if r > utf8.MaxRune || r >= 0xD800 && r <= 0xDFFF || r < 0 {
			p.fail(at, "invalid escape sequence %s: not a unicode scalar value", string(p.src[at:p.pos]))
		}
		return utf8.AppendRune(b, r)
	case 'e', 'x':
		p.failNewer(at, "invalid escape sequence '\\%c'", c)
	case ' ', '\t', '\n', '\r':
		if multiline {
			i := p.pos - 1
			for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t') {
				i++
			}
			if i < len(p.src) && (p.src[i] == '\n' || p.src[i] == '\r' && p.at(i+1) == '\n') {
				p.pos = i
				for {
					p.skipSpace()
					switch {
					case p.peek() == '\n':
						p.pos++
					case p.peek() == '\r' && p.at(p.pos+1) == '\n':
						p.pos += 2
					default:
						return b
					}
				}
			}
		}
	}
	if c >= 0x20 && c < 0x7f {
		p.fail(at, "invalid escape sequence '\\%c'", c)
	}
	p.fail(at, "invalid escape sequence: a backslash before %s", p.describe(p.pos-1))
	return nil
}

// scalar parses a boolean, a number or a date-time: a token of letters, digits and _+-.:
func (p *parser) scalar() any {
	start := p.pos
	p.pos = p.scanToken(p.pos)
	// A date and a time may be separated by a space.
	if p.pos-start == 10 && p.peek() == ' ' && isDate(p.src[start:p.pos]) &&
		isDigit(p.at(p.pos+1)) && isDigit(p.at(p.pos+2)) && p.at(p.pos+3) == ':' {
		p.pos = p.scanToken(p.pos + 1)
	}
	tok := string(p.src[start:p.pos])
	switch {
	case tok == "":
		p.fail(start, "expected a value, found %s", p.describe(start))
	case tok == "true":
		return true
	case tok == "false":
		return false
	case len(tok) >= 3 && tok[2] == ':' || len(tok) >= 5 && tok[4] == '-' && isDate(p.src[start:start+min(10, len(tok))]):
		return p.datetime(tok, start)
	}
	return p.number(tok, start)
}

func (p *parser) scanToken(i int) int {
	for i < len(p.src) {
		c := p.src[i]
		if !isBare(c) && c != '+' && c != '.' && c != ':' {
			break
		}
		i++
	}
	return i
}

func (p *parser) number(tok string, start int) any {
	switch tok {
	case "inf", "+inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	case "nan", "+nan", "-nan":
		return math.NaN()
	}
	if len(tok) > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'o' || tok[1] == 'b') {
		base := 2
		switch tok[1] {
		case 'x':
			base = 16
		case 'o':
			base = 8
		}
		digits := tok[2:]
		if !validDigits(digits, base) {
			p.fail(start, "invalid integer %q", tok)
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(digits, "_", ""), base, 64)
		if err != nil {
			p.fail(start, "integer %q does not fit in 64 bits", tok)
		}
		return n
	}
	s := tok
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	end := strings.IndexAny(s, ".eE")
	if end < 0 {
		end = len(s)
	}
	intPart := s[:end]
	if !validDigits(intPart, 10) {
		if c := tok[0]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			p.fail(start, "invalid value %q: strings must be quoted", tok)
		}
		p.fail(start, "invalid number %q", tok)
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		p.fail(start, "invalid number %q: leading zeros are not allowed", tok)
	}
	clean := strings.ReplaceAll(tok, "_", "")
	if end == len(s) {
		n, err := strconv.ParseInt(clean, 10, 64)
		if err != nil {
			p.fail(start, "integer %q does not fit in 64 bits", tok)
		}
		return n
	}
	rest := s[end:]
	if rest[0] == '.' {
		frac := rest[1:]
		if i := strings.IndexAny(frac, "eE"); i >= 0 {
			frac, rest = frac[:i], frac[i:]
		} else {
			rest = ""
		}
		if !validDigits(frac, 10) {
			p.fail(start, "invalid float %q", tok)
		}
	}
	if rest != "" { // an exponent
		exp := rest[1:]
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			exp = exp[1:]
		}
		if !validDigits(exp, 10) {
			p.fail(start, "invalid float %q", tok)
		}
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil {
		p.fail(start, "float %q is out of range", tok)
	}
	return f
}

// validDigits reports whether s is digits of base with single underscores between digits.
func validDigits(s string, base int) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			if s[i+1] == '_' {
				return false
			}
		case base == 16 && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
		case c >= '0' && int(c-'0') < min(base, 10):
		default:
			return false
		}
	}
	return true
}

func isDigit(c int) bool { return c >= '0' && c <= '9' }

// isDate reports whether b starts like a full date: dddd-dd-dd.
func isDate(b []byte) bool {
	if len(b) < 10 {
		return false
	}
	for i, c := range b[:10] {
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if !isDigit(int(c)) {
			return false
		}
	}
	return true
}

// datetime parses an offset date-time, a local date-time, a local date or a local time.
func (p *parser) datetime(tok string, start int) any {
	s := tok
	var date LocalDate
	hasDate := len(s) >= 10 && isDate([]byte(s[:10]))
	if hasDate {
		date = LocalDate{Year: atoi(s[0:4]), Month: atoi(s[5:7]), Day: atoi(s[8:10])}
		if date.Month < 1 || date.Month > 12 {
			p.fail(start, "invalid date %q: month %d", tok, date.Month)
		}
		if date.Day < 1 || date.Day > daysIn(date.Month, date.Year) {
			p.fail(start, "invalid date %q: day %d", tok, date.Day)
		}
		s = s[10:]
		if s == "" {
			return date
		}
		if s[0] != 'T' && s[0] != 't' && s[0] != ' ' {
			p.fail(start, "invalid date-time %q", tok)
		}
		s = s[1:]
	}
	var tm LocalTime
	ok := len(s) >= 8 && isDigit(int(s[0])) && isDigit(int(s[1])) && s[2] == ':' && isDigit(int(s[3])) &&
		isDigit(int(s[4])) && s[5] == ':' && isDigit(int(s[6])) && isDigit(int(s[7]))
	if !ok {
		if len(s) >= 5 && isDigit(int(s[0])) && isDigit(int(s[1])) && s[2] == ':' && isDigit(int(s[3])) && isDigit(int(s[4])) &&
			(len(s) == 5 || s[5] != ':') {
			p.failNewer(start, "invalid time %q: seconds are required", tok)
		}
		p.fail(start, "invalid date-time %q", tok)
	}
	tm = LocalTime{Hour: atoi(s[0:2]), Minute: atoi(s[3:5]), Second: atoi(s[6:8])}
	if tm.Hour > 23 || tm.Minute > 59 || tm.Second > 59 {
		p.fail(start, "invalid time %q: out of range", tok)
	}
	s = s[8:]
	if s != "" && s[0] == '.' {
		i := 1
		for i < len(s) && isDigit(int(s[i])) {
			if i <= 9 {
				tm.Nanosecond = tm.Nanosecond*10 + int(s[i]-'0')
			}
			i++
		}
		if i == 1 {
			p.fail(start, "invalid time %q: no digits after '.'", tok)
		}
		for j := min(i, 10); j < 10; j++ {
			tm.Nanosecond *= 10
		}
		s = s[i:]
	}
	if !hasDate {
		if s != "" {
			p.fail(start, "invalid time %q", tok)
		}
		return tm
	}
	if s == "" {
		return LocalDateTime{Date: date, Time: tm}
	}
	zone := 0
	switch {
	case s == "Z" || s == "z":
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && isDigit(int(s[1])) && isDigit(int(s[2])) && s[3] == ':' &&
		isDigit(int(s[4])) && isDigit(int(s[5])):
		h, m := atoi(s[1:3]), atoi(s[4:6])
		if h > 23 || m > 59 {
			p.failClass(start, offset, "invalid date-time %q: offset out of range", tok)
		}
		zone = (h*60 + m) * 60
		if s[0] == '-' {
			zone = -zone
		}
	default:
		p.fail(start, "invalid date-time %q", tok)
	}
	return time.Date(date.Year, time.Month(date.Month), date.Day, tm.Hour, tm.Minute, tm.Second, tm.Nanosecond, offsetZone(zone))
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
