// Package toml parses TOML 1.0 documents into maps, strictly: a document the specification
// rejects is a *ParseError that says where the first error is.
//
// It exists for spark's start-up: a general TOML library reads the local time zone when the
// program starts and links much more code, and spark only reads a small config file and checks
// that an edited .toml file still parses. This package does nothing at program start.
package toml

import (
	"fmt"
	"strconv"
	"time"
)

// ParseError is a document that is not TOML 1.0: the position of the first error and what it is.
type ParseError struct {
	Line int    // 1-based
	Col  int    // 1-based, in bytes, as go/scanner counts columns
	Msg  string // one line, lowercase, no trailing period

	class class // for the tests
}

func (e *ParseError) Error() string {
	return "line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Col) + ": " + e.Msg
}

// LocalDate is a TOML local date: 1979-05-27.
type LocalDate struct {
	Year, Month, Day int
}

// LocalTime is a TOML local time: 07:32:00.999999. Digits of a fraction of a second past
// nanoseconds are dropped.
type LocalTime struct {
	Hour, Minute, Second, Nanosecond int
}

// LocalDateTime is a TOML local date-time, without an offset: 1979-05-27T07:32:00.
type LocalDateTime struct {
	Date LocalDate
	Time LocalTime
}

func (d LocalDate) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (t LocalTime) String() string {
	s := fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second)
	if t.Nanosecond != 0 {
		s += fmt.Sprintf(".%09d", t.Nanosecond)
	}
	return s
}

func (dt LocalDateTime) String() string { return dt.Date.String() + "T" + dt.Time.String() }

// Parse parses src as a TOML 1.0 document. Its values are string, int64, float64, bool,
// time.Time (an offset date-time, in a fixed zone), LocalDateTime, LocalDate, LocalTime, []any
// (an array, or an array of tables) and map[string]any (a table). A leading UTF-8 byte order
// mark is ignored. The error, when src is not TOML 1.0 (including invalid UTF-8), is a
// *ParseError.
func Parse(src []byte) (map[string]any, error) {
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		src = src[3:]
	}
	p := &parser{src: src}
	err := p.run()
	if bad := invalidUTF8(src); bad >= 0 && (err == nil || err.off >= bad) {
		err = &parseError{off: bad, msg: "invalid utf-8", class: encoding}
	}
	if err != nil {
		line, col := position(src, err.off)
		return nil, &ParseError{Line: line, Col: col, Msg: err.msg, class: err.class}
	}
	return p.root.export(), nil
}

// offsetZone returns the fixed zone of an offset date-time; it never consults the system's
// time zone database.
func offsetZone(secs int) *time.Location {
	if secs == 0 {
		return time.UTC
	}
	return time.FixedZone("", secs)
}
