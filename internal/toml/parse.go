package toml

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parseError is an error at a byte offset; Parse turns it into a *ParseError.
type parseError struct {
	off   int
	msg   string
	class class
}

// class sorts errors for the tests, which compare this package with a TOML 1.1 parser that is
// known to let some redefinitions and out-of-range offsets through.
type class uint8

const (
	syntax   class = iota
	newer          // the construct is valid in the TOML 1.1 draft
	redefine       // a table or key defined twice, or extended after its definition
	offset         // a time offset out of range
	encoding       // invalid UTF-8
)

// bailout unwinds the parser from the first error up to run.
type bailout struct{}

type parser struct {
	src   []byte
	pos   int
	root  *table
	cur   *table // the table that key/value lines go into
	err   *parseError
	depth int // arrays and inline tables open around the current value
}

// maxDepth bounds the nesting of arrays and inline tables: the text checked may be a model's
// reply, and each level is a Go call, so [[[[… a million deep would exhaust the stack.
const maxDepth = 1000

// kind says how a table came to be, which decides what may extend it later.
type kind uint8

const (
	implicit kind = iota // created as a parent by a header: [a.b] creates a
	header               // defined by its own [header] or [[header]]
	dotted               // created by a dotted key: a.b = 1 creates a
	inline               // an inline table, complete once closed
)

type table struct {
	kind kind
	// keys holds string, int64, float64, bool, time.Time, LocalDateTime, LocalDate, LocalTime,
	// []any (an array value), *table and *tableArray.
	keys map[string]any
}

// tableArray is an array of tables, built by [[headers]]; an array value is a plain []any.
type tableArray struct {
	elems []*table
}

// keyPart is one part of a dotted key, with where it starts.
type keyPart struct {
	name string
	off  int
}

func newTable(k kind) *table { return &table{kind: k, keys: map[string]any{}} }

func (p *parser) run() (err *parseError) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			err = p.err
		}
	}()
	p.root = newTable(header)
	p.cur = p.root
	p.document()
	return nil
}

func (p *parser) fail(off int, format string, args ...any) {
	p.failClass(off, syntax, format, args...)
}

// failNewer is fail for a construct that the TOML 1.1 draft allows.
func (p *parser) failNewer(off int, format string, args ...any) {
	p.failClass(off, newer, format, args...)
}

// failRedefine is fail for a table or key that is defined twice or extended after its definition.
func (p *parser) failRedefine(off int, format string, args ...any) {
	p.failClass(off, redefine, format, args...)
}

func (p *parser) failClass(off int, c class, format string, args ...any) {
	p.err = &parseError{off: off, msg: fmt.Sprintf(format, args...), class: c}
	panic(bailout{})
}

// peek returns the byte at the current position, or -1 at the end.
func (p *parser) peek() int {
	if p.pos >= len(p.src) {
		return -1
	}
	return int(p.src[p.pos])
}

func (p *parser) at(off int) int {
	if off >= len(p.src) {
		return -1
	}
	return int(p.src[off])
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) document() {
	for {
		p.skipSpace()
		switch p.peek() {
		case -1:
			return
		case '\n':
			p.pos++
			continue
		case '\r', '#':
		case '[':
			p.tableHeader()
			p.endOfLine("table header")
			continue
		default:
			p.keyValue(p.cur)
		}
		p.endOfLine("value")
	}
}

// endOfLine consumes spaces, a comment and the newline that end a line.
func (p *parser) endOfLine(after string) {
	p.skipSpace()
	if p.peek() == '#' {
		p.comment()
	}
	if p.peek() != -1 && !p.newline() {
		p.fail(p.pos, "expected a newline after the %s, found %s", after, p.describe(p.pos))
	}
}

// newline consumes the line break at the current position, "\n" or "\r\n", and reports whether
// there was one; a carriage return without a newline after it is an error.
func (p *parser) newline() bool {
	switch p.peek() {
	case '\n':
		p.pos++
	case '\r':
		if p.at(p.pos+1) != '\n' {
			p.fail(p.pos, "carriage return not followed by a newline")
		}
		p.pos += 2
	default:
		return false
	}
	return true
}

// comment consumes a comment up to, not including, the end of its line.
func (p *parser) comment() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '\n' || c == '\r' {
			return
		}
		if isControl(c) {
			p.fail(p.pos, "control character %s in a comment", p.describe(p.pos))
		}
		p.pos++
	}
}

// skipBlank skips spaces, newlines and comments, as between the elements of an array.
func (p *parser) skipBlank() {
	for {
		p.skipSpace()
		switch {
		case p.peek() == '#':
			p.comment()
		case p.newline():
		default:
			return
		}
	}
}

// keyValue parses "key = value" into t.
func (p *parser) keyValue(t *table) {
	keys := p.key()
	if p.peek() != '=' {
		p.fail(p.pos, "expected '=' after the key %s, found %s", keyString(keys), p.describe(p.pos))
	}
	p.pos++
	p.skipSpace()
	// The key is checked before the value is parsed, so that the first error is the one reported.
	dst := p.dottedParent(t, keys)
	last := keys[len(keys)-1]
	if _, ok := dst.keys[last.name]; ok {
		p.failRedefine(last.off, "duplicate key %s", keyString(keys))
	}
	dst.keys[last.name] = p.value()
}

// dottedParent returns the table that a dotted key's last part goes into, creating the tables
// its other parts name. A dotted key may extend only tables that dotted keys created.
func (p *parser) dottedParent(t *table, keys []keyPart) *table {
	for i, k := range keys[:len(keys)-1] {
		v, ok := t.keys[k.name]
		if !ok {
			nt := newTable(dotted)
			t.keys[k.name] = nt
			t = nt
			continue
		}
		sub, ok := v.(*table)
		switch {
		case !ok:
			p.failRedefine(k.off, "key %s is already defined as %s", keyString(keys[:i+1]), TypeName(v))
		case sub.kind == inline:
			p.failRedefine(k.off, "cannot add keys to the inline table %s", keyString(keys[:i+1]))
		case sub.kind != dotted:
			p.failRedefine(k.off, "cannot add keys to the table %s with a dotted key: it is defined by a header", keyString(keys[:i+1]))
		}
		t = sub
	}
	return t
}

// key parses a bare, quoted or dotted key and the spaces after it.
func (p *parser) key() []keyPart {
	var keys []keyPart
	for {
		keys = append(keys, p.simpleKey())
		p.skipSpace()
		if p.peek() != '.' {
			return keys
		}
		p.pos++
		p.skipSpace()
	}
}

func (p *parser) simpleKey() keyPart {
	start := p.pos
	c := p.peek()
	switch {
	case c == '"':
		if p.at(p.pos+1) == '"' && p.at(p.pos+2) == '"' {
			p.fail(start, "a key cannot be a multi-line string")
		}
		return keyPart{p.basicString(), start}
	case c == '\'':
		if p.at(p.pos+1) == '\'' && p.at(p.pos+2) == '\'' {
			p.fail(start, "a key cannot be a multi-line string")
		}
		return keyPart{p.literalString(), start}
	case c >= 0 && isBare(byte(c)):
		for p.pos < len(p.src) && isBare(p.src[p.pos]) {
			p.pos++
		}
		return keyPart{string(p.src[start:p.pos]), start}
	}
	p.fail(start, "expected a key, found %s", p.describe(start))
	return keyPart{}
}

// tableHeader parses [a.b] or [[a.b]] and makes its table the current one.
func (p *parser) tableHeader() {
	p.pos++ // [
	array := p.peek() == '['
	if array {
		p.pos++
	}
	p.skipSpace()
	keys := p.key()
	if p.peek() != ']' {
		p.fail(p.pos, "expected ']' to end the table header, found %s", p.describe(p.pos))
	}
	p.pos++
	if array {
		if p.peek() != ']' {
			p.fail(p.pos, "expected ']]' to end the array of tables header, found %s", p.describe(p.pos))
		}
		p.pos++
	}
	p.cur = p.defineTable(keys, array)
}

// defineTable returns the table that a header names, creating it and its parents.
func (p *parser) defineTable(keys []keyPart, array bool) *table {
	t := p.root
	for i, k := range keys[:len(keys)-1] {
		v, ok := t.keys[k.name]
		if !ok {
			nt := newTable(implicit)
			t.keys[k.name] = nt
			t = nt
			continue
		}
		switch v := v.(type) {
		case *table:
			if v.kind == inline {
				p.failRedefine(k.off, "cannot add tables to the inline table %s", keyString(keys[:i+1]))
			}
			t = v
		case *tableArray:
			t = v.elems[len(v.elems)-1]
		default:
			p.failRedefine(k.off, "key %s is already defined as %s", keyString(keys[:i+1]), TypeName(v))
		}
	}
	last := keys[len(keys)-1]
	v, ok := t.keys[last.name]
	if array {
		nt := newTable(header)
		switch v := v.(type) {
		case nil:
			t.keys[last.name] = &tableArray{elems: []*table{nt}}
		case *tableArray:
			v.elems = append(v.elems, nt)
		case []any:
			p.failRedefine(last.off, "cannot append to the array %s: it is a static array", keyString(keys))
		default:
			p.failRedefine(last.off, "key %s is already defined as %s", keyString(keys), TypeName(v))
		}
		return nt
	}
	if !ok {
		nt := newTable(header)
		t.keys[last.name] = nt
		return nt
	}
	sub, isTable := v.(*table)
	switch {
	case !isTable:
		p.failRedefine(last.off, "key %s is already defined as %s", keyString(keys), TypeName(v))
	case sub.kind == implicit:
		sub.kind = header
		return sub
	case sub.kind == dotted:
		p.failRedefine(last.off, "table %s is already defined by dotted keys", keyString(keys))
	case sub.kind == inline:
		p.failRedefine(last.off, "table %s is already defined as an inline table", keyString(keys))
	}
	p.failRedefine(last.off, "table %s is already defined", keyString(keys))
	return nil
}

// value parses a value of any type.
func (p *parser) value() any {
	switch p.peek() {
	case '"':
		if p.at(p.pos+1) == '"' && p.at(p.pos+2) == '"' {
			return p.multilineBasicString()
		}
		return p.basicString()
	case '\'':
		if p.at(p.pos+1) == '\'' && p.at(p.pos+2) == '\'' {
			return p.multilineLiteralString()
		}
		return p.literalString()
	case '[', '{':
		if p.depth++; p.depth > maxDepth {
			p.fail(p.pos, "arrays and inline tables nested more than %d deep", maxDepth)
		}
		defer func() { p.depth-- }()
		if p.peek() == '[' {
			return p.array()
		}
		return p.inlineTable()
	}
	return p.scalar()
}

func (p *parser) array() []any {
	p.pos++ // [
	arr := []any{}
	for {
		p.skipBlank()
		if p.peek() == ']' {
			p.pos++
			return arr
		}
		arr = append(arr, p.value())
		p.skipBlank()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return arr
		default:
			p.fail(p.pos, "expected ',' or ']' after an array element, found %s", p.describe(p.pos))
		}
	}
}

func (p *parser) inlineTable() *table {
	p.pos++ // {
	t := newTable(dotted)
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		t.kind = inline
		return t
	}
	for {
		p.skipSpace()
		if c := p.peek(); c == '\n' || c == '\r' || c == '#' {
			p.failNewer(p.pos, "expected a key in an inline table, found %s: an inline table is one line", p.describe(p.pos))
		}
		if p.peek() == '}' {
			p.failNewer(p.pos, "trailing comma in an inline table")
		}
		p.keyValue(t)
		p.skipSpace()
		switch c := p.peek(); c {
		case ',':
			p.pos++
		case '}':
			p.pos++
			t.kind = inline
			return t
		case '\n', '\r', '#':
			p.failNewer(p.pos, "expected ',' or '}' after a value in an inline table, found %s: an inline table is one line", p.describe(p.pos))
		default:
			p.fail(p.pos, "expected ',' or '}' after a value in an inline table, found %s", p.describe(p.pos))
		}
	}
}

// export turns the parser's tables into plain maps, in place.
func (t *table) export() map[string]any {
	for k, v := range t.keys {
		t.keys[k] = exportValue(v)
	}
	return t.keys
}

func exportValue(v any) any {
	switch v := v.(type) {
	case *table:
		return v.export()
	case *tableArray:
		a := make([]any, len(v.elems))
		for i, e := range v.elems {
			a[i] = e.export()
		}
		return a
	case []any:
		for i, e := range v {
			v[i] = exportValue(e)
		}
		return v
	}
	return v
}

// describe names the byte at off for a message: 'x', newline, end of file, U+0007.
func (p *parser) describe(off int) string {
	if off >= len(p.src) {
		return "end of file"
	}
	c := p.src[off]
	switch {
	case c == '\n':
		return "newline"
	case c == '\r' && p.at(off+1) == '\n':
		return "newline"
	case c == '\'':
		return `"'"`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(c) + "'"
	case c < utf8.RuneSelf:
		return fmt.Sprintf("%U", c)
	}
	r, _ := utf8.DecodeRune(p.src[off:])
	if r == utf8.RuneError {
		return fmt.Sprintf("byte %#x", c)
	}
	return fmt.Sprintf("%U %q", r, r)
}

// keyString quotes a dotted key for a message, written as in TOML: "a.b", "site.\"x.org\"".
func keyString(keys []keyPart) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('.')
		}
		bare := k.name != ""
		for j := 0; j < len(k.name); j++ {
			if !isBare(k.name[j]) {
				bare = false
				break
			}
		}
		if bare {
			b.WriteString(k.name)
		} else {
			b.WriteString(strconv.Quote(k.name))
		}
	}
	return strconv.Quote(b.String())
}

// TypeName names the TOML type of a value Parse returns, for a message: "a string", "an
// integer", "an array", "a table", "a date-time"...
func TypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case *tableArray:
		return "an array of tables"
	case *table, map[string]any:
		return "a table"
	}
	return "a date-time"
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// isControl reports the bytes that TOML allows neither in strings nor in comments.
func isControl(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }

// invalidUTF8 returns the offset of the first byte of src that is not valid UTF-8, or -1.
func invalidUTF8(src []byte) int {
	if utf8.Valid(src) {
		return -1
	}
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// position returns the 1-based line and byte column of off in src.
func position(src []byte, off int) (int, int) {
	off = min(off, len(src))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, off - start + 1
}
